import { createClient } from '@redis/client';
import type { RateLimit } from './policy';

/** What the bucket answered: go after `waitMs` (the token is reserved), or refused until `retryAfterMs`. */
export type Reservation = { readonly granted: true; readonly waitMs: number } | { readonly granted: false; readonly retryAfterMs: number };

/**
 * A token bucket per system: `requests` tokens at most, refilled evenly over `perSeconds`. A caller that finds the
 * bucket empty reserves the next free token if it comes within `maxWaitMs`, so waiting callers are served in turn.
 */
export interface RateLimiter {
  reserve(system: string, limit: RateLimit, maxWaitMs: number): Promise<Reservation>;
  /**
   * The vendor said only `tokens` calls are left in its window (its rate-limit headers): the bucket holds no more than
   * that, so that the next calls wait for tokens instead of earning a 429. @default ignored
   */
  holdTo?(system: string, limit: RateLimit, tokens: number): Promise<void>;
  close(): Promise<void>;
}

/** The part of a Redis client the shared bucket needs (an @redis/client client has it). */
export interface RedisScripting {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** The bucket of one process. `now` is the clock (tests use a fake one). */
export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  /** The system's bucket, refilled up to now (not yet stored when new). */
  const refilled = (system: string, limit: RateLimit) => {
    const { capacity, perMs } = rates(limit);
    const time = now();
    const bucket = buckets.get(system) ?? { tokens: capacity, at: time };
    if (time > bucket.at) {
      bucket.tokens = Math.min(capacity, bucket.tokens + (time - bucket.at) * perMs);
      bucket.at = time;
    }
    return { bucket, perMs };
  };
  return {
    async reserve(system, limit, maxWaitMs) {
      const { bucket, perMs } = refilled(system, limit);
      const waitMs = bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / perMs);
      if (waitMs > maxWaitMs) return { granted: false, retryAfterMs: waitMs };
      bucket.tokens -= 1;
      buckets.set(system, bucket);
      return { granted: true, waitMs };
    },
    async holdTo(system, limit, tokens) {
      const { bucket } = refilled(system, limit);
      bucket.tokens = Math.min(bucket.tokens, Math.max(0, tokens));
      buckets.set(system, bucket);
    },
    async close() {
      buckets.clear();
    },
  };
}

/**
 * The bucket as both scripts read it: refilled up to now on Redis's clock. ARGV: capacity, tokens per ms, (the
 * script's own), the key's time to live in ms.
 */
const REFILLED_BUCKET = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local ttl = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * perMs)
  at = now
end
`;

/**
 * The same bucket in Redis, read and updated in one Lua script (atomic), on Redis's own clock, so that every replica
 * spends one budget. When Redis cannot be reached the replica falls back to its own bucket rather than stop calling.
 * Reserves a token; ARGV[3] is the longest wait the caller accepts.
 */
export const TOKEN_BUCKET_SCRIPT = `${REFILLED_BUCKET}
local maxWait = tonumber(ARGV[3])
local wait = 0
if tokens < 1 then wait = math.ceil((1 - tokens) / perMs) end
if wait > maxWait then return {0, wait} end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], ttl)
return {1, wait}
`;

export interface RedisRateLimiterOptions {
  /** A Redis URL (the limiter opens and closes its own connection) or a connected client it borrows. */
  readonly redis: string | RedisScripting;
  /** Prefix of the bucket keys. @default "plugboard:rate:" */
  readonly prefix?: string;
  /** Used while Redis cannot be reached. @default a memory bucket */
  readonly fallback?: RateLimiter;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const prefix = options.prefix ?? 'plugboard:rate:';
  const fallback = options.fallback ?? createMemoryRateLimiter();
  let owned: ReturnType<typeof createClient> | undefined;
  let client: RedisScripting;
  let ready: Promise<unknown> = Promise.resolve();
  if (typeof options.redis === 'string') {
    owned = createClient({ url: options.redis, disableOfflineQueue: true });
    // Errors surface as failed reservations (and the fallback); the client reconnects by itself.
    owned.on('error', () => undefined);
    client = owned as unknown as RedisScripting;
    ready = owned.connect().catch(() => undefined);
  } else {
    client = options.redis;
  }
  /** The first calls wait (briefly) for the connection, so that a replica starting up spends the shared budget. */
  const connected = async (): Promise<boolean> => {
    if (!owned || owned.isReady) return true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ready, new Promise((resolve) => (timer = setTimeout(resolve, CONNECT_WAIT_MS)))]);
    clearTimeout(timer);
    return owned.isReady;
  };
  return {
    async reserve(system, limit, maxWaitMs) {
      const { capacity, perMs } = rates(limit);
      try {
        if (!(await connected())) return await fallback.reserve(system, limit, maxWaitMs);
        const reply = await client.eval(TOKEN_BUCKET_SCRIPT, {
          keys: [`${prefix}${system}`],
          arguments: [String(capacity), String(perMs), String(Math.max(0, Math.floor(maxWaitMs))), String(Math.ceil(limit.perSeconds * 2_000))],
        });
        const [granted, wait] = (reply as [number, number]).map(Number) as [number, number];
        return granted === 1 ? { granted: true, waitMs: wait } : { granted: false, retryAfterMs: wait };
      } catch {
        return fallback.reserve(system, limit, maxWaitMs);
      }
    },
    async holdTo(system, limit, tokens) {
      const { capacity, perMs } = rates(limit);
      try {
        if (!(await connected())) return await fallback.holdTo?.(system, limit, tokens);
        await client.eval(HOLD_TO_SCRIPT, {
          keys: [`${prefix}${system}`],
          arguments: [String(capacity), String(perMs), String(Math.max(0, tokens)), String(Math.ceil(limit.perSeconds * 2_000))],
        });
      } catch {
        await fallback.holdTo?.(system, limit, tokens);
      }
    },
    async close() {
      await fallback.close();
      if (owned?.isReady) await owned.close().catch(() => undefined);
      else if (owned?.isOpen) owned.destroy();
    },
  };
}

const CONNECT_WAIT_MS = 1_000;

/** The shared bucket holds no more tokens than the vendor says are left (ARGV[3]). */
export const HOLD_TO_SCRIPT = `${REFILLED_BUCKET}
tokens = math.min(tokens, tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`;

function rates(limit: RateLimit): { capacity: number; perMs: number } {
  return { capacity: limit.requests, perMs: limit.requests / (limit.perSeconds * 1_000) };
}
