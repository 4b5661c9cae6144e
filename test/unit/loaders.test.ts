import { loaderOf } from '../../subgraphs/kit';
import type { BatchRead } from '../../src/domain';

/**
 * A subgraph's loader makes every key asked in one tick one call to the port, however many: the adapter splits a
 * batch by its vendor's published limit, not the loader (issue 19: a page of 500 orders asks the ERP for 529 items).
 */
describe('loaderOf', () => {
  it('asks the port once for all the keys of a tick, past 500 of them', async () => {
    const batches: number[] = [];
    const read: BatchRead<{ sku: string }> = async (skus) => {
      batches.push(skus.length);
      return new Map(skus.map((sku) => [sku, { sku }]));
    };
    const loader = loaderOf(read);
    const skus = Array.from({ length: 1029 }, (_, index) => `SKU-${index}`);
    const items = await Promise.all(skus.map((sku) => loader.load(sku)));
    expect(batches).toEqual([1029]);
    expect(items.map((item) => item?.sku)).toEqual(skus);
  });

  it('still takes a cap when one is given', async () => {
    const batches: number[] = [];
    const read: BatchRead<{ sku: string }> = async (skus) => {
      batches.push(skus.length);
      return new Map(skus.map((sku) => [sku, { sku }]));
    };
    const loader = loaderOf(read, { maxBatchSize: 100 });
    await Promise.all(Array.from({ length: 250 }, (_, index) => loader.load(`SKU-${index}`)));
    expect(batches).toEqual([100, 100, 50]);
  });
});
