import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { Order } from '../../src/domain';
import type { SandboxName } from '../../src/estate/start-sandboxes';
import { CustomersOrdersDocument, OrdersPageDocument, type OrdersPageQuery } from '../../src/generated/graphql';
import type { CallRecord } from '../../src/resilience';
import { generateEstate } from '../../src/systems/kit/seed';
import { eventually } from '../support/scratch-database';
import { startTestStack, type GraphQLBody, type TestStack } from '../support/stack';

/**
 * "No N+1, ever": a page of 100 orders, with a field from every system at every level, costs one call per system
 * per level, counted where it lands (each sandbox's own request stats), and nothing at all once cached.
 */

/** Calls that fetch credentials, not data: made once per adapter, not per level of a query. */
const AUTH_OPERATIONS = new Set(['oauth.token', 'common.authenticate']);

const estate = generateEstate();

let stack: TestStack;
const calls: CallRecord[] = [];

beforeAll(async () => {
  // A stack of its own: the first query below must find every read cache empty.
  stack = await startTestStack({}, { onCall: (call) => calls.push(call) });
});

afterAll(async () => {
  await stack?.close();
});

function run<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables?: V): Promise<GraphQLBody<T>> {
  return stack.query<T>(print(document), variables);
}

function sandboxes() {
  const running = stack.estate?.sandboxes;
  if (!running) throw new Error('the test stack runs without sandboxes');
  return Object.entries(running) as [SandboxName, (typeof running)[SandboxName]][];
}

function resetStats(): void {
  for (const [, sandbox] of sandboxes()) sandbox.stats.reset();
  calls.length = 0;
}

/** Requests each sandbox received since the last reset, by vendor operation, leaving out credential calls. */
function dataCalls(): Record<SandboxName, Record<string, number>> {
  return Object.fromEntries(
    sandboxes().map(([name, sandbox]) => [
      name,
      Object.fromEntries(Object.entries(sandbox.stats.snapshot().byOperation).filter(([operation]) => !AUTH_OPERATIONS.has(operation))),
    ]),
  ) as Record<SandboxName, Record<string, number>>;
}

/** Calls the resilience layer made to one system since the last reset, by port method. */
function portCalls(system: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) {
    if (call.system === system && call.outcome !== 'cached') counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  }
  return counts;
}

describe('a page of 100 orders with customer, items, payment and shipments', () => {
  let first: OrdersPageQuery;

  it('costs exactly one call to each system, however many orders, lines and customers the page holds', async () => {
    resetStats();
    const body = await run(OrdersPageDocument, { first: 100 });
    expect(body.errors).toBeUndefined();
    first = body.data as OrdersPageQuery;

    // The answer really needed every system, many times over: otherwise one call each would prove nothing.
    const orders = first.orders.nodes;
    expect(orders).toHaveLength(100);
    const customers = new Set(orders.map((order) => order.customer?.id));
    const skus = new Set(orders.flatMap((order) => order.lines.map((line) => line.sku)));
    expect(customers.size).toBeGreaterThan(10);
    expect(skus.size).toBeGreaterThan(50);
    expect(orders.every((order) => order.customer?.segment)).toBe(true);
    expect(orders.every((order) => order.lines.every((line) => line.item?.name && line.item.onHand !== null))).toBe(true);
    expect(orders.filter((order) => order.payment !== null).length).toBeGreaterThan(50);
    const carriers = new Set(orders.flatMap((order) => (order.shipments ?? []).map((shipment) => shipment.carrier)));
    expect(carriers).toEqual(new Set(['courier-a', 'courier-b']));

    // One call per system per level, counted by the systems themselves.
    expect(dataCalls()).toEqual({
      crm: { 'contacts.batchRead': 1 },
      // Two levels touch the ERP: the orders (status is bidirectional, so the ERP's copy is compared) and the items.
      // The orders come with their partners' refs in one web_search_read (stock Odoo has no such field on sale.order).
      erp: { 'sale.order.web_search_read': 1, 'product.product.search_read': 1 },
      payments: { 'payment_intents.search': 1 },
      // Canada Post has no batch read: courier A reads its booking ledger, and asks only a tracking summary per booking
      // still in flight (none for an order it never booked, none for one delivered).
      'courier-a': { getTrackingSummary: orders.filter((order) => order.shipments?.some((shipment) => shipment.carrier === 'courier-a' && shipment.status === 'IN_TRANSIT')).length },
      // ShipEngine has no read by ids: courier B reads its booking ledger (no call for an order it never booked, none
      // for one delivered), then one page of the shipments list asked for the window where the bookings still in flight
      // were created, and one page of their labels.
      'courier-b': { 'shipments.list': 1, 'labels.list': 1 },
      legacy: {},
      // The page asks for no invoice: accounting is not asked.
      xero: {},
    });
    // And by our side: one batched port call each. The store is asked the page alone: the gateway asks nothing but the
    // id of each order's customer, which is on the order (its foreign key says the customer exists).
    expect(portCalls('store')).toEqual({ listOrders: 1 });
    expect(calls.find((call) => call.system === 'crm' && call.operation === 'findByCustomerIds')?.keys).toBe(customers.size);
    expect(calls.find((call) => call.system === 'erp' && call.operation === 'findItemsBySkus')?.keys).toBe(skus.size);
  });

  it('answers the same query again with items and segments from the read caches', async () => {
    expect(first).toBeDefined();
    resetStats();
    const body = await run(OrdersPageDocument, { first: 100 });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual(first);
    const second = dataCalls();
    // Every SKU and every customer of the page was found the first time: nothing to ask the ERP or the CRM again.
    expect({ crm: second.crm, erp: second.erp }).toEqual({ crm: {}, erp: {} });
    // Orders without a payment or a shipment have nothing to cache, so those keys may be asked again: still batched.
    for (const name of ['payments', 'courier-a', 'courier-b'] as const) {
      expect(Object.values(second[name]).every((count) => count <= 1)).toBe(true);
    }
  });
});

