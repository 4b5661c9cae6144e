import { formatDecimal, type Customer, type LegacyCustomer, type LegacyOrder, type Money, type Order } from '../domain';

/** The entities shadow mode and reconciliation cover: those the legacy shop holds. */
export const RECONCILED_ENTITIES = ['Customer', 'Order'] as const;
export type ReconciledEntity = (typeof RECONCILED_ENTITIES)[number];

export function isReconciledEntity(name: string): name is ReconciledEntity {
  return (RECONCILED_ENTITIES as readonly string[]).includes(name);
}

/**
 * A record reduced to what reconciliation compares: its id and one normalised text per compared field, in the order
 * of the entity's `fields`. Both sides arrive here in the domain's vocabulary (the legacy side through the legacy
 * adapter's mapper: amounts, local times and one-letter statuses already read), so equal facts give equal texts.
 */
export interface ComparableRecord {
  readonly id: string;
  readonly values: readonly (string | null)[];
}

/** What reconciliation compares of an entity, and how each side's record becomes comparable. */
export interface EntityComparison<Site, Legacy> {
  readonly entity: ReconciledEntity;
  readonly fields: readonly string[];
  fromStore(record: Site): ComparableRecord;
  fromLegacy(record: Legacy): ComparableRecord;
}

/** The shop's clock has whole seconds: both sides are compared to the second. */
const instant = (at: Date): string => new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const amount = (value: Money): string => `${formatDecimal(value)} ${value.currency}`;

export const CUSTOMER_COMPARISON: EntityComparison<Customer, LegacyCustomer> = {
  entity: 'Customer',
  fields: ['email', 'name', 'phone', 'updatedAt'],
  fromStore: (customer) => ({ id: customer.id, values: [customer.email, customer.name, customer.phone, instant(customer.updatedAt)] }),
  fromLegacy: (customer) => ({
    id: customer.customerId,
    values: [customer.email, customer.name, customer.phone, instant(customer.updatedAt)],
  }),
};

/** What reconciliation reads of the site's order (not its lines: the shop keeps only their count). */
export type ComparedOrder = Pick<Order, 'id' | 'customerId' | 'status' | 'total' | 'updatedAt'>;

export const ORDER_COMPARISON: EntityComparison<ComparedOrder, LegacyOrder> = {
  entity: 'Order',
  fields: ['customerId', 'status', 'total', 'updatedAt'],
  fromStore: (order) => ({ id: order.id, values: [order.customerId, order.status, amount(order.total), instant(order.updatedAt)] }),
  fromLegacy: (order) => ({
    id: order.orderId,
    values: [order.customerId, order.status, amount(order.total), instant(order.updatedAt)],
  }),
};
