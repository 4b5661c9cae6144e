import {
  IntegrationError,
  type ChangedOnRequest,
  type Customer,
  type LegacyCustomer,
  type LegacyOrder,
  type LegacyStore,
  type Order,
  type Page,
} from '../../src/domain';
import { createFaultSwitch, createKeyMemory, type FaultSwitch, type FakeSleep } from './fault-switch';

export interface FakeLegacyStoreOptions {
  /** What was migrated into the shop. */
  readonly customers?: readonly Customer[];
  readonly orders?: readonly Order[];
  /** @default "legacy" */
  readonly system?: string;
  readonly sleep?: FakeSleep;
}

/** The legacy shop in memory: its records by our ids, what it was asked, its fault switch. */
export interface FakeLegacyStore {
  /** The port, signed in with the shop's password. */
  readonly legacy: LegacyStore;
  /** The same shop, reached with a password it does not accept. */
  withWrongPassword(): LegacyStore & AsyncDisposable;
  readonly system: string;
  readonly customers: Map<string, LegacyCustomer>;
  readonly orders: Map<string, LegacyOrder>;
  readonly faults: FaultSwitch;
}

export function createFakeLegacyStore(options: FakeLegacyStoreOptions = {}): FakeLegacyStore {
  const system = options.system ?? 'legacy';
  const faults = createFaultSwitch({ system, ...(options.sleep ? { sleep: options.sleep } : {}) });
  const once = createKeyMemory();
  let nextNumber = 10_001;
  const customerOf = (customer: Customer, legacyNumber = String(nextNumber++)): LegacyCustomer => ({
    customerId: customer.id,
    legacyNumber,
    email: customer.email,
    name: customer.name,
    phone: customer.phone,
    updatedAt: customer.updatedAt,
  });
  const orderOf = (order: Order, legacyNumber = String(nextNumber++)): LegacyOrder => ({
    orderId: order.id,
    legacyNumber,
    customerId: order.customerId,
    status: order.status,
    total: order.total,
    updatedAt: order.updatedAt,
  });
  const customers = new Map((options.customers ?? []).map((customer) => [customer.id, customerOf(customer)]));
  const orders = new Map((options.orders ?? []).map((order) => [order.id, orderOf(order)]));

  const read = <T>(map: ReadonlyMap<string, T>, ids: readonly string[]): Map<string, T> =>
    new Map(ids.flatMap((id) => (map.has(id) ? [[id, map.get(id)!] as const] : [])));
  const changedOn = <T extends { updatedAt: Date }>(records: Iterable<T>, idOf: (record: T) => string, request: ChangedOnRequest): Page<T> => {
    const day = [...records]
      .filter((record) => record.updatedAt.toISOString().slice(0, 10) === request.day)
      .sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1));
    const rest = request.after ? day.filter((record) => idOf(record) > request.after!) : day;
    const items = rest.slice(0, request.first);
    const cursors = items.map(idOf);
    return { items, cursors, endCursor: cursors[cursors.length - 1] ?? null, hasNextPage: rest.length > items.length, totalCount: day.length };
  };

  const connect = (signedIn: boolean): LegacyStore => {
    const enter = async (operation: string, signal: AbortSignal | undefined) => {
      await faults.enter(operation, signal);
      if (!signedIn) throw new IntegrationError('UPSTREAM_AUTH_FAILED', `${system}: the shop refused the password`, { system, operation });
    };
    return {
      async findCustomersByIds(ids, callOptions) {
        if (ids.length === 0) return new Map();
        await enter('customers', callOptions?.signal);
        return read(customers, ids);
      },
      async findOrdersByIds(ids, callOptions) {
        if (ids.length === 0) return new Map();
        await enter('orders', callOptions?.signal);
        return read(orders, ids);
      },
      async listCustomersChangedOn(request, callOptions) {
        await enter('customers', callOptions?.signal);
        return changedOn(customers.values(), (record) => record.customerId, request);
      },
      async listOrdersChangedOn(request, callOptions) {
        await enter('orders', callOptions?.signal);
        return changedOn(orders.values(), (record) => record.orderId, request);
      },
      async saveCustomer({ customer, idempotencyKey }, callOptions) {
        await enter('saveCustomer', callOptions?.signal);
        return once('saveCustomer', idempotencyKey, () => {
          const saved = customerOf(customer, customers.get(customer.id)?.legacyNumber);
          customers.set(customer.id, saved);
          return saved;
        });
      },
      async saveOrder({ order, idempotencyKey }, callOptions) {
        await enter('saveOrder', callOptions?.signal);
        return once('saveOrder', idempotencyKey, () => {
          const saved = orderOf(order, orders.get(order.id)?.legacyNumber);
          orders.set(order.id, saved);
          return saved;
        });
      },
    };
  };

  return {
    legacy: connect(true),
    withWrongPassword: () => ({ ...connect(false), [Symbol.asyncDispose]: async () => undefined }),
    system,
    customers,
    orders,
    faults,
  };
}
