import { DEMO_JWT_SECRET } from '../auth/secret';
import { ConfigError, type Config } from './config';

/** A process that serves: what it exposes decides which settings production insists on. */
export type ServingPart =
  /** `npm start`: gateway, subgraphs and (unless off) sandboxes in one process. */
  | 'stack'
  /** `npm run gateway`: the gateway alone, reaching subgraphs over HTTP. */
  | 'gateway'
  /** `npm run subgraph`: one subgraph, listening for the gateway. */
  | 'subgraph'
  /** `npm run worker`: an outbox worker. */
  | 'worker';

/** A start refused as unsafe; its message is the one line the start prints ("Plugboard did not start: …"). */
export class UnsafeStartError extends ConfigError {}

/**
 * What the production profile finds unsafe in a configuration, for one part: each reason completes "production
 * needs …". Empty in the demo profile, which is meant for a laptop.
 */
export function productionProblems(config: Config, part: ServingPart): string[] {
  if (config.PLUGBOARD_PROFILE !== 'production') return [];
  const problems: string[] = [];
  // Every part that serves checks bearer tokens or acts on requests that did: none may trust the published secret.
  if (config.PLUGBOARD_JWT_SECRET === undefined) {
    problems.push('PLUGBOARD_JWT_SECRET of its own (unset means the demo secret, which is published)');
  } else if (config.PLUGBOARD_JWT_SECRET === DEMO_JWT_SECRET) {
    problems.push('PLUGBOARD_JWT_SECRET of its own (the demo secret is published)');
  }
  // Only the gateway serves /admin; a token made at start and printed in a log is no production credential.
  if ((part === 'stack' || part === 'gateway') && config.PLUGBOARD_ADMIN_TOKEN === undefined) {
    problems.push('PLUGBOARD_ADMIN_TOKEN (the admin API and /metrics would have a token printed in the log)');
  }
  const overHttp = part === 'gateway' || part === 'subgraph' || (part === 'stack' && config.PLUGBOARD_SUBGRAPH_CALLS === 'http');
  if (overHttp && config.PLUGBOARD_SUBGRAPH_SECRET === undefined) {
    problems.push('PLUGBOARD_SUBGRAPH_SECRET (subgraphs reached over HTTP must refuse requests the gateway did not sign)');
  }
  return problems;
}

/** The one line a refused start prints. */
export function refusalLine(problems: readonly string[]): string {
  return `Plugboard did not start: PLUGBOARD_PROFILE=production needs ${problems.join('; and ')}`;
}

/** The command that starts each part, for the refusal's line. */
const COMMANDS: Readonly<Record<ServingPart, string>> = { stack: 'npm start', gateway: 'npm run gateway', subgraph: 'npm run subgraph', worker: 'npm run worker' };

/**
 * The one line a start refused as unsafe prints, or undefined when the part may start: the production profile's
 * problems first; then, in any profile, a gateway or subgraph of its own without the secret they share (only
 * `npm start`, which composes both sides, may make one up).
 */
export function startRefusal(config: Config, part: ServingPart): string | undefined {
  const problems = productionProblems(config, part);
  if (problems.length > 0) return refusalLine(problems);
  if ((part === 'gateway' || part === 'subgraph') && config.PLUGBOARD_SUBGRAPH_SECRET === undefined) {
    return `Plugboard did not start: ${COMMANDS[part]} needs PLUGBOARD_SUBGRAPH_SECRET, the same value for the gateway and every subgraph (subgraphs answer only requests the gateway signed)`;
  }
  return undefined;
}

/**
 * Throws an {@link UnsafeStartError} when the part may not start on this configuration (see startRefusal): every
 * entry point that serves calls it right after loading its configuration, before anything listens.
 */
export function assertSafeToServe(config: Config, part: ServingPart): void {
  const refusal = startRefusal(config, part);
  if (refusal) throw new UnsafeStartError(refusal);
}

/** Whether introspection (and a subgraph's `_service`) is on: PLUGBOARD_INTROSPECTION, else on only in the demo profile. */
export function introspectionOn(config: Pick<Config, 'PLUGBOARD_INTROSPECTION' | 'PLUGBOARD_PROFILE'>): boolean {
  return (config.PLUGBOARD_INTROSPECTION ?? (config.PLUGBOARD_PROFILE === 'production' ? 'off' : 'on')) === 'on';
}
