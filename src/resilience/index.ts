export { cachedPartOf, createResilience } from './create-resilience';
export type { BreakerState, CallRecord, Resilience, ResilienceOptions } from './create-resilience';
export { createReadCache, type ReadCache } from './cache';
export { DEFAULT_STALE_TTL_MS, DEFAULT_SYSTEM_POLICY } from './policy';
export type { BreakerPolicy, OperationPolicies, OperationPolicy, RateLimit, SystemPolicy } from './policy';
export { createMemoryRateLimiter, createRedisRateLimiter } from './rate-limit';
export type { RateLimiter, RedisRateLimiterOptions, RedisScripting, Reservation } from './rate-limit';
export { staleKeysOf } from './stale';
export type { StaleKeys } from './stale';
