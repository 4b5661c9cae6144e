export { generateEstate, DEFAULT_ESTATE_SEED, DEFAULT_ESTATE_SIZE, customerId, orderId, skuOf } from './estate';
export type { EstateSeed, EstateSize } from './estate';
