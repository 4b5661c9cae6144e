import CircuitBreaker from 'opossum';
import type Keyv from 'keyv';
import { IntegrationError, isIntegrationError, type CallOptions } from '../domain';
import { DEFAULT_SYSTEM_POLICY, type OperationPolicies, type OperationPolicy, type SystemPolicy } from './policy';

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
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface ResilienceOptions {
  /** The policy of each system; systems not named get {@link DEFAULT_SYSTEM_POLICY}. */
  readonly systems?: Readonly<Record<string, Partial<SystemPolicy>>>;
  /** The read cache (see createReadCache). Without one nothing is cached. */
  readonly cache?: Keyv;
  /** Told about every call, after it ends. Must not throw. */
  readonly onCall?: (record: CallRecord) => void;
}

export interface Resilience extends AsyncDisposable {
  /**
   * Wraps every method of a port: cache (reads), breaker, timeout with a per-call AbortSignal, and error
   * translation (anything that is not an IntegrationError becomes UPSTREAM_UNAVAILABLE naming the system).
   */
  wrap<Port extends object>(system: string, port: Port, operations: OperationPolicies<Port>): Port;
  /** Drops cached reads of a system's operation, for the keys given (all keys when none are). */
  invalidate(system: string, operation: string, keys?: readonly string[]): Promise<void>;
  breakerStates(): ReadonlyArray<{ system: string; operation: string; state: BreakerState }>;
  close(): Promise<void>;
}

type Method = (input: unknown, options?: CallOptions) => Promise<unknown>;

/**
 * The one place every adapter call goes through. Reads may be cached; writes are never retried here: they go to
 * the outbox with an idempotency key (a later issue), like RemoteGraphQLDataSource's `retry: false`.
 */
