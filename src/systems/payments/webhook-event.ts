import { z } from 'zod';
import { textProblem } from '../../domain/text';

/** Internal to the payments system: a payment gateway's (Stripe's) event, as far as we read it. */

const stripeId = (prefix: string) =>
  z.string().max(255).regex(new RegExp(`^${prefix}_[A-Za-z0-9]+$`), `expected a Stripe id starting ${prefix}_`);

/** An event as Stripe sends it; nothing in it is used before it passed this schema. */
export const stripeEventSchema = z.object({
  id: stripeId('evt'),
  object: z.literal('event'),
  type: z.string().min(1).max(128).regex(/^[a-z_]+(\.[a-z_]+)+$/, 'expected an event type such as payment_intent.succeeded'),
  created: z.number().int().nonnegative(),
  data: z.object({
    object: z.looseObject({
      id: z.string().min(1).max(255),
      object: z.string().min(1).max(64),
      metadata: z.record(z.string(), z.string()).optional(),
    }),
  }),
});
export type StripeEvent = z.infer<typeof stripeEventSchema>;

/** Objects whose events change what the graph shows of a payment (its status, amount or refunds). */
const PAYMENT_OBJECTS = new Set(['payment_intent', 'charge']);

/** What an event changed of ours: nothing we read, an order's payment, or an order named in a form no order has. */
export type EventSubject =
  | { readonly kind: 'none' }
  | { readonly kind: 'order'; readonly orderId: string }
  | { readonly kind: 'unusable'; readonly reason: string };

/** Longest order id an event may name (our ids are far shorter; Stripe's metadata values go to 500). */
const MAX_ORDER_ID = 255;

/**
 * The order whose payment an event changed. Payment intents carry our order id in `metadata.order_id`, and their
 * charges inherit it (a refund event is followed by a `charge.refunded` that carries it). An order id that is no
 * usable text (a NUL, a control character, a lone surrogate, too long) makes the event unusable: it can never apply,
 * however often it is sent.
 */
export function subjectOf(event: StripeEvent): EventSubject {
  const object = event.data.object;
  if (!PAYMENT_OBJECTS.has(object.object)) return { kind: 'none' };
  const orderId = object.metadata?.order_id;
  if (orderId === undefined || orderId === '') return { kind: 'none' };
  const problem = textProblem(orderId, { max: MAX_ORDER_ID });
  return problem ? { kind: 'unusable', reason: `its metadata.order_id ${problem}` } : { kind: 'order', orderId };
}
