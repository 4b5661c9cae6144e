import type { RecordStore } from '../../kit/sandbox';
import {
  CANCELABLE,
  newCharge,
  newPaymentIntent,
  newRefund,
  type CaptureMethod,
  type Charge,
  type Customer,
  type PaymentIntent,
  type Refund,
} from './objects';
import { invalid, StripeFailure, unexpectedState, unixNow } from './wire';

/** An event a state change raises; the route that caused it sends it, with its request id. */
export interface PendingEvent {
  readonly type: string;
  readonly object: object;
  readonly previous?: Record<string, unknown>;
}

/** Test payment methods Stripe declines, with the decline code it gives. */
const DECLINING_METHODS: Readonly<Record<string, string>> = {
  pm_card_chargeDeclined: 'generic_decline',
  pm_card_visa_chargeDeclined: 'generic_decline',
  pm_card_chargeDeclinedInsufficientFunds: 'insufficient_funds',
};

/**
 * Test payment methods whose card asks for 3-D Secure (Stripe's test cards 4000 0027 6000 3184 and 4000 0000 0000
 * 3220): confirming leaves the intent in requires_action until the customer authenticates through Stripe.js.
 */
const AUTHENTICATING_METHODS: ReadonlySet<string> = new Set(['pm_card_authenticationRequired', 'pm_card_threeDSecure2Required']);

/** Collection names in `/_sandbox/records`. */
export const COLLECTIONS = {
  intents: 'payment_intents',
  intentsByOrder: 'payment_intents-by-order',
  customers: 'customers',
  charges: 'charges',
  refunds: 'refunds',
  events: 'events',
} as const;

/**
 * What the payment gateway holds, and Stripe's state machine over it. Objects live in the sandbox's record store
 * (so the window shows them as Stripe would) and are changed in place; routes answer copies. Internal to the sandbox.
 */
export class PaymentsLedger {
  readonly intents: Map<string, PaymentIntent>;
  /** The latest intent for each of our order ids (metadata.order_id). */
  readonly intentsByOrder: Map<string, PaymentIntent>;
  readonly customers: Map<string, Customer>;
  readonly charges: Map<string, Charge>;
  readonly refunds: Map<string, Refund>;

  constructor(records: RecordStore) {
    this.intents = records.collection(COLLECTIONS.intents);
    this.intentsByOrder = records.collection(COLLECTIONS.intentsByOrder);
    this.customers = records.collection(COLLECTIONS.customers);
    this.charges = records.collection(COLLECTIONS.charges);
    this.refunds = records.collection(COLLECTIONS.refunds);
  }

  addIntent(intent: PaymentIntent): void {
    this.intents.set(intent.id, intent);
    const orderId = intent.metadata.order_id;
    if (orderId) this.intentsByOrder.set(orderId, intent);
  }

  addCharge(charge: Charge): void {
    this.charges.set(charge.id, charge);
  }

  addRefund(refund: Refund): void {
    this.refunds.set(refund.id, refund);
  }

  addCustomer(customer: Customer): void {
    this.customers.set(customer.id, customer);
  }

  createIntent(fields: Parameters<typeof newPaymentIntent>[0], events: PendingEvent[]): PaymentIntent {
    if (fields.customer && !this.customers.has(fields.customer)) {
      throw invalid(`No such customer: '${fields.customer}'`, { code: 'resource_missing', param: 'customer' });
    }
    const intent = newPaymentIntent(fields);
    this.addIntent(intent);
    events.push({ type: 'payment_intent.created', object: intent });
    return intent;
  }

