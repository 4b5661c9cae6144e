import { z } from 'zod';
import { ORDER_STATUSES } from '../../../domain';

/**
 * What our database answers, as MikroORM's query builder maps it (property names, dates as Date). Validated like any
 * system's payload: a row no migration allows becomes UPSTREAM_BAD_RESPONSE, not a crash further up.
 */

/** A whole number: PostgreSQL answers bigint and count(*) as strings. */
const whole = z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]).pipe(z.number().int());

export const customerRowSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  shippingAddress: z.string().nullable().optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type CustomerRow = z.infer<typeof customerRowSchema>;

export const orderRowSchema = z.object({
  id: z.string(),
  number: z.string(),
  customer: z.string(),
  status: z.enum(ORDER_STATUSES),
  placedAt: z.date(),
  updatedAt: z.date(),
  totalMinor: whole,
  currency: z.string().length(3),
});
export type OrderRow = z.infer<typeof orderRowSchema>;

/** An order numbered within its customer's orders, in page order (1 = newest). */
export const rankedOrderRowSchema = orderRowSchema.extend({ rn: whole });

export const orderLineRowSchema = z.object({
  order: z.string(),
  position: whole,
  sku: z.string(),
  quantity: whole,
  unitPriceMinor: whole,
  currency: z.string().length(3),
});
export type OrderLineRow = z.infer<typeof orderLineRowSchema>;

export const orderCountRowSchema = z.object({ customer: z.string(), total: whole });

export const customerRows = z.array(customerRowSchema);
export const orderRows = z.array(orderRowSchema);
export const rankedOrderRows = z.array(rankedOrderRowSchema);
export const orderLineRows = z.array(orderLineRowSchema);
export const orderCountRows = z.array(orderCountRowSchema);
