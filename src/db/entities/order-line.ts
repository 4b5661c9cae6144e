import { Entity, ManyToOne, PrimaryKey, PrimaryKeyProp, Property, type Rel } from '@mikro-orm/core';
import { OrderEntity } from './order';

/** A row of `order_lines`: one SKU of an order, at the unit price the order was placed at. */
@Entity({ tableName: 'order_lines' })
export class OrderLineEntity {
  [PrimaryKeyProp]?: ['order', 'position'];

  @ManyToOne(() => OrderEntity, { primary: true, fieldName: 'order_id', deleteRule: 'cascade' })
  order!: Rel<OrderEntity>;

  /** The line's place in its order, from 0. */
  @PrimaryKey({ type: 'integer' })
  position!: number;

  @Property({ type: 'string', length: 64 })
  sku!: string;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'integer', fieldName: 'unit_price_minor' })
  unitPriceMinor!: number;

  @Property({ type: 'string', length: 3 })
  currency!: string;
}