  /**
   * requires_payment_method | requires_confirmation -> requires_capture (manual) or succeeded; a decline -> 402; a card
   * that asks for 3-D Secure -> requires_action, until {@link PaymentsLedger.authenticate}.
   */
  confirm(
    intent: PaymentIntent,
    change: { paymentMethod?: string; captureMethod?: CaptureMethod; authenticated?: boolean },
    events: PendingEvent[],
  ): PaymentIntent {
    const confirmable = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
    if (!confirmable.includes(intent.status)) {
      throw unexpectedState(
        `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with ` +
          'one of the following statuses may be confirmed: requires_payment_method, requires_confirmation, requires_action.',
      );
    }
    const previous = { status: intent.status };
    if (change.paymentMethod) intent.payment_method = change.paymentMethod;
    if (change.captureMethod) intent.capture_method = change.captureMethod;
    if (!intent.payment_method) {
      throw unexpectedState(
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a " +
          'payment method and then confirm it again.',
      );
    }
    if (AUTHENTICATING_METHODS.has(intent.payment_method) && !change.authenticated) {
      intent.status = 'requires_action';
      intent.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: {
          type: 'three_d_secure_redirect',
          stripe_js: `https://hooks.stripe.com/redirect/authenticate/${intent.id}`,
          source: `src_${intent.id.slice(3)}`,
        },
      };
      if (previous.status !== 'requires_action') events.push({ type: 'payment_intent.requires_action', object: intent, previous });
      return intent;
    }
    intent.next_action = null;
    const declineCode = DECLINING_METHODS[intent.payment_method];
    const manual = intent.capture_method === 'manual';
    const charge = newCharge(intent, {
      captured: !manual,
      ...(declineCode ? { declined: { code: 'card_declined', message: 'Your card was declined.' } } : {}),
    });
    this.addCharge(charge);
    intent.latest_charge = charge.id;
    if (declineCode) {
      intent.last_payment_error = {
        type: 'card_error',
        code: 'card_declined',
        decline_code: declineCode,
        message: 'Your card was declined.',
        charge: charge.id,
        payment_method: {
          id: intent.payment_method,
          object: 'payment_method',
          billing_details: { address: null, email: null, name: null, phone: null },
          created: intent.created,
          customer: intent.customer,
          livemode: false,
          metadata: {},
          type: 'card',
        },
      };
      intent.payment_method = null;
      intent.status = 'requires_payment_method';
      events.push({ type: 'payment_intent.payment_failed', object: intent, previous });
      throw new StripeFailure(
        402,
        {
          type: 'card_error',
          code: 'card_declined',
          decline_code: declineCode,
          message: 'Your card was declined.',
          payment_intent: structuredClone(intent),
        },
        true,
      );
    }
    intent.last_payment_error = null;
    if (manual) {
      intent.status = 'requires_capture';
      intent.amount_capturable = intent.amount;
      events.push({ type: 'payment_intent.amount_capturable_updated', object: intent, previous });
    } else {
      intent.status = 'succeeded';
      intent.amount_received = intent.amount;
      events.push({ type: 'payment_intent.succeeded', object: intent, previous });
    }
    return intent;
  }

  /**
   * The customer passed 3-D Secure (what Stripe.js's handleNextAction does with the client secret): requires_action
   * goes on as a confirmation with the card would.
   */
  authenticate(intent: PaymentIntent, events: PendingEvent[]): PaymentIntent {
    if (intent.status !== 'requires_action') {
      throw unexpectedState(`This PaymentIntent has a status of ${intent.status}; only one in requires_action can be authenticated.`);
    }
    return this.confirm(intent, { authenticated: true }, events);
  }

  /** requires_capture -> succeeded, capturing all or part of what was authorised. */
  capture(intent: PaymentIntent, amountToCapture: number | undefined, events: PendingEvent[]): PaymentIntent {
    if (intent.status !== 'requires_capture') {
      throw unexpectedState(
        `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent ` +
          'with one of the following statuses may be captured: requires_capture.',
      );
    }
    const amount = amountToCapture ?? intent.amount_capturable;
    if (amount > intent.amount_capturable) {
      throw invalid(
        `The amount to capture (${amount}) must be less than or equal to the amount capturable (${intent.amount_capturable}).`,
        { code: 'amount_too_large', param: 'amount_to_capture' },
      );
    }
    if (amount < 1) {
      throw invalid('Amount to capture must be at least 1.', { code: 'amount_too_small', param: 'amount_to_capture' });
    }
    const charge = intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
    if (charge) {
      charge.captured = true;
      charge.amount_captured = amount;
      events.push({ type: 'charge.captured', object: charge, previous: { captured: false, amount_captured: 0 } });
    }
    const previous = { status: intent.status, amount_capturable: intent.amount_capturable, amount_received: 0 };
    intent.amount_received = amount;
    intent.amount_capturable = 0;
    intent.status = 'succeeded';
    events.push({ type: 'payment_intent.succeeded', object: intent, previous });
    return intent;
  }

  cancel(intent: PaymentIntent, reason: string | undefined, events: PendingEvent[]): PaymentIntent {
    if (!CANCELABLE.includes(intent.status)) {
      throw unexpectedState(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with ` +
          `one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      );
    }
    const previous = { status: intent.status, amount_capturable: intent.amount_capturable };
    intent.status = 'canceled';
    intent.canceled_at = unixNow();
    intent.cancellation_reason = reason ?? null;
    intent.amount_capturable = 0;
    events.push({ type: 'payment_intent.canceled', object: intent, previous });
    return intent;
  }

  /** Refunds all or part of what an intent's charge captured and has not refunded yet. */
  refund(
    intent: PaymentIntent,
    fields: { amount?: number; reason?: string; metadata?: Record<string, string> },
    events: PendingEvent[],
  ): Refund {
    const charge = intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
    if (intent.status !== 'succeeded' || !charge || !charge.captured) {
      throw unexpectedState(
        `This PaymentIntent (${intent.id}) does not have a successful charge to refund: its status is ${intent.status}.`,
      );
    }
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining <= 0) {
      throw new StripeFailure(
        400,
        {
          type: 'invalid_request_error',
          code: 'charge_already_refunded',
          message: `Charge ${charge.id} has already been refunded.`,
        },
        true,
      );
    }
    const amount = fields.amount ?? remaining;
    if (amount > remaining) {
      throw invalid(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining}).`,
        { code: 'amount_too_large', param: 'amount' },
      );
    }
    if (amount < 1) throw invalid('Refund amount must be at least 1.', { code: 'amount_too_small', param: 'amount' });
    const refund = newRefund(charge, { amount, reason: fields.reason ?? null, metadata: fields.metadata ?? {} });
    this.addRefund(refund);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount_captured;
    events.push({ type: 'refund.created', object: refund });
    events.push({ type: 'charge.refunded', object: charge, previous });
    return refund;
  }
}