describe("customers' orders", () => {
  it('answers 50 customers with a page of orders each from one store query per level', async () => {
    resetStats();
    const body = await run(CustomersOrdersDocument, { customers: 50, orders: 5 });
    expect(body.errors).toBeUndefined();
    const customers = body.data?.customers.nodes ?? [];
    expect(customers.map((customer) => customer.id)).toEqual(estate.customers.slice(0, 50).map((customer) => customer.id));

    const newestFirst = (a: Order, b: Order) => b.placedAt.getTime() - a.placedAt.getTime() || b.id.localeCompare(a.id);
    for (const customer of customers) {
      const theirs = estate.orders.filter((order) => order.customerId === customer.id).sort(newestFirst);
      expect(customer.orders.totalCount).toBe(theirs.length);
      expect(customer.orders.nodes).toEqual(theirs.slice(0, 5).map((order) => ({ id: order.id, status: order.status })));
    }
    expect(portCalls('store')).toEqual({ listCustomers: 1, listOrdersByCustomerIds: 1 });
    // The orders level compares each order's bidirectional status with the ERP's copy: one call for all 250 orders.
    expect(dataCalls()).toEqual({ crm: {}, erp: { 'sale.order.web_search_read': 1 }, payments: {}, 'courier-a': {}, 'courier-b': {}, legacy: {}, xero: {} });
  });

  it("reads the page's customers from the store in one call when a field of theirs other than the id is asked", async () => {
    resetStats();
    const body = await stack.query<{ orders: { nodes: { customer: { id: string; email: string } | null }[] } }>('{ orders(first: 20) { nodes { customer { id email } } } }');
    expect(body.errors).toBeUndefined();
    const customers = body.data?.orders.nodes.map((order) => order.customer) ?? [];
    expect(customers).toHaveLength(20);
    const emailOf = new Map(estate.customers.map((customer) => [customer.id, customer.email]));
    for (const customer of customers) expect(customer?.email).toBe(emailOf.get(customer!.id));
    expect(portCalls('store')).toEqual({ listOrders: 1, findCustomersByIds: 1 });
    // The e-mail's followers are checked for drift after the answer: let that end before the next test counts calls.
    await eventually('no system call still running', async () => stack.resilience.callsRunning(), (running) => running === 0);
  });

  it('asks the ERP nothing for orders read without their settled fields (status, updatedAt)', async () => {
    resetStats();
    const body = await stack.query<{ orders: { nodes: { id: string; number: string }[] } }>('{ orders(first: 50) { nodes { id number placedAt } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data?.orders.nodes).toHaveLength(50);
    expect(dataCalls()).toEqual({ crm: {}, erp: {}, payments: {}, 'courier-a': {}, 'courier-b': {}, legacy: {}, xero: {} });
    expect(portCalls('store')).toEqual({ listOrders: 1 });
  });
});
