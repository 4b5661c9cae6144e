import { generateEstate } from '../../src/systems/kit/seed';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Issue 15's reproduction: a page of 500 orders with their payments on a cold cache. The demo's payments sandbox
 * allows 500 search clauses, so the clause count alone made one search whose URL passed the server's limit (431):
 * all 500 payments came back null as UPSTREAM_REJECTED. The batch is now split by URL length too.
 */

const estate = generateEstate();
const withPayment = new Set(estate.payments.map((payment) => payment.orderId));
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

it('reads the payments of 500 orders on a cold cache: every one found, no error, more than one search', async () => {
  const payments = stack.estate!.sandboxes.payments;
  payments.stats.reset();
  const body = await stack.query<{ orders: { nodes: { id: string; payment: { status: string } | null }[] } }>(
    '{ orders(first: 500) { nodes { id payment { status } } } }',
  );
  expect(body.errors).toBeUndefined();
  const nodes = body.data!.orders.nodes;
  expect(nodes).toHaveLength(500);
  const expected = nodes.filter((order) => withPayment.has(order.id));
  expect(expected.length).toBeGreaterThan(400);
  expect(expected.filter((order) => order.payment === null)).toEqual([]);
  expect(payments.stats.snapshot().byOperation['payment_intents.search']).toBeGreaterThan(1);
});
