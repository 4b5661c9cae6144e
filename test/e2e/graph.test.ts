import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getIntrospectionQuery, print, type IntrospectionObjectType, type IntrospectionQuery } from 'graphql';
import { formatDecimal, type CustomerSegment, type Order } from '../../src/domain';
import { SYSTEMS } from '../../src/estate/systems';
import { generateEstate } from '../../src/systems/kit/seed';
import {
  CustomerDocument,
  CustomersPageDocument,
  CustomersWithOrdersDocument,
  InventoryItemDocument,
  OrderDocument,
  OrderListDocument,
  type CustomersPageQuery,
  type OrderListQuery,
  type OrderListQueryVariables,
} from '../../src/generated/graphql';
import { startTestStack, TEST_ADMIN_TOKEN, type GraphQLBody, type TestStack } from '../support/stack';

/**
 * The whole product over a real socket: the query answered from every system, paging, argument checks,
 * a described schema, health and the admin API.
 */

const estate = generateEstate();
const seedCustomer = new Map(estate.customers.map((customer) => [customer.id, customer]));
const seedItem = new Map(estate.items.map((item) => [item.sku, item]));
const seedPayment = new Map(estate.payments.map((payment) => [payment.orderId, payment]));
const newestFirst = (a: Order, b: Order) => b.placedAt.getTime() - a.placedAt.getTime() || b.id.localeCompare(a.id);
const seedOrdersOf = (customerId: string): Order[] => estate.orders.filter((order) => order.customerId === customerId).sort(newestFirst);
const seedShipmentsOf = (orderId: string) =>
  estate.shipments.filter((shipment) => shipment.orderId === orderId).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

/** How the CRM's lifecycle stages read as our segments (the CRM adapter's documented table). */
const SEGMENT_OF_STAGE: Readonly<Record<string, CustomerSegment>> = {
  subscriber: 'LEAD',
  lead: 'LEAD',
  marketingqualifiedlead: 'PROSPECT',
  salesqualifiedlead: 'PROSPECT',
  opportunity: 'PROSPECT',
  customer: 'CUSTOMER',
  evangelist: 'VIP',
  other: 'CHURNED',
};

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

function run<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables?: V): Promise<GraphQLBody<T>> {
  return stack.query<T>(print(document), variables);
}

function dataOf<T>(body: GraphQLBody<T>): T {
  expect(body.errors).toBeUndefined();
  if (!body.data) throw new Error(`no data in ${JSON.stringify(body)}`);
  return body.data;
}

function sandbox(name: 'crm' | 'erp' | 'payments') {
  const found = stack.estate?.sandboxes[name];
  if (!found) throw new Error('the test stack runs without sandboxes');
  return found;
}

