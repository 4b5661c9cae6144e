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

/**
 * The batch limit of a system with no batch read by ids (courier A; courier B for what its lists leave unknown): N
 * orders are N reads, one order at a time, at most `concurrency` at once, so that a page costs N reads over a bounded
 * number of connections rather than N at the same instant. The answers keep the order of `orderIds`; the first failure fails the batch.
 */
export async function readEachOrder<T>(
  orderIds: readonly string[],
  concurrency: number,
  read: (orderId: string) => Promise<T>,
): Promise<T[]> {
  const answers: T[] = new Array<T>(orderIds.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    // After a failure no further order is asked: the batch has failed already.
    while (next < orderIds.length && !failed) {
      const index = next;
      next += 1;
      answers[index] = await read(orderIds[index]!).catch((error: unknown) => {
        failed = true;
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), orderIds.length) }, worker));
  return answers;
}
