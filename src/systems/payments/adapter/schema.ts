import { z } from 'zod';

/**
 * What Stripe sends, as far as the adapter reads it. Objects come back from the SDK as parsed JSON; nothing in them
 * is trusted until it passed these schemas. Internal to the adapter.
 */

const minorUnits = z.number().int().nonnegative();
const currency = z.string().regex(/^[a-zA-Z]{3}$/, 'expected a three-letter ISO 4217 currency code');

/** The charge behind an intent; the adapter always asks for it expanded (`expand: ['latest_charge']`). */
export const chargeSchema = z.object({
  id: z.string().min(1),
  object: z.literal('charge'),
  amount: minorUnits,
  amount_captured: minorUnits,
  amount_refunded: minorUnits,
  captured: z.boolean(),
  currency,
});

export const INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
] as const;

/** An id, or the object it names when expanded: the adapter reads only the id. */
const idOrObject = z.union([z.string().min(1), z.looseObject({ id: z.string().min(1) })]);

/** What the client must do for an intent in requires_action (3-D Secure through Stripe.js, or a redirect). */
const nextActionSchema = z.looseObject({
  type: z.string().min(1),
  redirect_to_url: z.looseObject({ url: z.string().nullish() }).nullish(),
});

export const paymentIntentSchema = z.object({
  id: z.string().min(1),
  object: z.literal('payment_intent'),
  amount: minorUnits,
  currency,
  status: z.enum(INTENT_STATUSES),
  created: z.number().int().positive(),
  // Our intents carry our order id; one made elsewhere in the account (the Dashboard, another integration) does not,
  // and is still a Stripe payment intent: read, it belongs to no order of ours (stripe-mock answers such fixtures).
  metadata: z.looseObject({ order_id: z.string().min(1).optional() }),
  latest_charge: z.union([chargeSchema, z.null()], {
    error: 'expected the expanded charge object or null (was latest_charge expanded?)',
  }),
  // Optional below: Stripe always sends them, but an answer without them still says what the adapter needs.
  client_secret: z.string().min(1).nullish(),
  next_action: nextActionSchema.nullish(),
  payment_method: idOrObject.nullish(),
  customer: idOrObject.nullish(),
});
export type StripePaymentIntent = z.infer<typeof paymentIntentSchema>;

export const paymentIntentSearchSchema = z.object({
  object: z.literal('search_result'),
  data: z.array(paymentIntentSchema),
  has_more: z.boolean(),
  // Optional: Stripe leaves it out of the last page (has_more false); null is read the same way.
  next_page: z.string().min(1).nullish(),
});

/** Stripe's customers, as far as the adapter finds and makes them: ours carry our id in `metadata.customer_id`. */
export const customerSchema = z.object({
  id: z.string().min(1),
  object: z.literal('customer'),
  metadata: z.record(z.string(), z.string()),
});

export const customerListSchema = z.object({
  object: z.literal('list'),
  data: z.array(customerSchema),
  has_more: z.boolean(),
});

/**
 * A refund, with its payment intent (and that intent's charge) expanded as asked; a server that answers the id only
 * (stripe-mock does not expand it) leaves the adapter to read the intent itself.
 */
export const refundSchema = z.object({
  id: z.string().min(1),
  object: z.literal('refund'),
  amount: minorUnits,
  payment_intent: z.union([paymentIntentSchema, z.string().min(1)]),
});
