import type { SandboxName } from '../../src/estate/start-sandboxes';
import type { FaultSetting } from '../../src/systems/kit/sandbox';
import { generateEstate } from '../../src/systems/kit/seed';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Safe parsing at the adapters, through the running stack: a courier A answer carrying an external entity (XXE) or an
 * entity bomb (billion laughs) is refused unexpanded, and an answer over its system's size cap (from the integration
 * map) is refused unread. Each becomes UPSTREAM_BAD_RESPONSE naming the system in the GraphQL answer, and one
 * integration_logs row with a readable reason and the redacted payload; the rest of the answer still comes back.
 */

const estate = generateEstate();
/**
 * Orders with a courier A shipment in transit (one delivered is answered from the booking ledger, asking courier A
 * nothing) and a payment: each test reads orders nothing has read before (no cached copy).
 */
const courierAOrders = estate.orders.filter(
  (order) =>
    estate.shipments.some((shipment) => shipment.orderId === order.id && shipment.carrier === 'courier-a' && shipment.status === 'IN_TRANSIT') &&
    estate.payments.some((payment) => payment.orderId === order.id),
);
let next = 0;
const freshOrder = () => courierAOrders[next++]!.id;

/** One attempt per read and a breaker that never opens here: each read is one call, refused for what it carried. */
const patient = { retries: 0, breaker: { errorThresholdPercentage: 100, volumeThreshold: 1_000, resetTimeoutMs: 60_000, rollingWindowMs: 60_000 } };

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({}, { systems: { 'courier-a': patient, payments: patient } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

interface OrderAnswer {
  /** The order with what the site and the payment gateway hold. */
  order: { id: string; number: string; payment: { status: string } | null } | null;
  /** The same order's shipments, asked apart: null, with an error naming the courier, when a courier fails. */
  carried: { shipments: { carrier: string; trackingNumber: string }[] | null } | null;
}

async function readOrder(orderId: string) {
  return stack.query<OrderAnswer>(
    'query ($id: ID!) { order(id: $id) { id number payment { status } } carried: order(id: $id) { shipments { carrier trackingNumber } } }',
    { id: orderId },
  );
}

async function withGarbage<T>(name: SandboxName, fault: FaultSetting, body: () => Promise<T>): Promise<T> {
  stack.estate!.sandboxes[name].setFault(fault);
  try {
    return await body();
  } finally {
    stack.estate!.sandboxes[name].setFault({ mode: 'ok' });
  }
}

async function latestFailure(adapter: string) {
  await stack.integrationLog.flush();
  const [row] = await stack.integrationLog.recent({ adapter, direction: 'outbound', outcome: 'error', limit: 1 });
  if (!row) throw new Error(`no failed ${adapter} call in integration_logs`);
  return row;
}

it.each([
  ['an external entity (XXE)', 'xxe', '&xxe;'],
  ['an entity bomb (billion laughs)', 'billion-laughs', '&lol9;'],
] as const)('a courier A answer carrying %s is refused, not expanded, and logged redacted', async (_what, variant, reference) => {
  const orderId = freshOrder();
  const answer = await withGarbage('courier-a', { mode: 'garbage', variant }, () => readOrder(orderId));

  // The order and its payment come back; the shipments courier A owes are null, with an error naming it.
  expect(answer.data?.order).toMatchObject({ id: orderId, payment: { status: expect.any(String) } });
  expect(answer.data?.carried).toEqual({ shipments: null });
  expect(answer.errors).toEqual([
    expect.objectContaining({ extensions: expect.objectContaining({ code: 'UPSTREAM_BAD_RESPONSE', system: 'courier-a' }) }),
  ]);

  const row = await latestFailure('courier-a');
  expect(row).toMatchObject({
    operation: 'findByOrderIds',
    errorCode: 'UPSTREAM_BAD_RESPONSE',
    reason: 'the document carries a DOCTYPE or ENTITY declaration, which is refused (no entity is ever expanded or fetched)',
  });
  // The payload is what courier A sent, unexpanded: the declaration and the bare reference, no file, no lols.
  const payload = String(row.payload);
  expect(payload).toContain('<!DOCTYPE Answer');
  expect(payload).toContain(reference);
  expect(payload).not.toMatch(/root:|lollollol/);
  expect(payload.length).toBeLessThan(3_000);
});

it('an answer over its system\'s cap in the integration map is refused unread: courier A (2 MiB in the map)', async () => {
  const orderId = freshOrder();
  const answer = await withGarbage('courier-a', { mode: 'garbage', variant: 'oversized', sizeBytes: 3 * 1024 * 1024 }, () => readOrder(orderId));
  expect(answer.data?.order?.id).toBe(orderId);
  expect(answer.data?.carried).toEqual({ shipments: null });
  expect(answer.errors?.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'UPSTREAM_BAD_RESPONSE', system: 'courier-a' })]);

  const row = await latestFailure('courier-a');
  expect(row).toMatchObject({ errorCode: 'UPSTREAM_BAD_RESPONSE', reason: 'answer of 3145728 bytes is over the 2097152-byte cap' });
});

it('an answer over the default cap is refused unread: the payment gateway, read through the stripe SDK (5 MiB)', async () => {
  const orderId = freshOrder();
  const answer = await withGarbage('payments', { mode: 'garbage', variant: 'oversized', sizeBytes: 6 * 1024 * 1024 }, () => readOrder(orderId));
  expect(answer.data?.order).toMatchObject({ id: orderId, payment: null });
  expect(answer.data?.carried?.shipments?.length).toBeGreaterThan(0);
  expect(answer.errors?.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'UPSTREAM_BAD_RESPONSE', system: 'payments' })]);

  const row = await latestFailure('payments');
  expect(row).toMatchObject({ errorCode: 'UPSTREAM_BAD_RESPONSE', reason: 'answer of 6291456 bytes is over the 5242880-byte cap' });
});

it('a well-formed answer just under the cap is still read', async () => {
  const orderId = freshOrder();
  const answer = await withGarbage('courier-a', { mode: 'garbage', variant: 'oversized', sizeBytes: 2 * 1024 * 1024 - 1 }, () => readOrder(orderId));
  expect(answer.errors).toBeUndefined();
  expect(answer.data?.carried?.shipments).toEqual(expect.arrayContaining([expect.objectContaining({ carrier: 'courier-a' })]));
});
