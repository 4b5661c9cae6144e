import { z } from 'zod';

/**
 * What the ERP (Odoo's external JSON-RPC API) sends, validated before anything is mapped. Internal to the ERP adapter.
 * Odoo answers `false` for an empty field, many2one fields as `[id, display name]` pairs, amounts and quantities as
 * floats, and datetimes as 'YYYY-MM-DD HH:MM:SS' in UTC.
 */

/** The JSON-RPC 2.0 envelope: exactly one of `result` and `error` (checked by the client). */
export const envelopeSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.number(), z.string(), z.null()]),
  result: z.unknown().optional(),
  error: z.unknown().optional(),
});

/** Odoo's error member: `data.name` is the Python exception's qualified name. */
export const rpcErrorSchema = z.object({
  code: z.number(),
  message: z.string(),
  data: z
    .object({
      name: z.string(),
      message: z.string().optional(),
    })
    .optional(),
});
export type RpcError = z.infer<typeof rpcErrorSchema>;

const odooText = z.union([z.string(), z.literal(false)]);
const odooDatetime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/, 'expected a datetime "YYYY-MM-DD HH:MM:SS"')
  .refine((text) => !Number.isNaN(Date.parse(`${text.replace(' ', 'T')}Z`)), 'expected a real date');
/** A currency many2one: Odoo's display name of a currency is its ISO code. */
const currency = z.tuple([z.number().int(), z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code')]);
const recordId = z.number().int().positive();

/** `common.authenticate`: the user id, or false when the credentials are refused. */
export const uidSchema = z.union([recordId, z.literal(false)]);
export const idsSchema = z.array(recordId);
export const createdIdSchema = recordId;
export const writeResultSchema = z.literal(true);

export const PRODUCT_FIELDS = [
  'default_code', 'name', 'list_price', 'qty_available', 'virtual_available', 'currency_id', 'write_date',
] as const;
export const productSchema = z.object({
  id: recordId,
  default_code: odooText,
  name: z.string(),
  list_price: z.number(),
  qty_available: z.number(),
  virtual_available: z.number(),
  currency_id: currency,
  write_date: odooDatetime,
});
export type OdooProduct = z.infer<typeof productSchema>;

export const PARTNER_FIELDS = ['ref', 'name', 'email', 'phone', 'write_date'] as const;
export const partnerSchema = z.object({
  id: recordId,
  ref: odooText,
  name: z.string(),
  email: odooText,
  phone: odooText,
  write_date: odooDatetime,
});
export type OdooPartner = z.infer<typeof partnerSchema>;

export const SALE_ORDER_STATES = ['draft', 'sent', 'sale', 'done', 'cancel'] as const;
export const DELIVERY_STATES = ['shipped', 'delivered'] as const;

export const ORDER_FIELDS = [
  'client_order_ref', 'x_partner_ref', 'state', 'x_delivery_state', 'amount_total', 'currency_id', 'write_date',
] as const;
export const saleOrderSchema = z.object({
  id: recordId,
  client_order_ref: odooText,
  x_partner_ref: odooText,
  state: z.enum(SALE_ORDER_STATES),
  x_delivery_state: z.union([z.enum(DELIVERY_STATES), z.literal(false)]),
  amount_total: z.number(),
  currency_id: currency,
  write_date: odooDatetime,
});
export type OdooSaleOrder = z.infer<typeof saleOrderSchema>;

/** A product's Odoo id by its SKU (for order lines). */
export const productCodeSchema = z.object({ id: recordId, default_code: odooText });
