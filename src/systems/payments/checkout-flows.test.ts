import { createPaymentsAdapter, type PaymentsAdapter, type PaymentsAdapterOptions } from './adapter';
import { money } from '../../domain';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { generateEstate } from '../kit/seed';
import { expectIntegrationError } from '../../../test/contracts/payment-gateway.contract';
import { createPaymentsSandbox, PAYMENTS_SANDBOX_CREDENTIALS, seededCustomerId, SPEC_VIOLATIONS } from './sandbox';

/**
 * The payment as live Stripe takes it: the payment method from checkout and the customer's Stripe customer passed
 * through, no test card assumed, and the states the client completes (REQUIRES_PAYMENT_METHOD, REQUIRES_ACTION) answered
 * with what the client needs to complete them.
 */

const estate = generateEstate();
const { secretKey } = PAYMENTS_SANDBOX_CREDENTIALS;

interface HeldIntent {
  status: string;
  customer: string | null;
  payment_method: string | null;
  client_secret: string;
}

describe('payments adapter: checkout flows', () => {
  let sandbox: RunningSandbox;
  const adapters: PaymentsAdapter[] = [];
  const adapter = (options: Partial<PaymentsAdapterOptions> = {}): PaymentsAdapter => {
    const created = createPaymentsAdapter({ baseUrl: sandbox.url, secretKey, ...options });
    adapters.push(created);
    return created;
  };
  const held = (paymentId: string) => sandbox.records.get('payment_intents', paymentId) as HeldIntent;
  const customers = () => [...sandbox.records.collection<{ id: string; email: string | null; metadata: Record<string, string> }>('customers').values()];
  let counter = 0;
  const order = () => `ord-checkout-${(counter += 1)}`;

  beforeAll(async () => {
    sandbox = await startSandbox(createPaymentsSandbox(estate));
  });
  afterEach(() => {
    expect([...sandbox.records.collection(SPEC_VIOLATIONS).values()]).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all(adapters.map((created) => created.close()));
    await sandbox.close();
  });

  it("passes checkout's payment method through: the payment is confirmed with it", async () => {
    const orderId = order();
    const created = await adapter().createPayment({ orderId, customerId: 'cus-00001', amount: money(2_500, 'EUR'), idempotencyKey: `${orderId}:create`, paymentMethod: 'pm_card_mastercard' });
    expect(created).toMatchObject({ status: 'REQUIRES_CONFIRMATION', paymentMethodId: 'pm_card_mastercard' });
    expect(held(created.id).payment_method).toBe('pm_card_mastercard');
    const confirmed = await adapter().confirmPayment({ paymentId: created.id, idempotencyKey: `${orderId}:confirm` });
    expect(confirmed.status).toBe('REQUIRES_CAPTURE');
    expect(confirmed.clientSecret).toBeUndefined();
  });

  it('without a payment method (and no test card) creates the payment unconfirmed, with the client secret the client completes it with', async () => {
    const orderId = order();
    const created = await adapter().createPayment({ orderId, customerId: 'cus-00002', amount: money(1_000, 'EUR'), idempotencyKey: `${orderId}:create` });
    expect(created.status).toBe('REQUIRES_PAYMENT_METHOD');
    expect(created.clientSecret).toBe(held(created.id).client_secret);
    expect(created.paymentMethodId).toBeUndefined();
    expect(held(created.id).payment_method).toBeNull();
    // Nothing to confirm with: the server cannot complete it, the client must.
    await expectIntegrationError(adapter().confirmPayment({ paymentId: created.id, idempotencyKey: `${orderId}:confirm` }), 'UPSTREAM_REJECTED');
  });

  it('reports a card that asks for 3-D Secure as REQUIRES_ACTION with its next action, and reads it authorised once the customer passed it', async () => {
    const orderId = order();
    const gateway = adapter();
    const created = await gateway.createPayment({ orderId, customerId: 'cus-00003', amount: money(4_000, 'EUR'), idempotencyKey: `${orderId}:create`, paymentMethod: 'pm_card_authenticationRequired' });
    const confirmed = await gateway.confirmPayment({ paymentId: created.id, idempotencyKey: `${orderId}:confirm` });
    expect(confirmed).toMatchObject({ status: 'REQUIRES_ACTION', nextAction: { type: 'use_stripe_sdk', redirectUrl: null }, clientSecret: held(created.id).client_secret });

    const passed = await fetch(`${sandbox.url}/_sandbox/payment_intents/${created.id}/authenticate`, { method: 'POST' });
    expect(passed.status).toBe(200);
    const read = (await gateway.findByOrderIds([orderId])).get(orderId);
    expect(read).toMatchObject({ id: created.id, status: 'REQUIRES_CAPTURE' });
    expect(read?.nextAction).toBeUndefined();
  });

  it("makes the payment under the customer's Stripe customer: found by e-mail and our id, made once when there is none, the kept one used as is", async () => {
    const seeded = estate.customers[0]!;
    const first = order();
    const onSeeded = await adapter().createPayment({
      orderId: first,
      customerId: seeded.id,
      amount: money(900, 'EUR'),
      idempotencyKey: `${first}:create`,
      customer: { id: seeded.id, email: seeded.email, name: seeded.name },
    });
    expect(onSeeded.gatewayCustomerId).toBe(seededCustomerId(seeded.id));

    const newcomer = { id: 'cus-checkout-new', email: 'new.buyer@example.com', name: 'New Buyer' };
    const before = customers().length;
    const [a, b] = [order(), order()];
    const paidA = await adapter().createPayment({ orderId: a, customerId: newcomer.id, amount: money(900, 'EUR'), idempotencyKey: `${a}:create`, customer: newcomer });
    const paidB = await adapter().createPayment({ orderId: b, customerId: newcomer.id, amount: money(900, 'EUR'), idempotencyKey: `${b}:create`, customer: newcomer });
    expect(customers().length).toBe(before + 1);
    expect(customers().find((found) => found.id === paidA.gatewayCustomerId)).toMatchObject({ email: newcomer.email, metadata: { customer_id: newcomer.id } });
    expect(paidB.gatewayCustomerId).toBe(paidA.gatewayCustomerId);
    expect(held(paidA.id).customer).toBe(paidA.gatewayCustomerId);

    const c = order();
    const kept = await adapter().createPayment({ orderId: c, customerId: newcomer.id, amount: money(900, 'EUR'), idempotencyKey: `${c}:create`, customer: { ...newcomer, gatewayCustomerId: paidA.gatewayCustomerId! } });
    expect(kept.gatewayCustomerId).toBe(paidA.gatewayCustomerId);
    expect(customers().length).toBe(before + 1);
  });

  it('refuses a payment method that is no PaymentMethod id before calling Stripe', async () => {
    const orderId = order();
    const before = sandbox.stats.snapshot().total;
    await expectIntegrationError(
      adapter().createPayment({ orderId, customerId: 'cus-00004', amount: money(900, 'EUR'), idempotencyKey: `${orderId}:create`, paymentMethod: 'tok_visa' }),
      'UPSTREAM_REJECTED',
    );
    expect(sandbox.stats.snapshot().total).toBe(before);
  });

  it('refuses a test payment method with a live key (live mode never assumes a test card)', () => {
    expect(() => createPaymentsAdapter({ baseUrl: sandbox.url, secretKey: 'sk_live_51Plugboard', testPaymentMethod: 'pm_card_visa' })).toThrow(/test mode only/);
  });
});
