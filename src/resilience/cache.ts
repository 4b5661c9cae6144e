import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
import { LRUCache } from 'lru-cache';

/** Entries the in-memory read cache keeps at most (a record and its stale copy are two). */
export const DEFAULT_MAX_ENTRIES = 20_000;

/**
 * The read cache: in memory by default, Redis when a URL is given so that every gateway replica shares it.
 * Values keep their Dates across Redis: they are tagged on the way in and revived on the way out.
 */
export function createReadCache(redisUrl?: string, maxEntries = DEFAULT_MAX_ENTRIES): Keyv {
  // In memory, the least recently used entries go first once there are `maxEntries`: reads of ids that exist nowhere
  // (a crawler, an attacker) must not grow the process without bound. Redis bounds itself (maxmemory policy).
  if (!redisUrl) return new Keyv({ store: new LRUCache<string, unknown & {}>({ max: maxEntries }), namespace: 'plugboard', serialize: undefined, deserialize: undefined });
  return new Keyv({
    store: new KeyvRedis(redisUrl),
    namespace: 'plugboard',
    serialize: (data) => JSON.stringify(data, dateReplacer),
    deserialize: (text) => JSON.parse(text, dateReviver),
  });
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
