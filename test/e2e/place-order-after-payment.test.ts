import Stripe from 'stripe';
import { MutationAuditEntity, OutboxJobEntity } from '../../src/db';
import { generateEstate } from '../../src/systems/kit/seed';
import { PAYMENTS_SANDBOX_CREDENTIALS } from '../../src/systems/payments/sandbox';
import { eventually } from '../support/scratch-database';
import { startTestStack, type TestStack } from '../support/stack';
import { mutate } from '../support/mutate';
import { mintTestToken } from '../support/tokens';

/**
 * An order whose payment waits for its client books no courier (a label is bought and paid for at booking). Over the
 * sandboxes: placeOrder without a payment method places the order and ShipEngine (courier B) holds nothing for it; the
 * client completes the payment at the payment gateway, whose webhook queues the bookings in the outbox, and the
 * shipments appear in the graph with their labels. A payment cancelled instead cancels the order and releases its stock.
 */
const estate = generateEstate();

interface Placed {
  status: string;
  steps: { system: string; outcome: string }[];
  order: { id: string; payment: { id: string; status: string } | null; shipments: unknown[] } | null;
}

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  status steps { system outcome } order { id payment { id status } shipments { id } } } }`;

interface ReadOrder {
  status: string;
  shipments: { carrier: string; status: string; trackingNumber: string; label: { id: string; url: string | null } | null; tracking: { status: string } | null }[];
}
const READ = `query($id: ID!) { order(id: $id) { status shipments { carrier status trackingNumber label { id url } tracking { status } } } }`;

describe('placeOrder while the payment waits for its client, then the payment completes or is cancelled', () => {
  let stack: TestStack;
  let token: string;
  let stripe: Stripe;

  beforeAll(async () => {
    stack = await startTestStack();
    token = await mintTestToken({ subject: 'after-payment-e2e', scopes: ['orders:write'] });
    const payments = new URL(stack.estate!.connections.payments.baseUrl);
    stripe = new Stripe(PAYMENTS_SANDBOX_CREDENTIALS.secretKey, { host: payments.hostname, port: payments.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const place = async (customerIndex: number, skus: readonly string[], key: string): Promise<Placed> => {
    const input = { customerId: estate.customers[customerIndex]!.id, lines: skus.map((sku) => ({ sku, quantity: 1 })) };
    return (await mutate<{ placeOrder: Placed }>(stack.gateway.url, token, PLACE, { input }, key)).placeOrder;
  };
  const read = async (orderId: string): Promise<ReadOrder> => {
    const answer = await stack.query<{ order: ReadOrder }>(READ, { id: orderId });
    expect(answer.errors).toBeUndefined();
    return answer.data!.order;
  };
  const shipEngine = () => stack.estate!.sandboxes['courier-b']!.records;
  const jobsOf = async (auditId: string) => stack.db.orm.em.fork().find(OutboxJobEntity, { auditId }, { orderBy: { operation: 'asc', system: 'asc' } });
  const settlementOf = async (orderId: string, operation: string) =>
    stack.db.orm.em.fork().findOne(MutationAuditEntity, { entity: 'Order', entityId: orderId, operation });

  it('books no courier until the payment is authorised; then the webhook books them through the outbox, with their labels', async () => {
    // Three lines: the demo's courier rule books both couriers; courier B is ShipEngine.
    const placed = await place(11, ['SKU-00031', 'SKU-00032', 'SKU-00033'], 'after-payment-e2e-0001');

    expect(placed.status).toBe('APPLIED');
    const order = placed.order!;
    expect(order.shipments).toEqual([]);
    expect(placed.steps.filter((step) => step.system.startsWith('courier-')).map((step) => step.outcome)).toEqual(['waiting', 'waiting']);
    expect(shipEngine().get('shipments-by-order', order.id)).toBeUndefined();
    expect(order.payment?.status).not.toMatch(/REQUIRES_CAPTURE|SUCCEEDED/);

    // The client completes the payment (Stripe.js confirms the intent with its client secret).
    await stripe.paymentIntents.confirm(order.payment!.id);

    const settled = await eventually('the webhook queues the bookings', () => settlementOf(order.id, 'bookShipmentsAfterPayment'), (row) => row !== null);
    expect(settled).toMatchObject({ actor: 'webhook:payments', result: 'QUEUED' });
    const jobs = await eventually('the outbox books both couriers', () => jobsOf(settled!.id), (rows) => rows.length === 2 && rows.every((job) => job.state === 'done'));
    expect(jobs.map((job) => `${job.system}:${job.operation}`)).toEqual(['courier-a:bookShipment', 'courier-b:bookShipment']);

    const after = await read(order.id);
    expect(after.shipments.map((shipment) => shipment.carrier).sort()).toEqual(['courier-a', 'courier-b']);
    const booked = after.shipments.find((shipment) => shipment.carrier === 'courier-b')!;
    expect(booked).toMatchObject({ status: 'LABEL_CREATED', label: { id: expect.stringMatching(/^se-/), url: expect.stringContaining('.pdf') }, tracking: { status: 'ACCEPTED' } });
    expect(booked.trackingNumber).not.toBe('');
    expect(shipEngine().get('shipments-by-order', order.id)).toHaveLength(1);
  });

  it('cancels the order and releases its stock when the waiting payment is cancelled, booking nothing', async () => {
    const placed = await place(12, ['SKU-00034'], 'after-payment-e2e-0002');
    const order = placed.order!;
    expect(placed.status).toBe('APPLIED');

    await stripe.paymentIntents.cancel(order.payment!.id);

    const settled = await eventually('the webhook cancels the order', () => settlementOf(order.id, 'cancelOrderAfterPayment'), (row) => row !== null);
    const jobs = await eventually('the outbox releases the stock and tells the followers', () => jobsOf(settled!.id), (rows) => rows.length > 0 && rows.every((job) => job.state === 'done'));
    expect(jobs.map((job) => `${job.system}:${job.operation}`)).toContain('erp:releaseStock');
    expect(jobs.map((job) => job.operation)).not.toContain('bookShipment');
    expect((await read(order.id)).status).toBe('CANCELLED');
    expect(shipEngine().get('shipments-by-order', order.id)).toBeUndefined();
  });
});
