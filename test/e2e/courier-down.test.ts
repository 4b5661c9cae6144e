import { print } from 'graphql';
import { OrdersPageDocument, type OrdersPageQuery } from '../../src/generated/graphql';
import { generateEstate } from '../../src/systems/kit/seed';
import { startTestStack, type GraphQLBody, type TestStack } from '../support/stack';

/**
 * One courier down, with no copy of its shipments to stand in: the page of orders still comes back whole, every
 * other system's fields included, and only the shipments are missing, each with an error that names the courier.
 * (`Order.shipments` is one list the couriers fill together; a courier that cannot be asked leaves it unknown.)
 */

const estate = generateEstate();
let stack: TestStack;

beforeAll(async () => {
  // The breaker stays closed: this is about one unreachable courier, not about failing fast.
  stack = await startTestStack({}, { systems: { 'courier-a': { breaker: { errorThresholdPercentage: 50, volumeThreshold: 1_000, resetTimeoutMs: 60_000, rollingWindowMs: 60_000 } } } });
});

afterAll(async () => {
  await stack?.close();
});

const page = (): Promise<GraphQLBody<OrdersPageQuery>> => stack.query<OrdersPageQuery>(print(OrdersPageDocument), { first: 20 });

it('answers every order of the page, each without its shipments and with an error naming courier-a', async () => {
  const courierA = stack.estate!.sandboxes['courier-a'];
  courierA.setFault({ mode: 'down' });
  let body: GraphQLBody<OrdersPageQuery>;
  try {
    body = await page();
  } finally {
    courierA.setFault({ mode: 'ok' });
  }

  const nodes = body.data?.orders.nodes ?? [];
  expect(nodes.map((order) => order.id)).toHaveLength(20);
  for (const order of nodes) {
    const seeded = estate.orders.find((candidate) => candidate.id === order.id);
    expect(order).toMatchObject({ number: seeded?.number, customer: { id: seeded?.customerId }, shipments: null });
    expect(order.customer?.segment).toBeTruthy();
    expect(order.lines.map((line) => line.sku)).toEqual(seeded?.lines.map((line) => line.sku));
    expect(order.lines.every((line) => line.item?.name)).toBe(true);
  }
  expect(nodes.filter((order) => order.payment?.status).length).toBeGreaterThan(0);

  const errors = body.errors ?? [];
  expect(errors.map((error) => error.path)).toEqual(nodes.map((_, index) => ['orders', 'nodes', index, 'shipments']));
  for (const error of errors) {
    expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'courier-a' });
    expect(error.message).toMatch(/^courier-a /);
  }
});

it('answers the shipments again, from both couriers, once courier-a is back', async () => {
  const body = await page();
  expect(body.errors).toBeUndefined();
  const nodes = body.data?.orders.nodes ?? [];
  expect(nodes.every((order) => Array.isArray(order.shipments))).toBe(true);
  expect(new Set(nodes.flatMap((order) => order.shipments ?? []).map((shipment) => shipment.carrier))).toEqual(new Set(['courier-a', 'courier-b']));
});
