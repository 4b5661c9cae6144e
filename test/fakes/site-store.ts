import {
  customerCursor,
  orderCursor,
  readCustomerCursor,
  readOrderCursor,
  type Customer,
  type Order,
  type Page,
  type SiteStore,
} from '../../src/domain';
import { createFaultSwitch, rejected, type FaultSwitch, type FakeSleep } from './fault-switch';

/** The largest page the store answers, as the real one caps it. */
const PAGE_CAP = 500;

export interface FakeSiteStoreOptions {
  readonly customers?: readonly Customer[];
  readonly orders?: readonly Order[];
  /** @default "store" */
  readonly system?: string;
  readonly sleep?: FakeSleep;
}

/** The site's store in memory: what it holds is in plain maps a test reads and writes directly. */
export interface FakeSiteStore {
  readonly store: SiteStore;
  readonly system: string;
  readonly customers: Map<string, Customer>;
  readonly orders: Map<string, Order>;
  readonly faults: FaultSwitch;
}

const newestFirst = (a: Order, b: Order): number =>
  b.placedAt.getTime() - a.placedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Whether `order` comes after the one a cursor points at, in newest-first order. */
const isAfter = (order: Order, key: { placedAt: Date; id: string }): boolean =>
  order.placedAt.getTime() < key.placedAt.getTime() || (order.placedAt.getTime() === key.placedAt.getTime() && order.id < key.id);

export function createFakeSiteStore(options: FakeSiteStoreOptions = {}): FakeSiteStore {
  const system = options.system ?? 'store';
  const customers = new Map((options.customers ?? []).map((customer) => [customer.id, customer]));
  const orders = new Map((options.orders ?? []).map((order) => [order.id, order]));
  const faults = createFaultSwitch({ system, ...(options.sleep ? { sleep: options.sleep } : {}) });

  const sizeOf = (first: number, operation: string): number => {
    if (!Number.isInteger(first) || first < 0) throw rejected(system, operation, `first must be a whole number ≥ 0, got ${first}`);
    return Math.min(first, PAGE_CAP);
  };

  const pageOf = <T>(items: readonly T[], size: number, cursorOf: (item: T) => string, totalCount: number): Page<T> => {
    const taken = items.slice(0, size);
    const cursors = taken.map(cursorOf);
    return { items: taken, cursors, endCursor: cursors[cursors.length - 1] ?? null, hasNextPage: items.length > size, totalCount };
  };

  const orderPage = (matching: readonly Order[], first: number, after: string | null | undefined, operation: string): Page<Order> => {
    const size = sizeOf(first, operation);
    let rest = [...matching].sort(newestFirst);
    if (after) {
      const key = readOrderCursor(after);
      if (!key) throw rejected(system, operation, 'that is not an order cursor this store gave out');
      rest = rest.filter((order) => isAfter(order, key));
    }
    return pageOf(rest, size, orderCursor, matching.length);
  };

  const store: SiteStore = {
    async findCustomersByIds(ids, callOptions) {
      await faults.enter('findCustomersByIds', callOptions?.signal);
      return new Map(ids.flatMap((id) => (customers.has(id) ? [[id, customers.get(id)!] as const] : [])));
    },
    async listCustomers(request, callOptions) {
      await faults.enter('listCustomers', callOptions?.signal);
      const size = sizeOf(request.first, 'listCustomers');
      let rest = [...customers.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      if (request.after) {
        const after = readCustomerCursor(request.after);
        if (after === undefined) throw rejected(system, 'listCustomers', 'that is not a customer cursor this store gave out');
        rest = rest.filter((customer) => customer.id > after);
      }
      return pageOf(rest, size, (customer) => customerCursor(customer.id), customers.size);
    },
    async findOrdersByIds(ids, callOptions) {
      await faults.enter('findOrdersByIds', callOptions?.signal);
      return new Map(ids.flatMap((id) => (orders.has(id) ? [[id, orders.get(id)!] as const] : [])));
    },
    async listOrders(request, callOptions) {
      await faults.enter('listOrders', callOptions?.signal);
      const matching = [...orders.values()].filter(
        (order) =>
          (request.customerId === undefined || order.customerId === request.customerId) &&
          (request.status === undefined || order.status === request.status),
      );
      return orderPage(matching, request.first, request.after, 'listOrders');
    },
    async listOrdersByCustomerIds(request, callOptions) {
      await faults.enter('listOrdersByCustomerIds', callOptions?.signal);
      const all = [...orders.values()];
      return new Map(
        [...new Set(request.customerIds)].map((customerId) => [
          customerId,
          orderPage(all.filter((order) => order.customerId === customerId), request.first, request.after, 'listOrdersByCustomerIds'),
        ]),
      );
    },
  };

  return { store, system, customers, orders, faults };
}
