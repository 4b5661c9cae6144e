export { createStoreAdapter } from './store';
export type { StoreAdapterOptions } from './store';
