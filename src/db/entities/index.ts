import { CustomerEntity } from './customer';
import { OrderEntity } from './order';
import { OrderLineEntity } from './order-line';

export { CustomerEntity, OrderEntity, OrderLineEntity };

/**
 * Every entity of our database, given to MikroORM explicitly (no folder discovery). A new table is one file in this
 * folder plus one entry here, then `node -r @swc-node/register src/db/create-migration.ts`.
 */
export const ENTITIES = [CustomerEntity, OrderEntity, OrderLineEntity] as const;
