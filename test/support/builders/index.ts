export { aCustomer, CustomerBuilder } from './customer';
export { anOrder, anItem, OrderBuilder, ItemBuilder } from './order';
export { aMatrix, MatrixBuilder } from './matrix';
export { anOfficeAddress } from './address';
