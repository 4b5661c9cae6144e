export { cachedPartOf, createResilience } from './create-resilience';
export type { BreakerState, CallRecord, Resilience, ResilienceOptions } from './create-resilience';
export { createReadCache } from './cache';
export { DEFAULT_SYSTEM_POLICY } from './policy';
export type { BreakerPolicy, OperationPolicies, OperationPolicy, SystemPolicy } from './policy';
