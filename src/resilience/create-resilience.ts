import CircuitBreaker from 'opossum';
import { isIntegrationError, type BatchAnswer, type IntegrationError } from '../domain';
import type { CacheEntry, ReadCache } from './cache';
import { createBulkhead, type Bulkhead, type Release } from './bulkhead';
import { callSystem, translate, type CallSite, type Method } from './call';
import { DEFAULT_STALE_TTL_MS, DEFAULT_SYSTEM_POLICY, type OperationPolicies, type OperationPolicy, type RateLimit, type SystemPolicy } from './policy';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter, type RedisScripting } from './rate-limit';
import { currentReadWitness, type ReadWitness } from './read-witness';
import { isStaleCopy, markStale, type StaleCopy } from './stale';

/** What happened on one call to a system, for the integration log, metrics and health. */
export interface CallRecord {
  readonly system: string;
  readonly operation: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly outcome: 'ok' | 'cached' | 'error';
  readonly error?: IntegrationError;
  /** How many keys a batch read asked the system for (after the cache answered what it could). */
  readonly keys?: number;
  /** How many attempts reached for the system (retries of a read included; 0 when none could be made). */
  readonly attempts?: number;
  /** A read (cached, retried, served stale when the system fails) or a write (never retried here). Set by createResilience. */
  readonly kind?: 'read' | 'write';
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A system's policy as configured: any part of it, the breaker's settings one by one. */
export type SystemPolicyOverride = Partial<Omit<SystemPolicy, 'breaker' | 'bulkhead'>> & {
  readonly breaker?: Partial<SystemPolicy['breaker']>;
  readonly bulkhead?: Partial<SystemPolicy['bulkhead']>;
};

export interface ResilienceOptions {
  /** The policy of each system; what is not named (a system, a setting, a breaker setting) is {@link DEFAULT_SYSTEM_POLICY}'s. */
  readonly systems?: Readonly<Record<string, SystemPolicyOverride>>;
  /** The read cache (see createReadCache). Without one nothing is cached and no stale copy is kept. */
  readonly cache?: ReadCache;
  /**
   * Where the rate-limit buckets live: a Redis URL or client, so that every replica spends the vendor's one budget.
   * @default each process keeps its own buckets in memory
   */
  readonly rateLimitRedis?: string | RedisScripting;
  /** Told about every call, after it ends. Must not throw. */
  readonly onCall?: (record: CallRecord) => void;
  /** The source of the retries' jitter, in [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * The budget a system's calls keep to, given the declared one: the maintenance autopilot answers the vendor's
   * announced limit when it is lower, so that the token bucket follows the vendor. @default the declared one
   */
  readonly rateLimitOf?: (system: string, declared: RateLimit | null) => RateLimit | null;
}

export interface Resilience extends AsyncDisposable {
  /**
   * Wraps every method of a port: cache and stale-if-error (reads), rate limit, breaker, timeout with a per-attempt
   * AbortSignal, retries (reads only), and error translation (anything that is not an IntegrationError becomes
   * UPSTREAM_UNAVAILABLE naming the system).
   */
  wrap<Port extends object>(system: string, port: Port, operations: OperationPolicies<Port>): Port;
  /** Drops cached reads of a system's operation, for the keys given (all keys when none are); stale copies stay. */
  invalidate(system: string, operation: string, keys?: readonly string[]): Promise<void>;
  /** The vendor said only `tokens` calls are left in its window: the system's bucket holds no more (no-op without a rate limit). */
  holdRateLimit(system: string, tokens: number): Promise<void>;
  /**
   * Calls `listener` on every {@link invalidate} (what was cached from those reads no longer holds: the gateway's
   * response cache ends the answers made from them). Answers the function that stops it.
   */
  onInvalidate(listener: (system: string, operation: string) => void): () => void;
  /**
   * Calls `listener` as each call to a system starts, in the call's async context (`onCall` hears of its end): what
   * is still running for a request once its answer is sent (a background check) can be told. Answers the function
   * that stops it.
   */
  onCallStart(listener: (system: string, kind: 'read' | 'write') => void): () => void;
  breakerStates(): ReadonlyArray<{ system: string; operation: string; state: BreakerState }>;
  /**
   * Calls to the wrapped ports asked and not yet settled, counted from the moment they are asked (before a cache
   * lookup): 0 once what a request started in the background (the source-of-truth's follower checks) is done.
   */
  callsRunning(): number;
  close(): Promise<void>;
}

type Breaker = CircuitBreaker<[() => Promise<unknown>], unknown>;
interface BreakerEntry {
  readonly system: string;
  readonly operation: string;
  readonly breaker: Breaker;
  readonly halfOpensInMs: () => number;
}

/**
 * The one place every adapter call goes through. Reads may be cached, are retried within their time budget, and fall
 * back to a stale copy when the system fails (the answer's `stale` field says which records, and as of when); writes
 * are never retried here: they go to the outbox with an idempotency key, like RemoteGraphQLDataSource's `retry: false`.
 */
export function createResilience(options: ResilienceOptions = {}): Resilience {
  const breakers = new Map<string, BreakerEntry>();
  const invalidationListeners = new Set<(system: string, operation: string) => void>();
  const startListeners = new Set<(system: string, kind: 'read' | 'write') => void>();
  const limiter: RateLimiter = options.rateLimitRedis
    ? createRedisRateLimiter({ redis: options.rateLimitRedis })
    : createMemoryRateLimiter();
  const random = options.random ?? Math.random;
  // Made once per system, not on every call (the options are fixed once given).
  const policies = new Map<string, SystemPolicy>();
  const policyOf = (system: string): SystemPolicy => {
    let policy = policies.get(system);
    if (!policy) {
      const given = options.systems?.[system];
      policy = {
        ...DEFAULT_SYSTEM_POLICY,
        ...given,
        breaker: { ...DEFAULT_SYSTEM_POLICY.breaker, ...given?.breaker },
        bulkhead: { ...DEFAULT_SYSTEM_POLICY.bulkhead, ...given?.bulkhead },
      };
      policies.set(system, policy);
    }
    return policy;
  };
  // One bulkhead per system, shared by all its operations: they share its sockets and its capacity.
  const bulkheads = new Map<string, Bulkhead>();
  const bulkheadFor = (system: string): Bulkhead => {
    let bulkhead = bulkheads.get(system);
    if (!bulkhead) bulkheads.set(system, (bulkhead = createBulkhead(system, policyOf(system).bulkhead)));
    return bulkhead;
  };

  const breakerFor = (system: string, operation: string): BreakerEntry => {
    const name = `${system}.${operation}`;
    let entry = breakers.get(name);
    if (!entry) {
      const { breaker: policy } = policyOf(system);
      const breaker = new CircuitBreaker((run: () => Promise<unknown>) => run(), {
        name,
        timeout: false,
        errorThresholdPercentage: policy.errorThresholdPercentage,
        volumeThreshold: policy.volumeThreshold,
        resetTimeout: policy.resetTimeoutMs,
        rollingCountTimeout: policy.rollingWindowMs,
        // A system that answered "no" is healthy: only failures that say something about its health count.
        errorFilter: (error: unknown) => isIntegrationError(error) && !error.countsAgainstHealth,
      });
      const opened = { at: 0 };
      breaker.on('open', () => (opened.at = Date.now()));
      entry = { system, operation, breaker, halfOpensInMs: () => (breaker.opened ? Math.max(0, opened.at + policy.resetTimeoutMs - Date.now()) : 0) };
      breakers.set(name, entry);
    }
    return entry;
  };

  /** One observed call: the integration log hears of it once, however many attempts it took. */
  const call = async (system: string, operation: string, retry: boolean, method: Method, input: unknown, signal: AbortSignal | undefined, keys?: number) => {
    const { breaker, halfOpensInMs } = breakerFor(system, operation);
    const declared = policyOf(system);
    const rateLimit = options.rateLimitOf ? options.rateLimitOf(system, declared.rateLimit) : declared.rateLimit;
    const policy = rateLimit === declared.rateLimit ? declared : { ...declared, rateLimit };
    const site: CallSite = { system, operation, policy, breaker, halfOpensInMs, limiter, retry, random };
    const cost = { attempts: 0 };
    const startedAt = new Date();
    const started = performance.now();
    const kind = retry ? 'read' : 'write';
    for (const listener of startListeners) listener(system, kind);
    let release: Release | undefined;
    try {
      // The time a call waits for its place is ours, not the system's: its budget starts once it has one.
      release = await bulkheadFor(system).acquire(signal);
      const result = await callSystem(site, method, input, signal, cost);
      options.onCall?.({ system, operation, startedAt, durationMs: performance.now() - started, outcome: 'ok', keys, attempts: cost.attempts, kind });
      return result;
    } catch (error) {
      const failure = translate(system, operation, error);
      options.onCall?.({ system, operation, startedAt, durationMs: performance.now() - started, outcome: 'error', error: failure, keys, attempts: cost.attempts, kind });
      throw failure;
    } finally {
      release?.();
    }
  };

  const freshKey = (system: string, operation: string, key: string) => `${system}:${operation}:${key}`;
  const staleKey = (system: string, operation: string, key: string) => `stale:${system}:${operation}:${key}`;

  /**
   * Keeps what the system answered: fresh for ttl, and a stale copy for staleTtl. Keys a batch read asked for and the
   * system has no record of are kept as {@link ABSENT} for ttl, so that the same question is not asked again within it
   * (a courier asked for a page of orders knows only its own shipments); absence has no stale copy.
   */
  const keep = async (
    cache: ReadCache,
    system: string,
    operation: string,
    entries: readonly (readonly [string, unknown])[],
    policy: CachePolicy,
    absent: readonly string[] = [],
  ) => {
    const { ttl, staleTtl } = policy;
    if (ttl <= 0 && staleTtl <= 0) return;
    const at = Date.now();
    // One list, filled in place (no intermediate arrays per kind of entry).
    const list: CacheEntry[] = [];
    if (ttl > 0) {
      const group = freshKey(system, operation, '');
      for (const [key, value] of entries) list.push({ key: freshKey(system, operation, key), value, ttl, group });
      for (const key of absent) list.push({ key: freshKey(system, operation, key), value: ABSENT, ttl, group });
    }
    if (staleTtl > 0) {
      const group = staleKey(system, operation, '');
      for (const [key, value] of entries) list.push({ key: staleKey(system, operation, key), value: { value, at } satisfies StaleCopy, ttl: staleTtl, group });
    }
    await cache.setMany(list);
  };

  /** Stale copies of the keys, when the failure is one a stale copy may stand in for. */
  const staleCopies = async (cache: ReadCache, system: string, operation: string, keys: readonly string[], failure: unknown, staleTtl: number) => {
    const copies = new Map<string, StaleCopy>();
    // A refusal is about the request, not the system's health: an old answer would hide it.
    if (staleTtl <= 0 || (isIntegrationError(failure) && failure.code === 'UPSTREAM_REJECTED')) return copies;
    const found = await cache.getMany(keys.map((key) => staleKey(system, operation, key))).catch(() => []);
    keys.forEach((key, index) => {
      const copy: unknown = found[index];
      if (isStaleCopy(copy)) copies.set(key, copy);
    });
    return copies;
  };

  const wrapBatchRead = (system: string, operation: string, method: Method, policy: CachePolicy): Method => {
    const cache = options.cache;
    const { ttl, staleTtl } = policy;
    if (!cache || (ttl <= 0 && staleTtl <= 0)) {
      return (keys, callOptions) => {
        const witness = currentReadWitness();
        const fetched = call(system, operation, true, method, keys, callOptions?.signal, (keys as readonly string[]).length);
        if (!witness) return fetched;
        return fetched.then((found) => {
          tellFetched(witness, system, operation, (found as ReadonlyMap<string, unknown>).keys());
          return found;
        });
      };
    }
    return async (input, callOptions) => {
      const keys = input as readonly string[];
      // A request asking for lineage is told where each record came from; any other pays this lookup only.
      const witness = currentReadWitness();
      const found = new Map<string, unknown>();
      const missing: string[] = [];
      if (ttl > 0) {
        const cached = await cache.getMany(keys.map((key) => freshKey(system, operation, key)));
        keys.forEach((key, index) => {
          const hit = cached[index];
          if (hit === undefined) missing.push(key);
          else if (!isAbsent(hit)) found.set(key, hit);
        });
      } else {
        missing.push(...keys);
      }
      if (witness && found.size) await tellCached(witness, cache, system, operation, [...found.keys()]);
      if (missing.length === 0) {
        options.onCall?.({ system, operation, startedAt: new Date(), durationMs: 0, outcome: 'cached', keys: 0, kind: 'read' });
        return found;
      }
      let fetched: ReadonlyMap<string, unknown>;
      try {
        fetched = (await call(system, operation, true, method, missing, callOptions?.signal, missing.length)) as ReadonlyMap<string, unknown>;
      } catch (error) {
        // Stale-if-error: what the system answered before stands in, marked with when it was read.
        const copies = await staleCopies(cache, system, operation, missing, error, staleTtl);
        const asOf = new Map<string, Date>();
        for (const [key, copy] of copies) {
          found.set(key, copy.value);
          asOf.set(key, new Date(copy.at));
          witness?.saw({ system, operation, key, fetchedAt: new Date(copy.at), fromCache: true, stale: true });
        }
        const answer: BatchAnswer<unknown> = asOf.size ? markStale(found, { system, operation, asOf }) : found;
        if (copies.size === missing.length) return answer;
        // What the caches hold is still good: the caller may serve it and fail only the keys the system owed.
        throw found.size && isIntegrationError(error) ? error.withCachedPart(answer) : error;
      }
      const entries = [...fetched.entries()];
      await keep(cache, system, operation, entries, policy, missing.filter((key) => !fetched.has(key)));
      for (const [key, value] of entries) found.set(key, value);
      if (witness) tellFetched(witness, system, operation, fetched.keys());
      return found;
    };
  };

  /**
   * Tells a lineage witness the records served from the fresh cache, each as of when the system answered it: the
   * stale copy written beside every fresh one keeps that moment (read only for a request that asked).
   */
  const tellCached = async (witness: ReadWitness, cache: ReadCache, system: string, operation: string, keys: readonly string[]) => {
    const copies = await cache.getMany(keys.map((key) => staleKey(system, operation, key))).catch(() => []);
    keys.forEach((key, index) => {
      const copy: unknown = copies[index];
      const fetchedAt = isStaleCopy(copy) ? new Date(copy.at) : new Date();
      witness.saw({ system, operation, key, fetchedAt, fromCache: true, stale: false });
    });
  };

  const wrapRead = (system: string, operation: string, method: Method, policy: CachePolicy): Method => {
    const cache = options.cache;
    const { ttl, staleTtl } = policy;
    return async (input, callOptions) => {
      const key = JSON.stringify(input);
      const witness = currentReadWitness();
      if (cache && ttl > 0) {
        const hit = await cache.get(freshKey(system, operation, key));
        if (hit !== undefined) {
          options.onCall?.({ system, operation, startedAt: new Date(), durationMs: 0, outcome: 'cached', kind: 'read' });
          if (witness) await tellCached(witness, cache, system, operation, [key]);
          return hit;
        }
      }
      let result: unknown;
      try {
        result = await call(system, operation, true, method, input, callOptions?.signal);
      } catch (error) {
        const copy = cache ? (await staleCopies(cache, system, operation, [key], error, staleTtl)).get(key) : undefined;
        // Only an object can carry the mark: a copy of it is marked, never the cached original.
        if (copy?.value === null || typeof copy?.value !== 'object') throw error;
        const value = Array.isArray(copy.value) ? [...(copy.value as unknown[])] : { ...(copy.value as object) };
        witness?.saw({ system, operation, key, fetchedAt: new Date(copy.at), fromCache: true, stale: true });
        return markStale(value, { system, operation, asOf: new Map([[key, new Date(copy.at)]]) });
      }
      if (cache) await keep(cache, system, operation, [[key, result]], policy);
      witness?.saw({ system, operation, key, fetchedAt: new Date(), fromCache: false, stale: false });
      return result;
    };
  };

  const wrapOne = (system: string, operation: string, method: Method, policy: OperationPolicy): Method => {
    switch (policy.kind) {
      case 'batch-read':
        return wrapBatchRead(system, operation, method, cachePolicyOf(policy));
      case 'read':
        return wrapRead(system, operation, method, cachePolicyOf(policy));
      case 'write':
        return (input, callOptions) => call(system, operation, false, method, input, callOptions?.signal);
      default: {
        const unreachable: never = policy;
        throw new Error(`unknown operation policy ${JSON.stringify(unreachable)}`);
      }
    }
  };

  /** Calls to wrapped methods asked and not yet settled (cache lookups included). */
  let running = 0;

  const close = async (): Promise<void> => {
    for (const { breaker } of breakers.values()) breaker.shutdown();
    breakers.clear();
    await limiter.close();
  };

  return {
    wrap(system, port, operations) {
      const wrapped: Record<string, unknown> = {};
      for (const [operation, policy] of Object.entries(operations) as [string, OperationPolicy][]) {
        const method = (port as Record<string, unknown>)[operation];
        if (typeof method !== 'function') throw new Error(`${system}: the port has no method ${operation}`);
        const guarded = wrapOne(system, operation, (method as Method).bind(port), policy);
        // Counted from the moment it is asked, before any cache lookup: see callsRunning.
        wrapped[operation] = ((input, callOptions) => {
          running += 1;
          return guarded(input, callOptions).finally(() => {
            running -= 1;
          });
        }) satisfies Method;
      }
      // Non-method members (e.g. a courier's `carrier`) pass through; methods without a policy cannot.
      return new Proxy(port, {
        get: (target, property, receiver) =>
          typeof property === 'string' && property in wrapped ? wrapped[property] : Reflect.get(target, property, receiver),
      });
    },
    async invalidate(system, operation, keys) {
      for (const listener of invalidationListeners) listener(system, operation);
      const cache = options.cache;
      if (!cache) return;
      if (keys) {
        await cache.deleteMany(keys.map((key) => freshKey(system, operation, key)));
      } else {
        // Every key, including those other replicas cached (a shared Redis) that this process never saw.
        await cache.deleteByPrefix(freshKey(system, operation, ''));
      }
      // Again once they are gone: what read them between the first telling and now read the old copies.
      for (const listener of invalidationListeners) listener(system, operation);
    },
    callsRunning: () => running,
    onInvalidate(listener) {
      invalidationListeners.add(listener);
      return () => void invalidationListeners.delete(listener);
    },
    onCallStart(listener) {
      startListeners.add(listener);
      return () => void startListeners.delete(listener);
    },
    async holdRateLimit(system, tokens) {
      const declared = policyOf(system).rateLimit;
      const limit = options.rateLimitOf ? options.rateLimitOf(system, declared) : declared;
      if (limit) await limiter.holdTo?.(system, limit, tokens);
    },
    breakerStates() {
      return [...breakers.values()].map(({ system, operation, breaker }) => ({
        system,
        operation,
        state: breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed',
      }));
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * What the read cache keeps for a key the system said it has no record of. A plain object, so that it survives the
 * trip through Redis; no system's record has this shape.
 */
const ABSENT = { 'plugboard.absent': true } as const;

function isAbsent(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as Record<string, unknown>)['plugboard.absent'] === true;
}

interface CachePolicy {
  readonly ttl: number;
  readonly staleTtl: number;
}

function cachePolicyOf(policy: { readonly cacheTtlMs?: number; readonly staleTtlMs?: number }): CachePolicy {
  const ttl = policy.cacheTtlMs ?? 0;
  return { ttl, staleTtl: policy.staleTtlMs ?? (ttl > 0 ? DEFAULT_STALE_TTL_MS : 0) };
}

/** The records a failed batch read could still answer from the cache (keys absent from it failed). */
export function cachedPartOf(error: unknown): BatchAnswer<unknown> | undefined {
  return isIntegrationError(error) ? error.cachedPart : undefined;
}

/** Tells a lineage witness the records a call made now answered. */
function tellFetched(witness: ReadWitness, system: string, operation: string, keys: Iterable<string>): void {
  const fetchedAt = new Date();
  for (const key of keys) witness.saw({ system, operation, key, fetchedAt, fromCache: false, stale: false });
}
