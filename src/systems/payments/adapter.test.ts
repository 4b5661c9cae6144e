import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { createPaymentsAdapter, type PaymentsAdapter } from './adapter';
import { money, type Payment, type PaymentStatus } from '../../domain';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import {
  createPaymentsSandbox,
  PAYMENTS_SANDBOX_CREDENTIALS,
  seededCustomerId,
  SPEC_VIOLATIONS,
  type PaymentsSandboxOptions,
  type SentEvent,
} from './sandbox';
import { generateEstate } from '../kit/seed';
import { describePaymentGatewayContract, expectIntegrationError, type HeldPayment } from '../../../test/contracts/payment-gateway.contract';

const estate = generateEstate();
const { secretKey, webhookSecret } = PAYMENTS_SANDBOX_CREDENTIALS;

interface SandboxIntent {
  id: string;
  status: string;
  amount: number;
  currency: string;
  latest_charge: string | null;
  metadata: Record<string, string>;
}

const startPayments = (options: PaymentsSandboxOptions = {}): Promise<RunningSandbox> =>
  startSandbox(createPaymentsSandbox(estate, options));

/** The official SDK, pointed at a sandbox; no retries and no telemetry, as the adapter configures it. */
function stripeFor(sandbox: RunningSandbox, key = secretKey): Stripe {
  const url = new URL(sandbox.url);
  return new Stripe(key, { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
}

async function windowGet<T>(sandbox: RunningSandbox, path: string): Promise<T | undefined> {
  const response = await fetch(`${sandbox.url}${path}`);
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/**
 * A seeded payment as the adapter reads it from Stripe: with the intent's payment method and Stripe customer, and its
 * client secret while the client has something to do.
 */
function withStripeFields(sandbox: RunningSandbox, payment: Payment): Payment {
  const intent = sandbox.records.get('payment_intents', payment.id) as { payment_method: string | null; customer: string | null; client_secret: string };
  const waiting = ['REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION', 'REQUIRES_ACTION'].includes(payment.status);
  return {
    ...payment,
    ...(waiting ? { clientSecret: intent.client_secret } : {}),
    ...(payment.status === 'REQUIRES_ACTION' ? { nextAction: null } : {}),
    ...(intent.payment_method ? { paymentMethodId: intent.payment_method } : {}),
    ...(intent.customer ? { gatewayCustomerId: intent.customer } : {}),
  };
}

const intentsOf = (sandbox: RunningSandbox): SandboxIntent[] => [
  ...sandbox.records.collection<SandboxIntent>('payment_intents').values(),
];

describePaymentGatewayContract('Stripe adapter against the payments sandbox', async () => {
  const sandbox = await startPayments();
  // The contract confirms payments created without a method, as the estate does: with Stripe's test card.
  const gateway = createPaymentsAdapter({ baseUrl: sandbox.url, secretKey, testPaymentMethod: 'pm_card_visa' });
  return {
    gateway,
    sandbox,
    seeded: estate.payments.map((payment) => withStripeFields(sandbox, payment)),
    batchReadOperation: 'payment_intents.search',
    async heldPayment(paymentId): Promise<HeldPayment | undefined> {
      const record = (collection: string, id: string) => `/_sandbox/records/${collection}/${encodeURIComponent(id)}`;
      const intent = await windowGet<SandboxIntent>(sandbox, record('payment_intents', paymentId));
      if (!intent) return undefined;
      const charge = intent.latest_charge
        ? await windowGet<{ amount_refunded: number }>(sandbox, record('charges', intent.latest_charge))
        : undefined;
      return {
        orderId: intent.metadata.order_id ?? '',
        status: intent.status.toUpperCase() as PaymentStatus,
        amountMinor: intent.amount,
        currency: intent.currency.toUpperCase(),
        refundedMinor: charge?.amount_refunded ?? 0,
      };
    },
    async paymentCountForOrder(orderId) {
      return intentsOf(sandbox).filter((intent) => intent.metadata.order_id === orderId).length;
    },
    specViolations: async () => [...sandbox.records.collection(SPEC_VIOLATIONS).values()],
    async close() {
      await gateway.close();
      await sandbox.close();
    },
  };
});

describe('payments sandbox, driven by the official Stripe SDK', () => {
  let sandbox: RunningSandbox;
  let stripe: Stripe;

  beforeAll(async () => {
    sandbox = await startPayments();
    stripe = stripeFor(sandbox);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('creates, confirms, captures (manual capture) and refunds a payment intent', async () => {
    const customer = await stripe.customers.create({
      email: 'ada@example.com',
      name: 'Ada',
      metadata: { customer_id: 'cus-sdk' },
    });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, email: 'ada@example.com' });

    const created = await stripe.paymentIntents.create({
      amount: 5_000,
      currency: 'EUR',
      customer: customer.id,
      capture_method: 'manual',
      payment_method: 'pm_card_visa',
      metadata: { order_id: 'ord-sdk-1' },
    });
    expect(created).toMatchObject({ object: 'payment_intent', status: 'requires_confirmation', currency: 'eur', amount: 5_000 });
    expect(created.created).toBeGreaterThan(Date.UTC(2020, 0, 1) / 1000);

    const confirmed = await stripe.paymentIntents.confirm(created.id);
    expect(confirmed).toMatchObject({ status: 'requires_capture', amount_capturable: 5_000, amount_received: 0 });
    expect(confirmed.latest_charge).toMatch(/^ch_/);

    const captured = await stripe.paymentIntents.capture(created.id, { amount_to_capture: 4_000 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 4_000, amount_capturable: 0 });

    const refund = await stripe.refunds.create({ payment_intent: created.id, amount: 1_500 });
    expect(refund).toMatchObject({ object: 'refund', amount: 1_500, payment_intent: created.id, status: 'succeeded' });
    await expect(stripe.refunds.create({ payment_intent: created.id, amount: 3_000 })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'amount_too_large',
    });

    const after = await stripe.paymentIntents.retrieve(created.id, { expand: ['latest_charge'] });
    expect(after.latest_charge).toMatchObject({ amount_captured: 4_000, amount_refunded: 1_500, refunded: false });
    expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ id: refund.id, amount: 1_500 });
    expect((await stripe.refunds.list({ payment_intent: created.id })).data.map((item) => item.id)).toEqual([refund.id]);
    expect(sandbox.records.get('refunds', refund.id)).toMatchObject({ amount: 1_500 });
  });

  it('succeeds on confirm with automatic capture, and refuses to capture or cancel it afterwards', async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 900,
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    expect(intent).toMatchObject({ status: 'succeeded', amount_received: 900 });
    for (const attempt of [stripe.paymentIntents.capture(intent.id), stripe.paymentIntents.cancel(intent.id)]) {
      await expect(attempt).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'payment_intent_unexpected_state' });
    }
  });

  it('replays a create with the same Idempotency-Key and holds one intent', async () => {
    const params = { amount: 2_000, currency: 'eur', metadata: { order_id: 'ord-sdk-idempotent' } };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'sdk-idem-1' });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'sdk-idem-1' });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(intentsOf(sandbox).filter((intent) => intent.metadata.order_id === 'ord-sdk-idempotent')).toHaveLength(1);

    const reused = stripe.paymentIntents.create({ ...params, amount: 2_001 }, { idempotencyKey: 'sdk-idem-1' });
    await expect(reused).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    const otherKey = stripeFor(sandbox, 'sk_test_anotherAccountKey');
    await expect(otherKey.paymentIntents.create(params, { idempotencyKey: 'sdk-idem-1' })).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );
  });

  it('raises StripeInvalidRequestError naming the parameter for a missing amount, and 404s an unknown id', async () => {
    const missing = await stripe.paymentIntents
      .create({ currency: 'eur' } as Stripe.PaymentIntentCreateParams)
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ param: 'amount', code: 'parameter_missing', statusCode: 400 });

    const unknown = await stripe.paymentIntents.retrieve('pi_unknown').catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(unknown).toMatchObject({ code: 'resource_missing', statusCode: 404 });

    const stranger = await stripe.paymentIntents
      .create({ amount: 1_000, currency: 'eur', colour: 'red' } as Stripe.PaymentIntentCreateParams)
      .catch((error: unknown) => error);
    expect(stranger).toMatchObject({ code: 'parameter_unknown', param: 'colour' });
  });

  it('refuses a wrong key with 401 and accepts the key as a Basic user name', async () => {
    await expect(stripeFor(sandbox, 'sk_test_wrong').paymentIntents.list()).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );
    const basic = await fetch(`${sandbox.url}/v1/customers?limit=1`, {
      headers: { authorization: `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}` },
    });
    expect(basic.status).toBe(200);
    expect(await basic.json()).toMatchObject({ object: 'list', data: [{ object: 'customer' }] });
  });

  it('lists every intent with auto-pagination, newest first', async () => {
    const before = sandbox.stats.snapshot().byOperation['payment_intents.list'] ?? 0;
    const listed = await stripe.paymentIntents.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    const held = intentsOf(sandbox);
    expect(listed).toHaveLength(held.length);
    expect(new Set(listed.map((intent) => intent.id)).size).toBe(held.length);
    expect(listed.every((intent, i) => i === 0 || listed[i - 1]!.created >= intent.created)).toBe(true);
    expect((sandbox.stats.snapshot().byOperation['payment_intents.list'] ?? 0) - before).toBe(Math.ceil(held.length / 100));

    const customer = seededCustomerId(estate.orders.find((order) => order.id === estate.payments[0]!.orderId)!.customerId);
    const mine = await stripe.paymentIntents.list({ customer, limit: 100 });
    expect(mine.data.length).toBeGreaterThan(0);
    expect(mine.data.every((intent) => intent.customer === customer)).toBe(true);
  });

  it("searches with Stripe's query language, pages through results, and holds to 10 clauses", async () => {
    const succeeded = intentsOf(sandbox).filter((intent) => intent.status === 'succeeded').length;
    const all = await stripe.paymentIntents
      .search({ query: "status:'succeeded'", limit: 100 })
      .autoPagingToArray({ limit: 10_000 });
    expect(all).toHaveLength(succeeded);

    const [a, b] = estate.payments;
    const either = await stripe.paymentIntents.search({
      query: `metadata['order_id']:'${a!.orderId}' OR metadata['order_id']:'${b!.orderId}'`,
      expand: ['total_count', 'data.latest_charge'],
    });
    expect(either).toMatchObject({ object: 'search_result', total_count: 2, has_more: false });
    expect(either).not.toHaveProperty('next_page');
    expect(either.data.map((intent) => intent.id).sort()).toEqual([a!.id, b!.id].sort());

    // OR across fields: exact metadata clauses (looked up as a set), a number and a caseless status, mixed.
    const mixed = await stripe.paymentIntents
      .search({ query: `metadata['order_id']:'${a!.orderId}' OR amount:${b!.amount.minor} OR status:'CANCELED' OR metadata['order_id']:'no-such-order'` })
      .autoPagingToArray({ limit: 10_000 });
    const expected = intentsOf(sandbox).filter((intent) => intent.metadata.order_id === a!.orderId || intent.amount === b!.amount.minor || intent.status === 'canceled');
    expect(expected.length).toBeGreaterThan(2);
    expect(mixed.map((intent) => intent.id).sort()).toEqual(expected.map((intent) => intent.id).sort());

    const both = await stripe.paymentIntents.search({
      query: `metadata['order_id']:'${a!.orderId}' AND status:'${a!.status.toLowerCase()}'`,
    });
    expect(both.data.map((intent) => intent.id)).toEqual([a!.id]);

    const eleven = estate.payments.slice(0, 11).map((payment) => `metadata['order_id']:'${payment.orderId}'`).join(' OR ');
    const tooMany = await stripe.paymentIntents.search({ query: eleven }).catch((error: unknown) => error);
    expect(tooMany).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMany).toMatchObject({ param: 'query' });
  });

  it('signs webhook events so that stripe.webhooks.constructEvent verifies them, and a tampered payload fails', async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 1_200,
      currency: 'eur',
      metadata: { order_id: 'ord-sdk-webhook' },
    });
    const events = await windowGet<{ data: SentEvent[] }>(sandbox, '/_sandbox/events?type=payment_intent.created');
    const sent = events!.data.find((event) => JSON.parse(event.payload).data.object.id === intent.id);
    expect(sent).toBeDefined();

    const event = stripe.webhooks.constructEvent(sent!.payload, sent!.signature, webhookSecret);
    expect(event).toMatchObject({
      type: 'payment_intent.created',
      object: 'event',
      livemode: false,
      data: { object: { id: intent.id } },
    });
    const tampered = sent!.payload.replace('"amount": 1200', '"amount": 1');
    expect(tampered).not.toBe(sent!.payload);
    expect(() => stripe.webhooks.constructEvent(tampered, sent!.signature, webhookSecret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });
});

