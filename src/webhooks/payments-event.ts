import { z } from 'zod';

/** Internal to src/webhooks: a payment gateway's (Stripe's) event, as far as we read it. */

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

/**
 * The order whose payment an event changed, or `undefined` when it changed nothing the graph reads. Payment intents
 * carry our order id in `metadata.order_id`, and their charges inherit it (a refund event is followed by a
 * `charge.refunded` that carries it).
 */
export function changedOrderOf(event: StripeEvent): string | undefined {
  const object = event.data.object;
  if (!PAYMENT_OBJECTS.has(object.object)) return undefined;
  const orderId = object.metadata?.order_id;
  return orderId && orderId.length <= 255 ? orderId : undefined;
}