export function createResilience(options: ResilienceOptions = {}): Resilience {
  const breakers = new Map<string, { system: string; operation: string; breaker: CircuitBreaker<[() => Promise<unknown>], unknown> }>();
  const cachedKeys = new Map<string, Set<string>>();
  const policyOf = (system: string): SystemPolicy => {
    const given = options.systems?.[system];
    return { ...DEFAULT_SYSTEM_POLICY, ...given, breaker: { ...DEFAULT_SYSTEM_POLICY.breaker, ...given?.breaker } };
  };

  const breakerFor = (system: string, operation: string) => {
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
      entry = { system, operation, breaker };
      breakers.set(name, entry);
    }
    return entry.breaker;
  };

  const attempt = async (system: string, operation: string, method: Method, input: unknown, outer?: AbortSignal) => {
    const { timeoutMs } = policyOf(system);
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new IntegrationError('UPSTREAM_TIMEOUT', `${system} ${operation}: no answer within ${timeoutMs} ms`, {
          system,
          operation,
          reason: `no answer within ${timeoutMs} ms`,
        }));
      }, timeoutMs);
    });
    try {
      return await breakerFor(system, operation).fire(() => Promise.race([method(input, { signal: controller.signal }), timedOut]));
    } catch (error) {
      throw translate(system, operation, error);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  };

  const observe = async <T>(system: string, operation: string, keys: number | undefined, run: () => Promise<T>): Promise<T> => {
    const startedAt = new Date();
    const started = performance.now();
    try {
      const result = await run();
      options.onCall?.({ system, operation, startedAt, durationMs: performance.now() - started, outcome: 'ok', keys });
      return result;
    } catch (error) {
      const failure = translate(system, operation, error);
      options.onCall?.({ system, operation, startedAt, durationMs: performance.now() - started, outcome: 'error', error: failure, keys });
      throw failure;
    }
  };

  const cacheKey = (system: string, operation: string, key: string) => `${system}:${operation}:${key}`;
  const remember = (system: string, operation: string, key: string) => {
    const name = `${system}:${operation}`;
    let keys = cachedKeys.get(name);
    if (!keys) cachedKeys.set(name, (keys = new Set()));
    keys.add(key);
  };

  const wrapBatchRead = (system: string, operation: string, method: Method, ttl: number): Method => {
    const cache = options.cache;
    if (!cache || ttl <= 0) {
      return (keys, callOptions) =>
        observe(system, operation, (keys as readonly string[]).length, () =>
          attempt(system, operation, method, keys, callOptions?.signal),
        );
    }
    return async (input, callOptions) => {
      const keys = input as readonly string[];
      const found = new Map<string, unknown>();
      const cached = await cache.getMany(keys.map((key) => cacheKey(system, operation, key)));
      const missing: string[] = [];
      keys.forEach((key, index) => (cached[index] === undefined ? missing.push(key) : found.set(key, cached[index])));
      if (missing.length === 0) {
        options.onCall?.({ system, operation, startedAt: new Date(), durationMs: 0, outcome: 'cached', keys: 0 });
        return found;
      }
      let fetched: ReadonlyMap<string, unknown>;
      try {
        fetched = (await observe(system, operation, missing.length, () =>
          attempt(system, operation, method, missing, callOptions?.signal),
        )) as ReadonlyMap<string, unknown>;
      } catch (error) {
        // What the cache holds is still good: the caller may serve it and fail only the keys the system owed.
        throw found.size ? withCachedPart(error as IntegrationError, found) : error;
      }
      const entries = [...fetched.entries()];
      await cache.setMany(entries.map(([key, value]) => ({ key: cacheKey(system, operation, key), value, ttl })));
      for (const [key, value] of entries) {
        found.set(key, value);
        remember(system, operation, key);
      }
      return found;
    };
  };

  const wrapRead = (system: string, operation: string, method: Method, ttl: number): Method => {
    const cache = options.cache;
    return async (input, callOptions) => {
      const key = cacheKey(system, operation, JSON.stringify(input));
      if (cache && ttl > 0) {
        const hit = await cache.get(key);
        if (hit !== undefined) return hit;
      }
      const result = await observe(system, operation, undefined, () => attempt(system, operation, method, input, callOptions?.signal));
      if (cache && ttl > 0) {
        await cache.set(key, result, ttl);
        remember(system, operation, JSON.stringify(input));
      }
      return result;
    };
  };

  const wrapOne = (system: string, operation: string, method: Method, policy: OperationPolicy): Method => {
    switch (policy.kind) {
      case 'batch-read':
        return wrapBatchRead(system, operation, method, policy.cacheTtlMs ?? 0);
      case 'read':
        return wrapRead(system, operation, method, policy.cacheTtlMs ?? 0);
      case 'write':
        return (input, callOptions) =>
          observe(system, operation, undefined, () => attempt(system, operation, method, input, callOptions?.signal));
      default: {
        const unreachable: never = policy;
        throw new Error(`unknown operation policy ${JSON.stringify(unreachable)}`);
      }
    }
  };

  const close = async (): Promise<void> => {
    for (const { breaker } of breakers.values()) breaker.shutdown();
    breakers.clear();
  };

  return {
    wrap(system, port, operations) {
      const wrapped: Record<string, unknown> = {};
      for (const [operation, policy] of Object.entries(operations) as [string, OperationPolicy][]) {
        const method = (port as Record<string, unknown>)[operation];
        if (typeof method !== 'function') throw new Error(`${system}: the port has no method ${operation}`);
        wrapped[operation] = wrapOne(system, operation, (method as Method).bind(port), policy);
      }
      // Non-method members (e.g. a courier's `carrier`) pass through; methods without a policy cannot.
      return new Proxy(port, {
        get: (target, property, receiver) =>
          typeof property === 'string' && property in wrapped ? wrapped[property] : Reflect.get(target, property, receiver),
      });
    },
    async invalidate(system, operation, keys) {
      const cache = options.cache;
      if (!cache) return;
      const known = cachedKeys.get(`${system}:${operation}`);
      const targets = keys ?? [...(known ?? [])];
      await cache.deleteMany(targets.map((key) => cacheKey(system, operation, key)));
      for (const key of targets) known?.delete(key);
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

const CACHED_PART = Symbol('cached part of a failed batch read');

function withCachedPart(error: IntegrationError, found: ReadonlyMap<string, unknown>): IntegrationError {
  return Object.assign(error, { [CACHED_PART]: found });
}

/** The records a failed batch read could still answer from the cache (keys absent from it failed). */
export function cachedPartOf(error: unknown): ReadonlyMap<string, unknown> | undefined {
  return (error as { [CACHED_PART]?: ReadonlyMap<string, unknown> } | null)?.[CACHED_PART];
}

function translate(system: string, operation: string, error: unknown): IntegrationError {
  if (isIntegrationError(error)) return error;
  if ((error as { code?: string } | null)?.code === 'EOPENBREAKER') {
    return new IntegrationError('CIRCUIT_OPEN', `${system} ${operation}: breaker open, call not attempted`, {
      system,
      operation,
      reason: 'breaker open after repeated failures',
    });
  }
  return new IntegrationError('UPSTREAM_UNAVAILABLE', `${system} ${operation}: failed unexpectedly`, {
    system,
    operation,
    reason: 'failed unexpectedly',
    cause: error,
  });
}
