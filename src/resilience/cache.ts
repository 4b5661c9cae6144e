import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';

/**
 * The read cache: in memory by default, Redis when a URL is given so that every gateway replica shares it.
 * Values keep their Dates across Redis: they are tagged on the way in and revived on the way out.
 */
export function createReadCache(redisUrl?: string): Keyv {
  if (!redisUrl) return new Keyv({ namespace: 'plugboard', serialize: undefined, deserialize: undefined });
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
