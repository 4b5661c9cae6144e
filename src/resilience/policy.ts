/** How calls to one system behave: the knobs the integration map sets per system. */
export interface SystemPolicy {
  /** Longest a call may take before it is abandoned (its AbortSignal fires). @default 8000 */
  readonly timeoutMs: number;
  readonly breaker: BreakerPolicy;
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

/** How one port method is treated. Reads may be cached; writes never are, and are never retried here. */
export type OperationPolicy =
  | { readonly kind: 'batch-read'; /** Cache each record this long; 0 = no cache. @default 0 */ readonly cacheTtlMs?: number }
  | { readonly kind: 'read'; readonly cacheTtlMs?: number }
  | { readonly kind: 'write' };

/** A policy for every method of a port: the type system makes sure none is forgotten. */
export type OperationPolicies<Port> = {
  readonly [K in keyof Port as K extends string ? (Port[K] extends (...args: never[]) => unknown ? K : never) : never]: OperationPolicy;
};

export const DEFAULT_SYSTEM_POLICY: SystemPolicy = {
  timeoutMs: 8_000,
  breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 10_000, rollingWindowMs: 10_000 },
};