/** What a sandbox holds now, in its vendor's vocabulary (`GET /_sandbox/records/<collection>/<id>`). */
async function record<T>(name: 'crm' | 'erp' | 'payments', collection: string, id: string): Promise<T> {
  const response = await fetch(`${sandbox(name).url}/_sandbox/records/${encodeURIComponent(collection)}/${encodeURIComponent(id)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe("the issue's query: customers with their orders, from every system", () => {
  it('answers without errors, every field from the system that owns it, agreeing with the estate', async () => {
    const { customers } = dataOf(await run(CustomersWithOrdersDocument));
    expect(customers.nodes.map((customer) => customer.id)).toEqual(estate.customers.slice(0, 5).map((customer) => customer.id));

    let lines = 0;
    let payments = 0;
    let shipments = 0;
    for (const customer of customers.nodes) {
      const seeded = seedCustomer.get(customer.id);
      expect({ email: customer.email, name: customer.name }).toEqual({ email: seeded?.email, name: seeded?.name });

      // Segment: owned by the CRM; what it holds now is the contact's lifecycle stage.
      const contact = await record<{ properties: { lifecyclestage: string } }>('crm', 'contacts-by-customer', customer.id);
      expect(customer.segment).not.toBeNull();
      expect(customer.segment).toBe(SEGMENT_OF_STAGE[contact.properties.lifecyclestage]);
      expect(customer.segment).toBe(estate.crm.get(customer.id)?.segment);

      const expectedOrders = seedOrdersOf(customer.id).slice(0, 3);
      expect(customer.orders.nodes.map((order) => order.id)).toEqual(expectedOrders.map((order) => order.id));
      for (const [index, order] of customer.orders.nodes.entries()) {
        const seededOrder = expectedOrders[index] as Order;
        expect(order.status).toBe(seededOrder.status);
        expect(order.total).toEqual({ amount: formatDecimal(seededOrder.total), currency: 'EUR' });
        expect(order.lines.map(({ sku, quantity }) => ({ sku, quantity }))).toEqual(
          seededOrder.lines.map(({ sku, quantity }) => ({ sku, quantity })),
        );

        // Items: owned by the ERP; name and stock as its product records hold them.
        for (const line of order.lines) {
          const product = await record<{ name: string; qty_available: number }>('erp', 'product.product', line.sku);
          expect(line.item).toEqual({ name: product.name, onHand: product.qty_available });
          expect(line.item?.name).toBe(seedItem.get(line.sku)?.name);
          lines += 1;
        }

        // Payment: owned by the payment gateway; present where the estate took one.
        const seededPayment = seedPayment.get(order.id);
        if (seededPayment) {
          const intent = await record<{ status: string }>('payments', 'payment_intents-by-order', order.id);
          expect(order.payment).toEqual({ status: intent.status.toUpperCase() });
          expect(order.payment?.status).toBe(seededPayment.status);
          payments += 1;
        } else {
          expect(order.payment).toBeNull();
        }

        // Shipments: owned by the couriers; every SHIPPED or DELIVERED order has at least one.
        const expectedShipments = seedShipmentsOf(order.id).map(({ carrier, trackingNumber, status }) => ({ carrier, trackingNumber, status }));
        expect(order.shipments).toEqual(expectedShipments);
        if (order.status === 'SHIPPED' || order.status === 'DELIVERED') {
          expect(order.shipments?.length).toBeGreaterThan(0);
          shipments += order.shipments!.length;
        } else {
          expect(order.shipments).toEqual([]);
        }
      }
    }
    // The seed's first five customers reach every system; a test that saw none of them would prove nothing.
    expect({ lines: lines > 0, payments: payments > 0, shipments: shipments > 0 }).toEqual({ lines: true, payments: true, shipments: true });
  });

  it('answers one order by id with its customer, items, payment and shipments', async () => {
    const seeded = estate.orders.find((order) => order.status === 'DELIVERED' && order.lines.length > 2) as Order;
    const { order } = dataOf(await run(OrderDocument, { id: seeded.id }));
    expect(order).toMatchObject({
      id: seeded.id,
      number: seeded.number,
      status: 'DELIVERED',
      placedAt: seeded.placedAt.toISOString(),
      total: { amount: formatDecimal(seeded.total), currency: 'EUR' },
      customer: { id: seeded.customerId, name: seedCustomer.get(seeded.customerId)?.name },
      payment: { status: seedPayment.get(seeded.id)?.status, amount: { amount: formatDecimal(seeded.total), currency: 'EUR' } },
    });
    expect(order?.lines.map((line) => [line.sku, line.item?.name, line.item?.price?.amount])).toEqual(
      seeded.lines.map((line) => [line.sku, seedItem.get(line.sku)?.name, formatDecimal(line.unitPrice)]),
    );
    // A bulky order goes with both couriers.
    expect(order?.shipments?.map((shipment) => shipment.carrier).sort()).toEqual(['courier-a', 'courier-b']);
  });

  it('answers an inventory item by SKU as the ERP holds it', async () => {
    const item = estate.items[41] as (typeof estate.items)[number];
    const { inventoryItem } = dataOf(await run(InventoryItemDocument, { sku: item.sku }));
    expect(inventoryItem).toEqual({
      sku: item.sku,
      name: item.name,
      onHand: item.onHand,
      available: item.available,
      price: { amount: formatDecimal(item.price), currency: 'EUR' },
    });
  });
});

describe('paging and filters', () => {
  it('walks all 240 customers, each once, in three pages of at most 100 by endCursor', async () => {
    const seen: string[] = [];
    const pages: CustomersPageQuery['customers'][] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const { customers }: CustomersPageQuery = dataOf(await run(CustomersPageDocument, { first: 100, after }));
      pages.push(customers);
      seen.push(...customers.nodes.map((customer) => customer.id));
      expect(customers.pageInfo.endCursor).toBe(customers.edges.at(-1)?.cursor);
      after = customers.pageInfo.endCursor;
    }
    expect(pages.map((page) => [page.nodes.length, page.totalCount, page.pageInfo.hasNextPage])).toEqual([
      [100, 240, true],
      [100, 240, true],
      [40, 240, false],
    ]);
    expect(seen).toEqual(estate.customers.map((customer) => customer.id).sort());
    expect(new Set(seen).size).toBe(240);
  });

  async function allOrders(variables: OrderListQueryVariables): Promise<OrderListQuery['orders']['nodes']> {
    const nodes: OrderListQuery['orders']['nodes'] = [];
    let after: string | null = null;
    for (;;) {
      const { orders }: OrderListQuery = dataOf(await run(OrderListDocument, { ...variables, first: 100, after }));
      nodes.push(...orders.nodes);
      if (!orders.pageInfo.hasNextPage) return nodes;
      after = orders.pageInfo.endCursor;
    }
  }

  it("filters orders by customer: all of that customer's orders, newest first", async () => {
    const counts = new Map<string, number>();
    for (const order of estate.orders) counts.set(order.customerId, (counts.get(order.customerId) ?? 0) + 1);
    const [customerId] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] as [string, number];

    const { orders } = dataOf(await run(OrderListDocument, { customerId, first: 500 }));
    const expected = seedOrdersOf(customerId);
    expect(orders.totalCount).toBe(expected.length);
    expect(orders.nodes.map((order) => order.id)).toEqual(expected.map((order) => order.id));
    expect(new Set(orders.nodes.map((order) => order.customer?.id))).toEqual(new Set([customerId]));
  });

  it('filters orders by status across pages, and by customer and status together', async () => {
    const shipped = estate.orders.filter((order) => order.status === 'SHIPPED').sort(newestFirst);
    const found = await allOrders({ status: 'SHIPPED' });
    expect(found.map((order) => order.id)).toEqual(shipped.map((order) => order.id));
    expect(new Set(found.map((order) => order.status))).toEqual(new Set(['SHIPPED']));

    const customerId = (shipped[0] as Order).customerId;
    const { orders } = dataOf(await run(OrderListDocument, { customerId, status: 'SHIPPED', first: 500 }));
    expect(orders.nodes.map((order) => order.id)).toEqual(shipped.filter((order) => order.customerId === customerId).map((order) => order.id));
  });
});

describe('arguments and missing records', () => {
  it.each([
    ['customers', 0],
    ['customers', 501],
    ['orders', 0],
    ['orders', 501],
  ])('refuses %s(first: %d) as BAD_USER_INPUT naming the argument', async (field, first) => {
    const body =
      field === 'customers' ? await run(CustomersPageDocument, { first }) : await run(OrderListDocument, { first });
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors ?? [];
    expect(error?.path).toEqual([field]);
    expect(error?.message).toMatch(/\bfirst\b.*1 and 500/);
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
    expect(JSON.stringify(error)).not.toMatch(/stacktrace|exception|\bat .*\.ts:\d+/);
  });

  it('answers null, without an error, for ids nothing holds', async () => {
    const customer = await run(CustomerDocument, { id: 'cus-99999' });
    const order = await run(OrderDocument, { id: 'ord-999999' });
    const item = await run(InventoryItemDocument, { sku: 'SKU-99999' });
    expect([customer, order, item]).toEqual([{ data: { customer: null } }, { data: { order: null } }, { data: { inventoryItem: null } }]);
  });
});

describe('the schema a developer explores', () => {
  async function introspect(): Promise<IntrospectionQuery> {
    return dataOf(await stack.query<IntrospectionQuery>(getIntrospectionQuery({ descriptions: true })));
  }

  const ownTypes = (schema: IntrospectionQuery) => schema.__schema.types.filter((type) => !type.name.startsWith('__'));

  it('describes every type and every field it serves', async () => {
    const schema = await introspect();
    const undescribed: string[] = [];
    for (const type of ownTypes(schema)) {
      if (!type.description?.trim()) undescribed.push(type.name);
    }
    for (const type of schema.__schema.types.filter((candidate) => !candidate.name.startsWith('__'))) {
      const fields = 'fields' in type ? (type.fields ?? []) : 'inputFields' in type ? type.inputFields : [];
      for (const field of fields) if (!field.description?.trim()) undescribed.push(`${type.name}.${field.name}`);
    }
    expect(undescribed).toEqual([]);
    // Only what clients may use: none of the supergraph's planning machinery.
    expect(schema.__schema.types.map((type) => type.name).filter((name) => /^(join|link)__|^_(?!_)/.test(name))).toEqual([]);
    expect(ownTypes(schema).length).toBeGreaterThan(20);
  });

  it('describes the Query and Mutation root types', async () => {
    const schema = await introspect();
    const query = schema.__schema.types.find((type) => type.name === schema.__schema.queryType.name) as IntrospectionObjectType;
    expect(query.description?.trim()).toBeTruthy();
    const mutation = schema.__schema.types.find((type) => type.name === schema.__schema.mutationType?.name);
    expect(mutation?.description?.trim()).toBeTruthy();
  });
});

describe('health and the admin API', () => {
  it('says it is live, and ready with the checks it ran', async () => {
    const live = await fetch(`${stack.gateway.origin}/health/live`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'live' }]);
    const ready = await fetch(`${stack.gateway.origin}/health/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', checks: { supergraph: 'ok', database: 'ok' } }]);
  });

  it('refuses the systems list without the admin token, or with a wrong one', async () => {
    for (const authorization of [undefined, 'Bearer not-the-admin-token-000000', TEST_ADMIN_TOKEN]) {
      const response = await fetch(`${stack.gateway.origin}/admin/api/systems`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(body)).not.toContain(TEST_ADMIN_TOKEN);
    }
  });

  it('lists every system of the estate with the admin token', async () => {
    const response = await fetch(`${stack.gateway.origin}/admin/api/systems`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const { systems } = (await response.json()) as { systems: { name: string; kind: string; baseUrl: string; sandbox: boolean }[] };
    expect(systems).toEqual(
      SYSTEMS.map((system) => ({
        name: system.name,
        kind: system.kind,
        baseUrl: system.name === 'store' ? expect.stringMatching(/^sqlite:/) : stack.estate?.connections[system.name]?.baseUrl,
        sandbox: system.name !== 'store',
      })),
    );
    expect(systems).toHaveLength(SYSTEMS.length);
  });
});