describe('payments sandbox webhook delivery', () => {
  let receiver: Server;
  let received: Promise<{ body: string; signature: string }>;

  beforeAll(async () => {
    let deliver: (value: { body: string; signature: string }) => void = () => undefined;
    received = new Promise((resolve) => (deliver = resolve));
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.writeHead(200).end();
        deliver({ body: Buffer.concat(chunks).toString('utf8'), signature: String(request.headers['stripe-signature']) });
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('POSTs signed events to the configured endpoint', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const sandbox = await startPayments({ webhookUrl: `http://127.0.0.1:${port}/stripe/webhooks` });
    try {
      const intent = await stripeFor(sandbox).paymentIntents.create({ amount: 777, currency: 'eur' });
      const delivery = await received;
      const event = Stripe.webhooks.constructEvent(delivery.body, delivery.signature, webhookSecret);
      expect(event).toMatchObject({ type: 'payment_intent.created', data: { object: { id: intent.id, amount: 777 } } });
    } finally {
      await sandbox.close();
    }
  });

  it('answers the API call even when the endpoint cannot be reached, and records the failed delivery', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const sandbox = await startPayments({ webhookUrl: `http://127.0.0.1:${port}/gone` });
    const intent = await stripeFor(sandbox).paymentIntents.create({ amount: 555, currency: 'eur' });
    expect(intent.status).toBe('requires_payment_method');
    await sandbox.close();
    const sent = [...sandbox.records.collection<SentEvent>('events').values()];
    expect(sent.map((event) => event.delivery.status)).toEqual(['failed']);
  });

  it('refuses a webhook URL off this machine', () => {
    expect(() => createPaymentsSandbox(estate, { webhookUrl: 'https://hooks.example.com/stripe' })).toThrow(/127\.0\.0\.1/);
  });
});

