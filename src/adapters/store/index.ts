export { createStoreAdapter } from './store';
export type { StoreAdapterOptions } from './store';
/** Whether a cursor is one this store gave out: the subgraph's edge refuses any other before the store is asked. */
export { readCustomerCursor, readOrderCursor } from './cursor';
