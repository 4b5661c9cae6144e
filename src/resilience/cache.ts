import Keyv from 'keyv';
import { LRUCache } from 'lru-cache';

/** Entries the in-memory read cache keeps at most (a record and its stale copy are two). */
export const DEFAULT_MAX_ENTRIES = 20_000;

/** One entry to keep, for `ttl` milliseconds. */
export interface CacheEntry {
  readonly key: string;
  readonly value: unknown;
  readonly ttl: number;
  /**
   * A prefix of `key` that the entry is dropped by (its system and operation): the in-memory cache keeps its keys by
   * it, so that `deleteByPrefix(group)` reads only those. @default none: a prefix scan reads the entry
   */
  readonly group?: string;
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
  return redisUrl ? redisReadCache(redisUrl) : createMemoryReadCache(maxEntries);
}

/**
 * In memory, the least recently used entries go first once there are `maxEntries`: reads of ids that exist nowhere
 * (a crawler, an attacker) must not grow the process without bound. An LRU map of its own, without Keyv in
 * between: Keyv's per-entry bookkeeping cost an uncached orders page 11% of its CPU (paired A/B in one process). An
 * entry expires by the wall clock, as Keyv's do.
 *
 * Keys are also kept by their entry's group (its system and operation), so that dropping every key of an operation
 * (a system's webhook, `invalidate` without keys) reads that operation's keys, not every key kept: with
 * the cache full, a scan read and copied 20,000 keys for each such drop.
 */
export function createMemoryReadCache(maxEntries = DEFAULT_MAX_ENTRIES): ReadCache & {
  /** Keys held in the index by group: as many as the entries kept (a key that left no longer counts). */
  indexedKeys(): number;
} {
  interface Kept {
    readonly value: unknown;
    readonly expiresAt: number;
    /** A prefix of its key ('' when the entry named none or one that is not). */
    readonly group: string;
  }
  const groups = new Map<string, Set<string>>();
  const entries = new LRUCache<string, Kept>({
    max: maxEntries,
    // Every way an entry leaves (evicted, deleted, expired, overwritten, cleared) takes its key out of its group.
    dispose: (kept, key) => {
      const keys = groups.get(kept.group);
      keys?.delete(key);
      if (keys?.size === 0) groups.delete(kept.group);
    },
  });
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
      for (const { key, value, ttl, group: named } of list) {
        const group = named !== undefined && key.startsWith(named) ? named : '';
        entries.set(key, { value, expiresAt: now + ttl, group });
        let keys = groups.get(group);
        if (!keys) groups.set(group, (keys = new Set()));
        keys.add(key);
      }
    },
    deleteMany: async (keys) => {
      for (const key of keys) entries.delete(key);
    },
    deleteByPrefix: async (prefix) => {
      // Every key starts with its group: a group that starts with the prefix goes whole, one that the prefix starts
      // with is read key by key, and no key of any other group can start with the prefix.
      for (const [group, keys] of [...groups]) {
        if (group.startsWith(prefix)) for (const key of [...keys]) entries.delete(key);
        else if (prefix.startsWith(group)) for (const key of [...keys]) if (key.startsWith(prefix)) entries.delete(key);
      }
    },
    disconnect: async () => {
      entries.clear();
      groups.clear();
    },
    indexedKeys: () => [...groups.values()].reduce((sum, keys) => sum + keys.size, 0),
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
