/**
 * Splits a batch by count and by bytes: at most `maxCount` items, whose sizes (`sizeOf`, plus `separatorBytes`
 * between two) add up to at most `maxBytes`. Batched reads that travel in a URL use it, so that our own request never
 * passes the server's URL limit (a 414 or 431 we caused). An item too large to share a batch goes alone.
 */
export function batchesWithin<T>(items: readonly T[], limits: { maxCount: number; maxBytes: number; separatorBytes: number; sizeOf: (item: T) => number }): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = limits.sizeOf(item);
    if (batch.length && (batch.length >= limits.maxCount || bytes + limits.separatorBytes + size > limits.maxBytes)) {
      batches.push(batch);
      batch = [];
    }
    bytes = batch.length ? bytes + limits.separatorBytes + size : size;
    batch.push(item);
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/** What a URL query value costs once encoded. */
export const encodedBytes = (text: string): number => encodeURIComponent(text).length;
