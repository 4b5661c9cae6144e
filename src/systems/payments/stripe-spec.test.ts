import Stripe from 'stripe';
import { createPaymentsAdapter, type PaymentsAdapter } from './adapter';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { generateEstate } from '../kit/seed';
import { expectIntegrationError } from '../../../test/contracts/payment-gateway.contract';
import { createPaymentsSandbox, PAYMENTS_SANDBOX_CREDENTIALS, SPEC_VIOLATIONS, type SpecViolation } from './sandbox';
import { DEFAULT_API_VERSION } from './sandbox/api';
import { loadStripeSpec } from './sandbox/spec';

/** The payments sandbox held to Stripe's own description (stripe.trimmed.json), and the adapter read as Stripe answers. */

const estate = generateEstate();
const { secretKey } = PAYMENTS_SANDBOX_CREDENTIALS;

describe("the payments sandbox against Stripe's description", () => {
  let sandbox: RunningSandbox;
  let adapter: PaymentsAdapter;
  const violations = (): SpecViolation[] => [...sandbox.records.collection<SpecViolation>(SPEC_VIOLATIONS).values()];
  const post = (path: string, form: string) =>
    fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });

  beforeEach(async () => {
    sandbox = await startSandbox(createPaymentsSandbox(estate));
    adapter = createPaymentsAdapter({ baseUrl: sandbox.url, secretKey });
  });
  afterEach(async () => {
    await adapter.close();
    await sandbox.close();
  });

  it('leaves next_page out of a last search page, as Stripe does, and the adapter still reads it (regression: a required next_page failed every one-page read)', async () => {
    const url = new URL(sandbox.url);
    const stripe = new Stripe(secretKey, { host: url.hostname, port: url.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
    const payment = estate.payments[0]!;
    const page = await stripe.paymentIntents.search({ query: `metadata['order_id']:'${payment.orderId}'` });
    expect(page.has_more).toBe(false);
    expect(Object.keys(page)).not.toContain('next_page');

    const found = await adapter.findByOrderIds([payment.orderId]);
    expect(found.get(payment.orderId)).toMatchObject(payment);
    expect(violations()).toEqual([]);
  });

  it('refuses a request outside the description in Stripe\'s words, and writes it down', async () => {
    const response = await post('/v1/payment_intents', 'amount=ten&currency=eur');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: expect.objectContaining({ type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount' }),
    });
    expect(violations()).toEqual([{ side: 'request', operation: 'POST /v1/payment_intents', problems: ['Invalid integer: amount'] }]);
    expect([...sandbox.records.collection('payment_intents').values()].length).toBe(estate.payments.length);
  });

  it('turns an answer outside the description (a field of the wrong type) into a 500 the adapter reports, and writes it down', async () => {
    const payment = estate.payments[1]!;
    const held = sandbox.records.collection<{ amount: unknown }>('payment_intents').get(payment.id)!;
    held.amount = String(held.amount);

    await expectIntegrationError(adapter.findByOrderIds([payment.orderId]), 'UPSTREAM_UNAVAILABLE');
    expect(violations()).toEqual([
      { side: 'answer', operation: 'GET /v1/payment_intents/search', problems: ['answer 200/data/0/amount must be integer'] },
    ]);
  });

  it('checks every webhook event it raises against the description', async () => {
    const created = await post('/v1/payment_intents', 'amount=1200&currency=eur&payment_method=pm_card_visa&confirm=true&capture_method=manual');
    expect(created.status).toBe(200);
    expect(sandbox.records.collection('events').size).toBeGreaterThanOrEqual(2);
    expect(violations()).toEqual([]);
    const spec = loadStripeSpec();
    expect(spec.checkEvent({ id: 'evt_1', object: 'event', created: 'yesterday' })).toEqual(
      expect.arrayContaining(['event/created must be integer', "event must have required property 'data'"]),
    );
  });
});

describe("the description's API version", () => {
  it('is the one the stripe SDK pins, which the sandbox speaks by default', () => {
    // The copied description is a 2025-10 snapshot; stripe-node 23 pins 2026-10-28.endive. The one difference the
    // adapter meets (allowed_payment_method_types on create) is added to the copy and marked x-plugboard-added.
    expect(Stripe.API_VERSION).toBe('2026-10-28.endive');
    expect(DEFAULT_API_VERSION).toBe(Stripe.API_VERSION);
    const spec = loadStripeSpec();
    expect(spec.checkRequest('POST', '/v1/payment_intents', { amount: '100', currency: 'eur', allowed_payment_method_types: ['card'] })).toEqual([]);
  });
});
