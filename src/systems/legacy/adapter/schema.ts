import { z } from 'zod';

/** What the legacy shop sends (see the sandbox's vocabulary.ts for the shop's conventions). Every column is a string. */

/** First look at an answer: did the shop say ok? */
export const outcomeSchema = z.object({ ok: z.union([z.literal(0), z.literal(1)]) });

/** `{ "ok": 0, "err": "KIND: message" }`. */
export const failureSchema = z.object({ ok: z.literal(0), err: z.string() });

const timestamp = z.string().regex(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/, 'expected a dd.mm.yyyy hh:mm:ss timestamp');
const amount = z.string().regex(/^-?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,4})?$/, 'expected an amount like 1.234,56');

export const customerRowSchema = z.object({
  CUST_NO: z.string().min(1),
  EXT_REF: z.string().min(1),
  E_MAIL: z.string(),
  FULL_NAME: z.string(),
  TEL: z.string(),
  MOD_TS: timestamp,
});
export type CustomerRow = z.infer<typeof customerRowSchema>;

export const LEGACY_STATUS_CODES = ['N', 'B', 'V', 'G', 'S'] as const;

export const orderRowSchema = z.object({
  ORDER_NO: z.string().min(1),
  EXT_REF: z.string().min(1),
  CUST_EXT_REF: z.string().min(1),
  STAT: z.enum(LEGACY_STATUS_CODES),
  SUM_GROSS: amount,
  CURR: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code'),
  MOD_TS: timestamp,
});
export type OrderRow = z.infer<typeof orderRowSchema>;

export const customersAnswerSchema = z.object({ ok: z.literal(1), rows: z.array(customerRowSchema) });
export const ordersAnswerSchema = z.object({ ok: z.literal(1), rows: z.array(orderRowSchema) });

/** A day's changes: one page of rows and the day's count (a string, like every number the shop sends). */
const total = z.string().regex(/^\d+$/, 'expected a count');
export const changedCustomersAnswerSchema = z.object({ ok: z.literal(1), rows: z.array(customerRowSchema), total });
export const changedOrdersAnswerSchema = z.object({ ok: z.literal(1), rows: z.array(orderRowSchema), total });

/** A save answers the row as the shop now holds it. */
export const savedCustomerAnswerSchema = z.object({ ok: z.literal(1), rows: z.tuple([customerRowSchema]) });
export const savedOrderAnswerSchema = z.object({ ok: z.literal(1), rows: z.tuple([orderRowSchema]) });
