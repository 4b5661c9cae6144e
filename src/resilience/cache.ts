import Keyv from 'keyv';
import { LRUCache } from 'lru-cache';

/** Entries the in-memory read cache keeps at most (a record and its stale copy are two). */
export const DEFAULT_MAX_ENTRIES = 20_000;

/** One entry to keep, for `ttl` milliseconds. */
export interface CacheEntry {
  readonly key: string;
  readonly value: unknown;
  readonly ttl: number;
}

/** Where the resilience layer keeps system answers and their stale copies. `undefined` means "not there". */
export interface ReadCache {
  get(key: string): Promise<unknown>;
  getMany(keys: readonly string[]): Promise<unknown[]>;
  setMany(entries: readonly CacheEntry[]): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  /**
   * Drops every entry whose key starts with `prefix`, whoever kept it: in Redis, what other replicas (and this
   * process before a restart) cached too. A scan of the cache: for the rare "everything of that operation".
   */
  deleteByPrefix(prefix: string): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * The read cache: in memory by default, Redis when a URL is given so that every gateway replica shares it.
 * Values keep their Dates across Redis: they are tagged on the way in and revived on the way out.
 */
export function createReadCache(redisUrl?: string, maxEntries = DEFAULT_MAX_ENTRIES): ReadCache {
  return redisUrl ? redisReadCache(redisUrl) : memoryReadCache(maxEntries);
}

/**
 * In memory, the least recently used entries go first once there are `maxEntries`: reads of ids that exist nowhere
 * (a crawler, an attacker) must not grow the process without bound. An LRU map of its own, without Keyv in
 * between: Keyv's per-entry bookkeeping cost an uncached orders page 11% of its CPU (paired A/B in one process). An entry expires by the
 * wall clock, as Keyv's do.
 */
function memoryReadCache(maxEntries: number): ReadCache {
  const entries = new LRUCache<string, { readonly value: unknown; readonly expiresAt: number }>({ max: maxEntries });
  const read = (key: string, now: number): unknown => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.value;
    entries.delete(key);
    return undefined;
  };
  return {
    get: async (key) => read(key, Date.now()),
    getMany: async (keys) => {
      // One clock read for the whole batch.
      const now = Date.now();
      return keys.map((key) => read(key, now));
    },
    setMany: async (list) => {
      const now = Date.now();
      for (const { key, value, ttl } of list) entries.set(key, { value, expiresAt: now + ttl });
    },
    deleteMany: async (keys) => {
      for (const key of keys) entries.delete(key);
    },
    deleteByPrefix: async (prefix) => {
      for (const key of [...entries.keys()]) if (key.startsWith(prefix)) entries.delete(key);
    },
    disconnect: async () => entries.clear(),
  };
}

/** Redis through Keyv (its own client is loaded only here). */
function redisReadCache(redisUrl: string): ReadCache {
  const { default: KeyvRedis } = require('@keyv/redis') as typeof import('@keyv/redis');
  const keyv = new Keyv({
    store: new KeyvRedis(redisUrl),
    namespace: 'plugboard',
    serialize: (data) => JSON.stringify(data, dateReplacer),
    deserialize: (text) => JSON.parse(text, dateReviver),
  });
  return {
    get: (key) => keyv.get(key),
    getMany: (keys) => keyv.getMany([...keys]),
    setMany: async (list) => void (await keyv.setMany(list.map(({ key, value, ttl }) => ({ key, value, ttl })))),
    deleteMany: async (keys) => void (await keyv.deleteMany([...keys])),
    deleteByPrefix: async (prefix) => {
      const found: string[] = [];
      for await (const [key] of keyv.iterator!(undefined)) if (typeof key === 'string' && key.startsWith(prefix)) found.push(key);
      if (found.length) await keyv.deleteMany(found);
    },
    disconnect: () => keyv.disconnect(),
  };
}

function dateReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? { $date: raw.toISOString() } : value;
}

function dateReviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && '$date' in value && Object.keys(value).length === 1) {
    return new Date((value as { $date: string }).$date);
  }
  return value;
}
