import type { ZodType } from 'zod';
import { IntegrationError, type CallOptions, type Payment, type PaymentGateway } from '../../../domain';
import { validate, type CallSite } from '../../kit/adapter';
import { createStripeClient } from './client';
import { gatewayCustomerFor } from './customers';
import { errorFromStripe } from './errors';
import { keepLatest, orderIdsQuery, searchQueriesFor, toPayment } from './mapper';
import { paymentIntentSchema, paymentIntentSearchSchema, refundSchema } from './schema';

export interface PaymentsAdapterOptions {
  /** Where Stripe (or the payments sandbox) answers: a host root, e.g. "https://api.stripe.com". */
  readonly baseUrl: string;
  /** The secret (or restricted) API key, `sk_test_...` / `sk_live_...` / `rk_...`. */
  readonly secretKey: string;
  /** The system name errors carry. @default 'payments' */
  readonly system?: string;
  /**
   * Most order ids per search call: each id is one clause, and Stripe allows 10 clauses per query. Raise it only
   * against a gateway that allows more (the demo's sandbox does). @default 10
   */
  readonly maxSearchClauses?: number;
  /**
   * Most bytes of one search query once URL-encoded: searches are GETs, and a URL past the server's limit is refused
   * (414/431) before the vendor reads it. Batches are split by clause count and by this budget. @default 6144
   */
  readonly maxSearchQueryBytes?: number;
  /** Longest wait for one HTTP request, a backstop behind the caller's signal. @default 30000 */
  readonly timeoutMs?: number;
  /**
   * A Stripe test payment method (`pm_card_visa`) new intents are created with when the request carries none, so that
   * the server can confirm them without a checkout: for the estate and tests only. Refused with a live key, where a
   * payment without a method waits for the client (REQUIRES_PAYMENT_METHOD, completed with its client secret).
   * @default none
   */
  readonly testPaymentMethod?: string;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
}

/** The payment gateway port over Stripe, plus the connection pool it owns. */
export interface PaymentsAdapter extends PaymentGateway, AsyncDisposable {
  close(): Promise<void>;
}

/** What a Stripe object id looks like: a prefix, an underscore, letters and digits (`pi_3Mtw…`). */
const STRIPE_ID = /^[A-Za-z0-9_]{1,255}$/;
/** A PaymentMethod id from checkout (`pm_…`; Stripe's test methods such as `pm_card_visa` have the same shape). */
const PAYMENT_METHOD_ID = /^pm_[A-Za-z0-9_]{1,250}$/;
/** Live-mode secret and restricted keys. */
const LIVE_KEY = /^(sk|rk)_live_/;
/** Stripe answers at most 100 results per search page. */
const SEARCH_PAGE_SIZE = 100;
/** Payments are read with their charge, which holds what was refunded. */
const WITH_CHARGE = ['latest_charge'];

/**
 * The payment gateway adapter: Stripe payment intents through the official `stripe` SDK. Payments are authorised
 * on confirmation and captured separately (capture_method manual). Each order's payments carry our order id in
 * `metadata.order_id`; batch reads find them with Stripe's search, one search call per `maxSearchClauses` orders
 * (fewer when their query would pass `maxSearchQueryBytes`).
 * Stripe's search is eventually consistent (an intent can take up to a minute to appear), so reads right after a
 * write should use the payment the write answered.
 */
