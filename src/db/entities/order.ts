import {
  BigIntType,
  Collection,
  Entity,
  Index,
  ManyToOne,
  OneToMany,
  PrimaryKey,
  Property,
  type Rel,
} from '@mikro-orm/core';
import type { OrderStatus } from '../../domain';
import { CustomerEntity } from './customer';
import { OrderLineEntity } from './order-line';

/** A row of `orders`: an order as the new site holds it (the ERP co-owns orders). */
@Entity({ tableName: 'orders' })
@Index({ name: 'orders_placed_at_index', properties: ['placedAt', 'id'] })
@Index({ name: 'orders_customer_placed_at_index', properties: ['customer', 'placedAt', 'id'] })
export class OrderEntity {
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 64, unique: 'orders_number_unique' })
  number!: string;

  @ManyToOne(() => CustomerEntity, { fieldName: 'customer_id', index: false })
  customer!: Rel<CustomerEntity>;

  /**
   * One of ORDER_STATUSES. A plain string column, not @Enum: MikroORM 6.6 misreads SQLite's enum check constraint
   * when it diffs, so every generated migration would rebuild the table. Reads validate it.
   */
  @Property({ type: 'string', length: 16 })
  status!: OrderStatus;

  @Property({ type: 'datetime', fieldName: 'placed_at' })
  placedAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at' })
  updatedAt!: Date;

  /** In minor units: a bigint column, read back as a JS number (totals stay far below 2^53). */
  @Property({ type: new BigIntType('number'), fieldName: 'total_minor' })
  totalMinor!: number;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @OneToMany(() => OrderLineEntity, (line) => line.order, { orderBy: { position: 'asc' } })
  lines = new Collection<OrderLineEntity>(this);
}
