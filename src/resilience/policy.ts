import { DEFAULT_BULKHEAD, type BulkheadPolicy } from './bulkhead';

/** How calls to one system behave: the knobs the integration map sets per system. */
export interface SystemPolicy {
  /**
   * Longest a whole call may take, retries and waits for a rate-limit token included, before it is abandoned (the
   * running attempt's AbortSignal fires). @default 8000
   */
  readonly timeoutMs: number;
  /**
   * Longest one attempt of a read may take before it is abandoned and, if the budget allows, retried. Without it an
   * attempt may use what is left of {@link timeoutMs}. @default undefined (the rest of the call's budget)
   */
  readonly attemptTimeoutMs?: number;
  /** Retries of a read after an attempt failed for a reason a retry can cure (5xx, reset, 429, timeout). @default 2 */
  readonly retries: number;
  /** Cap of the first retry's random wait (full jitter); it doubles at each retry. @default 100 */
  readonly retryBaseDelayMs: number;
  /** The vendor's published budget, shared by every call to the system; null when it publishes none. @default null */
  readonly rateLimit: RateLimit | null;
  readonly breaker: BreakerPolicy;
  /**
   * Calls in flight to the system at once, and the short queue behind them. A call's timeout starts when it gets its
   * place; a call shed here fails with SYSTEM_BUSY and never counts against the breaker. @default DEFAULT_BULKHEAD
   */
  readonly bulkhead: BulkheadPolicy;
}

/** A vendor's request budget: `requests` per `perSeconds`, as in the integration map. */
export interface RateLimit {
  readonly requests: number;
  readonly perSeconds: number;
}

export interface BreakerPolicy {
  /** Failure percentage over the rolling window that opens the breaker. @default 50 */
  readonly errorThresholdPercentage: number;
  /** Calls in the window before the percentage is judged at all. @default 5 */
  readonly volumeThreshold: number;
  /** How long an open breaker waits before letting one trial call through. @default 10000 */
  readonly resetTimeoutMs: number;
  /** Length of the rolling window. @default 10000 */
  readonly rollingWindowMs: number;
}

/** What a cached read keeps. */
interface CachedRead {
  /** Cache each record this long; 0 = no cache. @default 0 */
  readonly cacheTtlMs?: number;
  /**
   * Keep a second copy of each record this long, served (marked stale) only when the system fails; 0 = none.
   * @default 86400000 (24 h) when cacheTtlMs is set, else 0
   */
  readonly staleTtlMs?: number;
}

/** How one port method is treated. Reads may be cached and are retried; writes never are. */
export type OperationPolicy =
  | ({ readonly kind: 'batch-read' } & CachedRead)
  | ({ readonly kind: 'read' } & CachedRead)
  | { readonly kind: 'write' };

/** A policy for every method of a port: the type system makes sure none is forgotten. */
export type OperationPolicies<Port> = {
  readonly [K in keyof Port as K extends string ? (Port[K] extends (...args: never[]) => unknown ? K : never) : never]: OperationPolicy;
};

/** How long a stale copy is kept when the operation does not say. */
export const DEFAULT_STALE_TTL_MS = 24 * 60 * 60 * 1_000;

export const DEFAULT_SYSTEM_POLICY: SystemPolicy = {
  timeoutMs: 8_000,
  retries: 2,
  retryBaseDelayMs: 100,
  rateLimit: null,
  breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 10_000, rollingWindowMs: 10_000 },
  bulkhead: DEFAULT_BULKHEAD,
};
