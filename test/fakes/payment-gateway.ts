import { money, type Payment, type PaymentGateway, type PaymentRequest, type PaymentStatus } from '../../src/domain';
import { createFaultSwitch, createKeyMemory, rejected, type FaultSwitch, type FakeSleep } from './fault-switch';

export interface FakePaymentGatewayOptions {
  /** Payments the gateway holds from the start. */
  readonly payments?: readonly Payment[];
  /** @default "payments" */
  readonly system?: string;
  readonly now?: () => Date;
  readonly sleep?: FakeSleep;
}

/** The payment gateway in memory: its payments in the order they were made, what it was asked, its fault switch. */
export interface FakePaymentGateway {
  readonly gateway: PaymentGateway;
  readonly system: string;
  /** Every payment held, oldest first (an order's latest is its last). */
  readonly payments: Map<string, Payment>;
  /** Every createPayment request it was sent, in order (retries included). */
  readonly requests: PaymentRequest[];
  readonly faults: FaultSwitch;
}

/** The moves a payment can make, as Stripe allows them: from which statuses, to which. */
const MOVES = {
  confirm: { from: ['REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION'], to: 'REQUIRES_CAPTURE' },
  capture: { from: ['REQUIRES_CAPTURE'], to: 'SUCCEEDED' },
  cancel: { from: ['REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION', 'REQUIRES_ACTION', 'REQUIRES_CAPTURE'], to: 'CANCELED' },
} as const satisfies Record<string, { from: readonly PaymentStatus[]; to: PaymentStatus }>;

/** Stripe's test payment method whose confirmation requires 3-D Secure. */
export const THREE_D_SECURE = 'pm_card_authenticationRequired';

export function createFakePaymentGateway(options: FakePaymentGatewayOptions = {}): FakePaymentGateway {
  const system = options.system ?? 'payments';
  const now = options.now ?? (() => new Date());
  const faults = createFaultSwitch({ system, ...(options.sleep ? { sleep: options.sleep } : {}) });
  const once = createKeyMemory();
  const payments = new Map((options.payments ?? []).map((payment) => [payment.id, payment]));
  let nextId = 1;
  const requests: PaymentRequest[] = [];

  const held = (paymentId: string, operation: string): Payment => {
    const found = payments.get(paymentId);
    if (!found) throw rejected(system, operation, `no such payment_intent: ${paymentId}`);
    return found;
  };
  const move = (paymentId: string, operation: keyof typeof MOVES): Payment => {
    const payment = held(paymentId, operation);
    const { from, to } = MOVES[operation];
    if (!(from as readonly PaymentStatus[]).includes(payment.status)) {
      throw rejected(system, operation, `cannot ${operation} a payment in status ${payment.status}`);
    }
    // Stripe's test method that always asks for 3-D Secure: confirming leaves the payment to the client.
    const next: Payment =
      operation === 'confirm' && payment.paymentMethodId === THREE_D_SECURE
        ? { ...payment, status: 'REQUIRES_ACTION', nextAction: { type: 'use_stripe_sdk', redirectUrl: null } }
        : { ...payment, status: to, nextAction: null };
    payments.set(paymentId, next);
    return next;
  };

  const gateway: PaymentGateway = {
    async findByOrderIds(orderIds, callOptions) {
      if (orderIds.length === 0) return new Map();
      await faults.enter('search', callOptions?.signal);
      const wanted = new Set(orderIds);
      const latest = new Map<string, Payment>();
      for (const payment of payments.values()) if (wanted.has(payment.orderId)) latest.set(payment.orderId, payment);
      return latest;
    },
    async createPayment(request, callOptions) {
      const { orderId, amount, idempotencyKey, paymentMethod, customer } = request;
      requests.push(request);
      await faults.enter('create', callOptions?.signal);
      return once('create', idempotencyKey, () => {
        const id = `pi_fake${String(nextId++).padStart(6, '0')}`;
        const payment: Payment = {
          id,
          orderId,
          // As Stripe: without a payment method the intent waits for one.
          status: paymentMethod ? 'REQUIRES_CONFIRMATION' : 'REQUIRES_PAYMENT_METHOD',
          amount,
          refunded: money(0, amount.currency),
          createdAt: now(),
          clientSecret: `${id}_secret_fake`,
          paymentMethodId: paymentMethod ?? null,
          gatewayCustomerId: customer ? (customer.gatewayCustomerId ?? `cus_fake_${customer.id}`) : null,
        };
        // Re-inserted last: the newest payment of an order is the one its reads answer.
        payments.set(payment.id, payment);
        return payment;
      });
    },
    async confirmPayment({ paymentId, idempotencyKey }, callOptions) {
      await faults.enter('confirm', callOptions?.signal);
      return once('confirm', idempotencyKey, () => move(paymentId, 'confirm'));
    },
    async capturePayment({ paymentId, idempotencyKey }, callOptions) {
      await faults.enter('capture', callOptions?.signal);
      return once('capture', idempotencyKey, () => move(paymentId, 'capture'));
    },
    async cancelPayment({ paymentId, idempotencyKey }, callOptions) {
      await faults.enter('cancel', callOptions?.signal);
      return once('cancel', idempotencyKey, () => move(paymentId, 'cancel'));
    },
    async refundPayment({ paymentId, amount, idempotencyKey }, callOptions) {
      await faults.enter('refund', callOptions?.signal);
      return once('refund', idempotencyKey, () => {
        const payment = held(paymentId, 'refund');
        if (payment.status !== 'SUCCEEDED') throw rejected(system, 'refund', `cannot refund a payment in status ${payment.status}`);
        const left = payment.amount.minor - payment.refunded.minor;
        const minor = amount?.minor ?? left;
        if (minor <= 0 || minor > left) throw rejected(system, 'refund', `cannot refund ${minor}: ${left} left to refund`);
        const next = { ...payment, refunded: money(payment.refunded.minor + minor, payment.amount.currency) };
        payments.set(paymentId, next);
        return next;
      });
    },
  };

  return { gateway, system, payments, requests, faults };
}
