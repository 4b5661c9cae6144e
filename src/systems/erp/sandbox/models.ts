/**
 * The models the ERP sandbox serves, in Odoo's vocabulary. Internal to the ERP sandbox.
 *
 * Custom fields follow Odoo's rule that fields added outside a module's core are named `x_...`:
 * - `sale.order.x_delivery_state` (false | 'shipped' | 'delivered'): how far the goods got. Odoo's core tracks the
 *   picking but not the parcel's arrival, so the shop's module adds this field.
 * - `sale.order.x_partner_ref`: a stored related field (`partner_id.ref`), so that one search_read on sale.order
 *   gives the customer's id without a second call.
 */
export type FieldType = 'integer' | 'char' | 'float' | 'datetime' | 'selection' | 'many2one' | 'one2many';

export interface FieldSpec {
  readonly type: FieldType;
  /** The label Odoo shows (and names in its error messages). */
  readonly string: string;
  readonly required?: boolean;
  /** Computed by the ERP; a value written to it is ignored, as Odoo does for computed fields without an inverse. */
  readonly computed?: boolean;
  /** For many2one and one2many: the model pointed at. */
  readonly comodel?: string;
  /** For selection: the allowed values. */
  readonly selection?: readonly string[];
}

export interface ModelSpec {
  readonly name: string;
  /** Odoo's `_description`. */
  readonly description: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /**
   * What keys the model's `/_sandbox/records` collection: our id for the record, held in `field` (of the record
   * `via` a many2one points at, when given). Unique per model, as a sandbox constraint. Records without it are
   * listed under `#<id>`; null: keyed by id.
   */
  readonly key: { readonly field: string; readonly via?: string } | null;
  /** Odoo's `_order`. */
  readonly defaultOrder: string;
}

/** A record as the sandbox stores it: field values in Odoo's JSON form (many2one as [id, name], empty as false). */
export type OdooRecord = { id: number } & Record<string, unknown>;
export type Many2one = readonly [number, string] | false;

const audit = {
  create_date: { type: 'datetime', string: 'Created on', computed: true },
  write_date: { type: 'datetime', string: 'Last Updated on', computed: true },
} as const satisfies Record<string, FieldSpec>;
const id: FieldSpec = { type: 'integer', string: 'ID', computed: true };

export const SALE_ORDER_STATES = ['draft', 'sent', 'sale', 'done', 'cancel'] as const;
export const DELIVERY_STATES = ['shipped', 'delivered'] as const;

export const MODELS: Readonly<Record<string, ModelSpec>> = {
  'res.partner': {
    name: 'res.partner',
    description: 'Contact',
    key: { field: 'ref' },
    defaultOrder: 'name, id',
    fields: {
      id,
      name: { type: 'char', string: 'Name', required: true },
      email: { type: 'char', string: 'Email' },
      phone: { type: 'char', string: 'Phone' },
      ref: { type: 'char', string: 'Reference' },
      ...audit,
    },
  },
  'product.product': {
    name: 'product.product',
    description: 'Product Variant',
    key: { field: 'default_code' },
    defaultOrder: 'default_code, name, id',
    fields: {
      id,
      default_code: { type: 'char', string: 'Internal Reference' },
      name: { type: 'char', string: 'Name', required: true },
      list_price: { type: 'float', string: 'Sales Price' },
      weight: { type: 'float', string: 'Weight' },
      qty_available: { type: 'float', string: 'Quantity On Hand', computed: true },
      virtual_available: { type: 'float', string: 'Forecasted Quantity', computed: true },
      currency_id: { type: 'many2one', string: 'Currency', comodel: 'res.currency', computed: true },
      ...audit,
    },
  },
  'stock.quant': {
    name: 'stock.quant',
    description: 'Quants',
    key: { via: 'product_id', field: 'default_code' },
    defaultOrder: 'id',
    fields: {
      id,
      product_id: { type: 'many2one', string: 'Product', comodel: 'product.product', computed: true },
      location_id: { type: 'many2one', string: 'Location', comodel: 'stock.location', computed: true },
      quantity: { type: 'float', string: 'Quantity', computed: true },
      reserved_quantity: { type: 'float', string: 'Reserved Quantity', computed: true },
      ...audit,
    },
  },
  'sale.order': {
    name: 'sale.order',
    description: 'Sales Order',
    key: { field: 'client_order_ref' },
    defaultOrder: 'date_order desc, id desc',
    fields: {
      id,
      name: { type: 'char', string: 'Order Reference', computed: true },
      client_order_ref: { type: 'char', string: 'Customer Reference' },
      origin: { type: 'char', string: 'Source Document' },
      partner_id: { type: 'many2one', string: 'Customer', comodel: 'res.partner', required: true },
      x_partner_ref: { type: 'char', string: 'Customer Reference (partner)', computed: true },
      state: { type: 'selection', string: 'Status', selection: SALE_ORDER_STATES },
      x_delivery_state: { type: 'selection', string: 'Delivery', selection: DELIVERY_STATES },
      amount_total: { type: 'float', string: 'Total', computed: true },
      currency_id: { type: 'many2one', string: 'Currency', comodel: 'res.currency', computed: true },
      date_order: { type: 'datetime', string: 'Order Date' },
      order_line: { type: 'one2many', string: 'Order Lines', comodel: 'sale.order.line' },
      ...audit,
    },
  },
  'sale.order.line': {
    name: 'sale.order.line',
    description: 'Sales Order Line',
    key: null,
    defaultOrder: 'order_id, id',
    fields: {
      id,
      order_id: { type: 'many2one', string: 'Order Reference', comodel: 'sale.order', required: true },
      product_id: { type: 'many2one', string: 'Product', comodel: 'product.product', required: true },
      product_uom_qty: { type: 'float', string: 'Quantity' },
      price_unit: { type: 'float', string: 'Unit Price' },
      price_subtotal: { type: 'float', string: 'Subtotal', computed: true },
      ...audit,
    },
  },
};

/** Odoo's datetime form: UTC, to the second. */
export function odooDatetime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Rounds a currency amount the way Odoo's `float_round` does with the currency's rounding. */
export function roundAmount(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
