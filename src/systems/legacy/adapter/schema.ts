import { z } from 'zod';
import { ORDER_STATUSES } from '../woocommerce/schemas';

/**
 * What the adapter reads of WooCommerce's answers (the published schema is ../woocommerce/schemas.ts; these are the
 * fields the mapping needs, the rest is let through unread).
 */

const gmt = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, 'expected a YYYY-MM-DDTHH:MM:SS time');
const amount = z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal amount like 1990.55');
const meta = z.array(z.object({ key: z.string(), value: z.unknown() }).passthrough());

export const customerSchema = z
  .object({
    id: z.number().int().positive(),
    date_created_gmt: gmt,
    date_modified_gmt: gmt.nullable(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    billing: z.object({ phone: z.string().optional() }).passthrough(),
    meta_data: meta,
  })
  .passthrough();
export type WooCustomerRead = z.infer<typeof customerSchema>;

export const orderSchema = z
  .object({
    id: z.number().int().positive(),
    number: z.string(),
    status: z.enum(ORDER_STATUSES),
    currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code'),
    total: amount,
    customer_id: z.number().int().nonnegative(),
    date_modified_gmt: gmt,
    meta_data: meta,
  })
  .passthrough();
export type WooOrderRead = z.infer<typeof orderSchema>;

export const customersSchema = z.array(customerSchema);
export const ordersSchema = z.array(orderSchema);

/** WordPress's error body. */
export const errorSchema = z.object({ code: z.string(), message: z.string(), data: z.object({ status: z.number() }).passthrough().optional() });
