import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** A row of `customers`: the customer profile, which the new site owns. */
@Entity({ tableName: 'customers' })
export class CustomerEntity {
  [OptionalProps]?: 'phone' | 'shippingAddress' | 'paymentCustomerId';

  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 320, unique: 'customers_email_unique' })
  email!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  phone: string | null = null;

  /** The delivery address on file, as JSON (src/db/address-column.ts); null: none. */
  @Property({ type: 'text', fieldName: 'shipping_address', nullable: true })
  shippingAddress: string | null = null;

  /** The payment gateway's customer id kept for this customer; null: none yet. */
  @Property({ type: 'string', length: 255, fieldName: 'payment_customer_id', nullable: true })
  paymentCustomerId: string | null = null;

  @Property({ type: 'datetime', fieldName: 'created_at' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at' })
  updatedAt!: Date;
}
