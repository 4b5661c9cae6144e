import { z } from 'zod';

/**
 * Internal to the Xero adapter: what it reads of Xero's answers, as Xero's OpenAPI description names them
 * (../xero-accounting.trimmed.json). Only the fields read are checked; the rest of each object passes untouched.
 */

/** Xero's JSON dates: `/Date(1552262400000+0000)/` (milliseconds since the epoch, and an offset Xero sets to UTC). */
export const xeroDateSchema = z.string().regex(/^\/Date\(-?\d+([+-]\d{4})?\)\/$/, 'a Xero /Date(ms)/ value');

export const invoiceSchema = z.object({
  InvoiceID: z.string().uuid(),
  Type: z.string(),
  InvoiceNumber: z.string(),
  Reference: z.string().optional(),
  Status: z.enum(['DRAFT', 'SUBMITTED', 'DELETED', 'AUTHORISED', 'PAID', 'VOIDED']),
  Total: z.number(),
  AmountDue: z.number(),
  CurrencyCode: z.string().length(3),
  UpdatedDateUTC: xeroDateSchema,
});
export type XeroInvoice = z.infer<typeof invoiceSchema>;

/** The envelope of GET and POST /Invoices (the `Invoices` schema). */
export const invoicesSchema = z.object({ Invoices: z.array(invoiceSchema) });

/** Xero's error body (the `Error` schema): a ValidationException carries its messages per element. */
export const errorSchema = z.object({
  ErrorNumber: z.number().optional(),
  Type: z.string().optional(),
  Message: z.string().optional(),
  Elements: z.array(z.object({ ValidationErrors: z.array(z.object({ Message: z.string().optional() })).optional() })).optional(),
});

/** Xero's problem body for 401/403/429 (its identity and API gateways). */
export const problemSchema = z.object({ Title: z.string().optional(), Detail: z.string().optional() });

/** The identity server's answer to a client-credentials grant. */
export const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive(), token_type: z.string() });
