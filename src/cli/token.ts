import { parseArgs } from 'node:util';
import { createAuth, isScope, jwtSecretFrom, JWT_SECRET_VARIABLE, SCOPES, type Scope } from '../auth';

const USAGE = `usage: npm run token -- --scope <scope> [--scope <scope> ...] [--subject <name>] [--expires <duration>]
  --scope     what the token allows: ${SCOPES.join(', ')} (repeat for several)
  --subject   who the token names (default: developer)
  --expires   how long it lives: 90s, 30m, 1h, at most 24h (default: 1h)
Signs with ${JWT_SECRET_VARIABLE}, or with the demo secret when it is unset. Prints the token alone on stdout.`;

/** `npm run token -- --scope orders:write`: mints a bearer token for the graph's mutations. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scope: { type: 'string', multiple: true, short: 's' },
      subject: { type: 'string', default: 'developer' },
      expires: { type: 'string', default: '1h' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const scopes = (values.scope ?? []).flatMap((scope) => scope.split(',')).map((scope) => scope.trim());
  if (scopes.length === 0) throw new Error(`name at least one --scope\n${USAGE}`);
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (unknown.length > 0) throw new Error(`unknown scope ${unknown.join(', ')}: use ${SCOPES.join(', ')}`);

  const { secret, demo } = jwtSecretFrom();
  if (demo) {
    console.error(`${JWT_SECRET_VARIABLE} is unset: signing with the demo secret (good for npm start, never for production).`);
  }
  const token = await createAuth({ secret }).mint({
    subject: values.subject,
    scopes: scopes as Scope[],
    expiresIn: values.expires,
  });
  console.log(token);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
