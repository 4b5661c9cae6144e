/**
 * For a courier whose API has no batch read by ids (ShipEngine): a batch of orders read one order at a time, at most
 * `concurrency` at once, so that a page of N orders costs N reads spread over a bounded number of connections rather
 * than N at the same instant. The answers keep the order of `orderIds`; the first failure fails the batch.
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
