import type { EntityData } from '@mikro-orm/core';
import type { EstateSeed } from '../systems/kit/seed';
import type { Database } from './database';
import { toAddressColumn } from './address-column';
import { CustomerEntity, OrderEntity, OrderLineEntity } from './entities';

/** Rows per insert statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 400;

export interface SeedResult {
  /** False when the store already held customers and was left alone. */
  readonly seeded: boolean;
  readonly customers: number;
  readonly orders: number;
  readonly lines: number;
}

/**
 * Fills an empty site store with the estate's customers, orders and lines, in one transaction, a few hundred rows per
 * insert. A store that already holds customers is left as it is, so that start-up can call this every time.
 */
export async function seedSiteStore(db: Database, estate: EstateSeed): Promise<SeedResult> {
  const em = db.orm.em.fork();
  if ((await em.count(CustomerEntity)) > 0) return { seeded: false, customers: 0, orders: 0, lines: 0 };

  const customers: EntityData<CustomerEntity>[] = estate.customers.map((customer) => ({
    id: customer.id,
    email: customer.email,
    name: customer.name,
    phone: customer.phone,
    shippingAddress: toAddressColumn(customer.address),
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
  }));
  const orders: EntityData<OrderEntity>[] = estate.orders.map((order) => ({
    id: order.id,
    number: order.number,
    customer: order.customerId,
    status: order.status,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
    totalMinor: order.total.minor,
    currency: order.total.currency,
  }));
  const lines: EntityData<OrderLineEntity>[] = estate.orders.flatMap((order) =>
    order.lines.map((line, position) => ({
      order: order.id,
      position,
      sku: line.sku,
      quantity: line.quantity,
      unitPriceMinor: line.unitPrice.minor,
      currency: line.unitPrice.currency,
    })),
  );

  await em.transactional(async (tx) => {
    for (const chunk of chunks(customers)) await tx.insertMany(CustomerEntity, chunk);
    for (const chunk of chunks(orders)) await tx.insertMany(OrderEntity, chunk);
    for (const chunk of chunks(lines)) await tx.insertMany(OrderLineEntity, chunk);
  });
  return { seeded: true, customers: customers.length, orders: orders.length, lines: lines.length };
}

function* chunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let start = 0; start < rows.length; start += CHUNK) yield rows.slice(start, start + CHUNK);
}
