import { money, type Payment, type PaymentStatus } from '../../../domain';
import { batchesWithin, encodedBytes } from '../../kit/adapter';
import type { StripePaymentIntent } from './schema';

/** Stripe's vocabulary <-> ours. Internal to the adapter. */

const STATUS: Readonly<Record<StripePaymentIntent['status'], PaymentStatus>> = {
  requires_payment_method: 'REQUIRES_PAYMENT_METHOD',
  requires_confirmation: 'REQUIRES_CONFIRMATION',
  requires_action: 'REQUIRES_ACTION',
  processing: 'PROCESSING',
  requires_capture: 'REQUIRES_CAPTURE',
  succeeded: 'SUCCEEDED',
  canceled: 'CANCELED',
};

/** States the client completes with the intent's client secret (Stripe.js): only then is the secret passed on. */
const CLIENT_COMPLETES: ReadonlySet<PaymentStatus> = new Set(['REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION', 'REQUIRES_ACTION']);

const idOf = (value: string | { id: string } | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : typeof value === 'string' ? value : value.id;

/**
 * An intent as a payment: amounts in minor units as Stripe has them, currency upper case, refunds from its charge.
 * The client secret only while the client has something to do, the next action only in REQUIRES_ACTION, and the
 * payment method and Stripe customer when the intent has them (absent, not null, otherwise).
 */
export function toPayment(intent: StripePaymentIntent): Payment {
  const status = STATUS[intent.status];
  const paymentMethodId = idOf(intent.payment_method);
  const gatewayCustomerId = idOf(intent.customer);
  return {
    id: intent.id,
    orderId: intent.metadata.order_id ?? '',
    status,
    amount: money(intent.amount, intent.currency),
    refunded: money(intent.latest_charge?.amount_refunded ?? 0, intent.currency),
    createdAt: new Date(intent.created * 1000),
    ...(CLIENT_COMPLETES.has(status) && intent.client_secret ? { clientSecret: intent.client_secret } : {}),
    ...(status === 'REQUIRES_ACTION'
      ? { nextAction: intent.next_action ? { type: intent.next_action.type, redirectUrl: intent.next_action.redirect_to_url?.url ?? null } : null }
      : {}),
    ...(paymentMethodId ? { paymentMethodId } : {}),
    ...(gatewayCustomerId ? { gatewayCustomerId } : {}),
  };
}

/**
 * A search query for the intents of some orders: `metadata['order_id']:'a' OR metadata['order_id']:'b'`.
 * Quotes and backslashes inside an id are escaped with a backslash, as Stripe's query language wants, so that an id
 * can never end its string and add clauses of its own.
 */
export function orderIdsQuery(orderIds: readonly string[]): string {
  return orderIds.map((orderId) => `metadata['order_id']:'${orderId.replace(/[\\']/g, (char) => `\\${char}`)}'`).join(' OR ');
}

/**
 * Splits order ids into search queries of at most `maxClauses` clauses and at most `maxQueryBytes` bytes once
 * URL-encoded (Stripe's search is a GET: the query rides in the URL, and a server refuses a URL past its limit with
 * 414 or 431).
 */
export function searchQueriesFor(orderIds: readonly string[], maxClauses: number, maxQueryBytes: number): string[][] {
  return batchesWithin(orderIds, {
    maxCount: maxClauses,
    maxBytes: maxQueryBytes,
    separatorBytes: encodedBytes(' OR '),
    sizeOf: (orderId) => encodedBytes(orderIdsQuery([orderId])),
  });
}

/** Keeps the latest payment per order: the newest `created`, and among equals the first Stripe listed (newest first). */
export function keepLatest(found: Map<string, Payment>, payment: Payment): void {
  const seen = found.get(payment.orderId);
  if (!seen || payment.createdAt.getTime() > seen.createdAt.getTime()) found.set(payment.orderId, payment);
}
