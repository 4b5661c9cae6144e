import type { Alerts } from '../alerts';
import type { Database } from '../db';
import type { IntegrationMap } from '../integration-map';
import { DEFAULT_CONTRACT_CHECK_SECONDS } from '../integration-map/schema';
import type { RateLimit } from '../resilience';
import type { SystemAnswer, TrafficObserver } from '../systems/kit/adapter';
import type { RateLimitHeaderReader } from '../systems/kit/rate-limit-headers';
import type { SpecCheck } from '../systems/kit/spec';
import { describedBy } from './described';
import { createContractDriftRecorder, type AnswerCheck } from './contract-drift';
import { certificatesOf, createCredentialExpiry, rotationsOf, type CredentialView } from './credential-expiry';
import { createVendorRateLimits, type RateLimitView } from './vendor-rate-limits';

export interface AutopilotOptions {
  readonly db: Database;
  readonly alerts: Pick<Alerts, 'raise' | 'list'>;
  /** The integration map: the declared rate limits, how often to check contracts, the rotation dates. */
  readonly map: IntegrationMap;
  /**
   * The systems of the estate, with how each reads its vendor's rate-limit headers and its vendor's published
   * description, where it has them (defineSystem's rateLimitHeaders and description).
   */
  readonly systems: ReadonlyArray<{ readonly name: string; readonly rateLimitHeaders?: RateLimitHeaderReader; readonly description?: () => SpecCheck }>;
  /** How the adapters reach the systems: the certificates of those with mutual TLS. */
  readonly connections: Readonly<Record<string, object | undefined>>;
  /** Each system's check against its vendor's published description. @default from each system's `description` */
  readonly descriptions?: Readonly<Record<string, AnswerCheck>>;
  /** Holds a system's shared token bucket to the calls its vendor says are left (Resilience.holdRateLimit). */
  readonly holdRateLimit?: (system: string, tokens: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
  /** Told when a check, a row or an alert could not be made: the answers are served regardless. */
  readonly onError?: (error: Error) => void;
}

/**
 * The maintenance autopilot of one process: told about every answer a system gives (as the adapters' traffic
 * observer), it records contract drift, follows the rate limits vendors announce, and watches credentials expire.
 */
export interface Autopilot extends TrafficObserver {
  /** For the resilience layer: the budget a system's calls keep to (the vendor's, when it is lower). */
  rateLimitOf(system: string, declared: RateLimit | null): RateLimit | null;
  /** Every credential and certificate with a known end, soonest first. */
  credentials(): CredentialView[];
  /** Each system's rate limit: declared, announced, followed. */
  rateLimits(): RateLimitView[];
  /** Raises the expiry alerts now due (30, 7, 1 days; each once). */
  checkCredentials(): Promise<void>;
  /** Resolves when every check and alert begun so far is done (tests; closing). */
  settled(): Promise<void>;
}

export function createAutopilot(options: AutopilotOptions): Autopilot {
  const { map } = options;
  const now = options.now ?? Date.now;
  const contractDrift = createContractDriftRecorder({
    db: options.db,
    alerts: options.alerts,
    checkEveryMs: (system) => (map.systems[system]?.contractCheck.everySeconds ?? DEFAULT_CONTRACT_CHECK_SECONDS) * 1_000,
    descriptions:
      options.descriptions ??
      Object.fromEntries(options.systems.flatMap((system) => (system.description ? [[system.name, describedBy(system.description)] as const] : []))),
    now,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const readers = Object.fromEntries(
    options.systems.flatMap((system) => (system.rateLimitHeaders ? [[system.name, system.rateLimitHeaders] as const] : [])),
  );
  const rateLimits = createVendorRateLimits({
    declared: Object.fromEntries(Object.entries(map.systems).map(([name, entry]) => [name, entry.rateLimit])),
    readers,
    alerts: options.alerts,
    ...(options.holdRateLimit ? { holdTo: options.holdRateLimit } : {}),
    now,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const credentials = createCredentialExpiry({
    credentials: [
      ...options.systems.flatMap((system) => certificatesOf(system.name, options.connections[system.name] as { tls?: { cert?: string; ca?: string } } | undefined)),
      ...Object.entries(map.systems).flatMap(([name, entry]) => rotationsOf(name, entry.rotation)),
    ],
    alerts: options.alerts,
    now,
  });
  return {
    onAnswer(answer: SystemAnswer) {
      rateLimits.onAnswer(answer);
      contractDrift.onAnswer(answer);
    },
    rateLimitOf: rateLimits.limitOf,
    credentials: credentials.views,
    rateLimits: rateLimits.views,
    checkCredentials: credentials.check,
    settled: async () => {
      await Promise.all([contractDrift.settled(), rateLimits.settled()]);
    },
  };
}