export function createPaymentsAdapter(options: PaymentsAdapterOptions): PaymentsAdapter {
  const system = options.system ?? 'payments';
  const maxSearchClauses = options.maxSearchClauses ?? 10;
  if (!Number.isInteger(maxSearchClauses) || maxSearchClauses < 1) {
    throw new RangeError(`payments adapter: maxSearchClauses must be a whole number of at least 1, got ${maxSearchClauses}`);
  }
  const maxSearchQueryBytes = options.maxSearchQueryBytes ?? 6_144;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const testPaymentMethod = options.testPaymentMethod;
  if (testPaymentMethod !== undefined && LIVE_KEY.test(options.secretKey)) {
    throw new RangeError('payments adapter: testPaymentMethod is for test mode only; with a live key a payment without a method waits for the client');
  }
  if (testPaymentMethod !== undefined && !PAYMENT_METHOD_ID.test(testPaymentMethod)) {
    throw new RangeError(`payments adapter: testPaymentMethod must be a PaymentMethod id (pm_…), got ${testPaymentMethod}`);
  }
  const client = createStripeClient({ baseUrl: options.baseUrl, secretKey: options.secretKey, timeoutMs, maxResponseBytes: options.maxResponseBytes, system });
  const { stripe } = client;

  /** One SDK call: the caller's signal reaches the transport, SDK errors become ours, the answer is validated. */
  const call = async <T>(
    operation: string,
    callOptions: CallOptions | undefined,
    schema: ZodType<T>,
    run: () => Promise<unknown>,
  ): Promise<T> => {
    const site: CallSite = { system, operation };
    const signal = callOptions?.signal;
    if (signal?.aborted) throw errorFromStripe(site, signal.reason, signal);
    let answer: unknown;
    try {
      answer = await client.withSignal(signal, run, operation);
    } catch (error) {
      throw errorFromStripe(site, error, signal);
    }
    return validate(site, schema, answer);
  };

  // The SDK puts the id in the URL path (encoded, but `..` stays `..`): only Stripe-shaped ids are sent at all.
  const requirePaymentId = (operation: string, paymentId: string): void => {
    const reason = !paymentId ? 'a payment id is required' : STRIPE_ID.test(paymentId) ? undefined : 'not a payment id (letters, digits and _ only)';
    if (reason) throw new IntegrationError('UPSTREAM_REJECTED', `${system} ${operation}: ${reason}`, { system, operation, reason });
  };

  const findByOrderIds = async (keys: readonly string[], callOptions?: CallOptions): Promise<ReadonlyMap<string, Payment>> => {
    const wanted = [...new Set(keys)].filter((key) => key !== '');
    const found = new Map<string, Payment>();
    const searchChunk = async (orderIds: string[]): Promise<void> => {
      const asked = new Set(orderIds);
      const query = orderIdsQuery(orderIds);
      let page: string | undefined;
      do {
        const next = page;
        const result = await call('findByOrderIds', callOptions, paymentIntentSearchSchema, () =>
          stripe.paymentIntents.search({
            query,
            limit: SEARCH_PAGE_SIZE,
            expand: ['data.latest_charge'],
            ...(next ? { page: next } : {}),
          }),
        );
        for (const intent of result.data) {
          const payment = toPayment(intent);
          if (asked.has(payment.orderId)) keepLatest(found, payment);
        }
        page = result.has_more ? (result.next_page ?? undefined) : undefined;
      } while (page);
    };
    await Promise.all(searchQueriesFor(wanted, maxSearchClauses, maxSearchQueryBytes).map(searchChunk));
    return found;
  };

  /**
   * With a payment method (checkout's, or the test one) the intent is created ready to confirm; without one it waits
   * for the client (REQUIRES_PAYMENT_METHOD: Stripe.js completes it with the payment's client secret). Made under the
   * customer's Stripe customer when the request names the customer.
   */
  const createPayment: PaymentGateway['createPayment'] = async (input, callOptions) => {
    const paymentMethod = input.paymentMethod ?? testPaymentMethod;
    if (paymentMethod && !PAYMENT_METHOD_ID.test(paymentMethod)) {
      const reason = `not a payment method id (pm_…): ${JSON.stringify(paymentMethod.slice(0, 40))}`;
      throw new IntegrationError('UPSTREAM_REJECTED', `${system} createPayment: ${reason}`, { system, operation: 'createPayment', reason });
    }
    const customer = input.customer ? await gatewayCustomerFor({ system, stripe, call }, input.customer, input.idempotencyKey, callOptions) : undefined;
    const intent = await call('createPayment', callOptions, paymentIntentSchema, () =>
      stripe.paymentIntents.create(
        {
          amount: input.amount.minor,
          currency: input.amount.currency.toLowerCase(),
          capture_method: 'manual',
          ...(paymentMethod ? { payment_method: paymentMethod } : {}),
          ...(customer ? { customer } : {}),
          // The payment methods enabled in the account that need no redirect (cards, wallets), so that a server-side
          // confirm needs no return_url. Accepted by the SDK's pinned 2026-10-28 version and by earlier ones, where
          // allowed_payment_method_types (which 2026-10-28 has instead of payment_method_types) is refused by the
          // earlier ones, stripe-mock built from its 2025-11 spec among them (docs/estate.md).
          // https://docs.stripe.com/api/payment_intents/create#create_payment_intent-automatic_payment_methods
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          metadata: { order_id: input.orderId, customer_id: input.customerId },
          expand: WITH_CHARGE,
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return toPayment(intent);
  };

  const confirmPayment: PaymentGateway['confirmPayment'] = async (input, callOptions) => {
    requirePaymentId('confirmPayment', input.paymentId);
    const intent = await call('confirmPayment', callOptions, paymentIntentSchema, () =>
      stripe.paymentIntents.confirm(input.paymentId, { expand: WITH_CHARGE }, { idempotencyKey: input.idempotencyKey }),
    );
    return toPayment(intent);
  };

  const capturePayment: PaymentGateway['capturePayment'] = async (input, callOptions) => {
    requirePaymentId('capturePayment', input.paymentId);
    const intent = await call('capturePayment', callOptions, paymentIntentSchema, () =>
      stripe.paymentIntents.capture(input.paymentId, { expand: WITH_CHARGE }, { idempotencyKey: input.idempotencyKey }),
    );
    return toPayment(intent);
  };

  const cancelPayment: PaymentGateway['cancelPayment'] = async (input, callOptions) => {
    requirePaymentId('cancelPayment', input.paymentId);
    const intent = await call('cancelPayment', callOptions, paymentIntentSchema, () =>
      stripe.paymentIntents.cancel(input.paymentId, { expand: WITH_CHARGE }, { idempotencyKey: input.idempotencyKey }),
    );
    return toPayment(intent);
  };

  const refundPayment: PaymentGateway['refundPayment'] = async (input, callOptions) => {
    requirePaymentId('refundPayment', input.paymentId);
    const amount = input.amount;
    if (amount) {
      // Stripe takes a refund amount in the charge's currency without naming it: check it before money moves.
      const intent = await call('refundPayment', callOptions, paymentIntentSchema, () =>
        stripe.paymentIntents.retrieve(input.paymentId, { expand: WITH_CHARGE }),
      );
      if (intent.currency.toUpperCase() !== amount.currency.toUpperCase()) {
        const reason = `refund in ${amount.currency.toUpperCase()} asked for a payment in ${intent.currency.toUpperCase()}`;
        throw new IntegrationError('UPSTREAM_REJECTED', `${system} refundPayment: ${reason}`, {
          system,
          operation: 'refundPayment',
          reason,
        });
      }
    }
    const refund = await call('refundPayment', callOptions, refundSchema, () =>
      stripe.refunds.create(
        {
          payment_intent: input.paymentId,
          ...(amount ? { amount: amount.minor } : {}),
          expand: ['payment_intent.latest_charge'],
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    if (typeof refund.payment_intent !== 'string') return toPayment(refund.payment_intent);
    const intentId = refund.payment_intent;
    return toPayment(
      await call('refundPayment', callOptions, paymentIntentSchema, () => stripe.paymentIntents.retrieve(intentId, { expand: WITH_CHARGE })),
    );
  };

  const close = (): Promise<void> => client.close();
  return {
    findByOrderIds,
    createPayment,
    confirmPayment,
    capturePayment,
    cancelPayment,
    refundPayment,
    close,
    [Symbol.asyncDispose]: close,
  };
}
