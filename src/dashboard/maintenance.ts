import type { Autopilot } from '../autopilot';
import type { Database } from '../db';
import { contractDriftOf, type ContractDriftLine } from './queries';

/**
 * Internal to src/dashboard: the maintenance autopilot's part of each tile: the contract drift recorded for the
 * system, its credentials' expiry, and its rate limit as declared, announced by the vendor and followed.
 */
export interface MaintenanceTile {
  readonly contractDrift: { readonly total: number; readonly newToday: number; readonly latest: readonly ContractDriftLine[] };
  readonly credentials: ReadonlyArray<{ readonly credential: string; readonly expiresAt: string; readonly secondsLeft: number; readonly daysLeft: number }>;
  readonly rateLimit: {
    readonly declared: { readonly requests: number; readonly perSeconds: number } | null;
    readonly announced: { readonly requests: number; readonly perSeconds: number } | null;
    readonly followed: { readonly requests: number; readonly perSeconds: number } | null;
    readonly remaining: number | null;
  } | null;
}

const LATEST_DRIFT_PER_SYSTEM = 5;

/** Reads the contract drift once for every tile; the credentials and rate limits come from the autopilot of this process. */
export async function maintenanceTiles(
  db: Database,
  names: readonly string[],
  autopilot: Pick<Autopilot, 'credentials' | 'rateLimits'> | undefined,
  since: Date,
): Promise<Map<string, MaintenanceTile>> {
  const drift = await contractDriftOf(db, since, LATEST_DRIFT_PER_SYSTEM);
  const credentials = autopilot?.credentials() ?? [];
  const rateLimits = autopilot?.rateLimits() ?? [];
  return new Map(
    names.map((name) => {
      const ownDrift = drift.get(name);
      const rateLimit = rateLimits.find((view) => view.system === name);
      return [
        name,
        {
          contractDrift: { total: ownDrift?.total ?? 0, newToday: ownDrift?.recent ?? 0, latest: ownDrift?.latest ?? [] },
          credentials: credentials
            .filter((view) => view.system === name)
            .map((view) => ({ credential: view.credential, expiresAt: view.expiresAt.toISOString(), secondsLeft: view.secondsLeft, daysLeft: Math.floor(view.secondsLeft / 86_400) })),
          rateLimit: rateLimit ? { declared: rateLimit.declared, announced: rateLimit.announced, followed: rateLimit.followed, remaining: rateLimit.remaining } : null,
        },
      ];
    }),
  );
}
