import DataLoader from 'dataloader';
import type { BatchRead } from '../../src/domain';
import { cachedPartOf } from '../../src/resilience';

/**
 * A per-request DataLoader over a port's batch read: every key asked for in one tick of a request becomes one call
 * to the system (one call per system per level of a query, never N+1). A missing key loads as null.
 */
export function loaderOf<T>(read: BatchRead<T>, maxBatchSize = 500): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (keys) => {
      try {
        const found = await read(keys);
        return keys.map((key) => found.get(key) ?? null);
      } catch (error) {
        // A failed batch costs only the keys the system owed: what the cache held is still served.
        const cached = cachedPartOf(error);
        if (!cached) throw error;
        return keys.map((key) => (cached.has(key) ? (cached.get(key) as T) : (error as Error)));
      }
    },
    { maxBatchSize },
  );
}
