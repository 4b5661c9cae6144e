import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildTrustedDocuments } from '../gateway/front-door';

const USAGE = `usage: npm run trusted-documents -- --from <dir> [--out <file>]
  --from   the frontend's operations: every .graphql file below it is one document, as the client sends it
  --out    where the allowlist goes (default: schema/trusted-documents.json, what PLUGBOARD_TRUSTED_DOCUMENTS_FILE reads)
Then start the gateway with PLUGBOARD_TRUSTED_DOCUMENTS=on: only these documents run, by id (sha256) or in full.`;

/** `npm run trusted-documents -- --from web/src/graphql`: writes the allowlist of the frontend's operations. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, out: { type: 'string', default: 'schema/trusted-documents.json' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return void console.log(USAGE);
  if (!values.from) throw new Error(`name the frontend's operations with --from\n${USAGE}`);
  const allowlist = await buildTrustedDocuments(values.from);
  const count = Object.keys(allowlist.documents).length;
  if (count === 0) throw new Error(`${values.from}: no .graphql files`);
  await mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(allowlist, null, 2)}\n`);
  console.log(`${values.out}: ${count} trusted document${count === 1 ? '' : 's'} from ${values.from}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