describe('payments adapter', () => {
  let sandbox: RunningSandbox;
  const adapters: PaymentsAdapter[] = [];
  const adapter = (options: { maxSearchClauses?: number; secretKey?: string; testPaymentMethod?: string } = {}): PaymentsAdapter => {
    const created = createPaymentsAdapter({ baseUrl: sandbox.url, secretKey, ...options });
    adapters.push(created);
    return created;
  };
  const searchCalls = (): number => sandbox.stats.snapshot().byOperation['payment_intents.search'] ?? 0;

  beforeAll(async () => {
    sandbox = await startPayments({ maxSearchClauses: 100 });
  });
  afterAll(async () => {
    await Promise.all(adapters.map((created) => created.close()));
    await sandbox.close();
  });

  it('reads 30 orders in one search call with maxSearchClauses 100, and in three with 10', async () => {
    const payments = estate.payments.slice(100, 130);
    const orderIds = payments.map((payment) => payment.orderId);
    const expected = new Map(payments.map((payment) => [payment.orderId, withStripeFields(sandbox, payment)]));

    let before = searchCalls();
    expect(await adapter({ maxSearchClauses: 100 }).findByOrderIds(orderIds)).toEqual(expected);
    expect(searchCalls() - before).toBe(1);

    before = searchCalls();
    expect(await adapter({ maxSearchClauses: 10 }).findByOrderIds(orderIds)).toEqual(expected);
    expect(searchCalls() - before).toBe(3);
  });

  it('reads 500 orders on a gateway that allows 500 clauses without overflowing the URL: every payment found', async () => {
    const wide = await startPayments({ maxSearchClauses: 500 });
    try {
      const payments = estate.payments.slice(0, 500);
      const created = createPaymentsAdapter({ baseUrl: wide.url, secretKey, maxSearchClauses: 500 });
      adapters.push(created);
      const found = await created.findByOrderIds(payments.map((payment) => payment.orderId));
      expect(found.size).toBe(new Set(payments.map((payment) => payment.orderId)).size);
      // Split by the URL budget (6 KiB of query), not by the clause count alone.
      expect(wide.stats.snapshot().byOperation['payment_intents.search']).toBeGreaterThan(1);
    } finally {
      await wide.close();
    }
  });

  it('reports a URL the system refuses for its size (431) as our REQUEST_TOO_LARGE_FOR_SYSTEM, not its refusal', async () => {
    const wide = await startPayments({ maxSearchClauses: 500 });
    try {
      const created = createPaymentsAdapter({ baseUrl: wide.url, secretKey, maxSearchClauses: 500, maxSearchQueryBytes: 1_000_000 });
      adapters.push(created);
      const error = await created.findByOrderIds(estate.payments.slice(0, 500).map((payment) => payment.orderId)).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'REQUEST_TOO_LARGE_FOR_SYSTEM', system: 'payments', countsAgainstHealth: false });
    } finally {
      await wide.close();
    }
  });

  it('reports a refused key as UPSTREAM_AUTH_FAILED, naming the system', async () => {
    const error = await expectIntegrationError(
      adapter({ secretKey: 'sk_test_revoked' }).findByOrderIds([estate.payments[0]!.orderId]),
      'UPSTREAM_AUTH_FAILED',
    );
    expect(error.system).toBe('payments');
    expect(error.message).not.toContain('sk_test_revoked');
  });

  it('reports a declined card as UPSTREAM_REJECTED', async () => {
    const declining = adapter({ testPaymentMethod: 'pm_card_chargeDeclined' });
    const created = await declining.createPayment({
      orderId: 'ord-adapter-declined',
      customerId: 'cus-00001',
      amount: money(2_000, 'EUR'),
      idempotencyKey: 'adapter-declined-create',
    });
    const error = await expectIntegrationError(
      declining.confirmPayment({ paymentId: created.id, idempotencyKey: 'adapter-declined-confirm' }),
      'UPSTREAM_REJECTED',
    );
    expect(error.message).toContain('declined');
    expect(sandbox.records.get('payment_intents', created.id)).toMatchObject({ status: 'requires_payment_method' });
  });

  it('refuses a refund in another currency before any money moves', async () => {
    const succeeded = estate.payments.find((payment) => payment.status === 'SUCCEEDED')!;
    await expectIntegrationError(
      adapter().refundPayment({ paymentId: succeeded.id, amount: money(100, 'USD'), idempotencyKey: 'adapter-refund-usd' }),
      'UPSTREAM_REJECTED',
    );
    const charge = sandbox.records.get('charges', `ch_${succeeded.id.slice(3)}`) as { amount_refunded: number };
    expect(charge.amount_refunded).toBe(0);
  });

  it('refuses a base URL with a path, which the SDK would drop', () => {
    expect(() => createPaymentsAdapter({ baseUrl: `${sandbox.url}/stripe`, secretKey })).toThrow(/baseUrl/);
  });
});
