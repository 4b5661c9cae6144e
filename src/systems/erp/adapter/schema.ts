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
const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code');
const currency = z.tuple([z.number().int(), currencyCode]);
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

/** Odoo 17's sale.order states (`addons/sale/models/sale_order.py`); 'done' became the `locked` flag. */
export const SALE_ORDER_STATES = ['draft', 'sent', 'sale', 'cancel'] as const;
/** `addons/sale_stock/models/sale_order.py: delivery_status`; false while the order has no delivery. */
export const DELIVERY_STATUSES = ['pending', 'started', 'partial', 'full'] as const;

const many2one = z.union([z.tuple([recordId, z.string()]), z.literal(false)]);

export const ORDER_FIELDS = [
  'client_order_ref', 'partner_id', 'state', 'locked', 'delivery_status', 'amount_total', 'currency_id', 'write_date',
] as const;
export const saleOrderSchema = z.object({
  id: recordId,
  client_order_ref: odooText,
  partner_id: many2one,
  state: z.enum(SALE_ORDER_STATES),
  locked: z.boolean(),
  delivery_status: z.union([z.enum(DELIVERY_STATUSES), z.literal(false)]),
  amount_total: z.number(),
  currency_id: currency,
  write_date: odooDatetime,
});
export type OdooSaleOrder = z.infer<typeof saleOrderSchema>;

/**
 * An order as `web_search_read` answers it (Odoo 17, `addons/web/models/models.py`) for ORDER_SPECIFICATION: its
 * partner's `ref` and its currency's name come in the same call.
 */
export const ORDER_SPECIFICATION = {
  client_order_ref: {},
  partner_id: { fields: { ref: {} } },
  state: {},
  locked: {},
  delivery_status: {},
  amount_total: {},
  currency_id: { fields: { display_name: {} } },
  write_date: {},
} as const;
export const webOrdersSchema = z.object({
  length: z.number().int(),
  records: z.array(
    saleOrderSchema.omit({ partner_id: true, currency_id: true }).extend({
      partner_id: z.union([z.object({ id: recordId, ref: odooText }), z.literal(false)]),
      currency_id: z.object({ id: z.number().int(), display_name: currencyCode }).transform((value): [number, string] => [value.id, value.display_name]),
    }),
  ),
});

/** A product's Odoo id by its SKU (for order lines). */
export const productCodeSchema = z.object({ id: recordId, default_code: odooText });

export const LINE_FIELDS = ['product_id', 'product_uom_qty', 'price_unit'] as const;
export const orderLineSchema = z.object({ id: recordId, product_id: many2one, product_uom_qty: z.number(), price_unit: z.number() });
export type OdooOrderLine = z.infer<typeof orderLineSchema>;

/** A stock.quant as inventory mode needs it. */
export const quantSchema = z.object({ id: recordId, quantity: z.number() });
/** A stock.move of a reservation picking. */
export const moveSchema = z.object({
  id: recordId,
  picking_id: many2one,
  product_uom_qty: z.number(),
  quantity: z.number(),
});

/**
 * The outgoing operation type and where its transfers go from and to (`stock.picking.type`): Odoo 17's moves take no
 * locations from their picking at create, so the adapter gives both to the picking and to each move.
 */
export const pickingTypeSchema = z.object({ id: recordId, default_location_src_id: many2one, default_location_dest_id: many2one });
/** An inventory move found by its name (the idempotency key in it). */
export const namedMoveSchema = z.object({ id: recordId, name: z.string() });

/** A window action (a wizard) where a method answers one instead of acting, e.g. `stock.inventory.conflict`. */
export const actionSchema = z.object({ type: z.string(), res_model: z.string() }).passthrough();
/** What a workflow method answers: true, nothing (None) or a wizard's action. */
export const methodResultSchema = z.union([z.literal(true), z.undefined(), actionSchema]);
