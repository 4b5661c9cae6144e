/**
 * The models the ERP sandbox serves: a subset of stock Odoo 17's fields, with the names, types and labels its source
 * gives them (no custom `x_…` field: a stock database has none, and reading one raises "Invalid field"). Sources:
 * - res.partner: `odoo/addons/base/models/res_partner.py`
 * - product.product: `addons/product/models/product_product.py`, stock fields from `addons/stock/models/product.py`
 * - stock.quant: `addons/stock/models/stock_quant.py` (inventory mode fields `inventory_quantity`,
 *   `inventory_quantity_auto_apply`, `inventory_quantity_set`)
 * - stock.location: `addons/stock/models/stock_location.py` (`complete_name` is its display name, `usage`)
 * - stock.picking / stock.move: `addons/stock/models/stock_picking.py`, `stock_move.py`. In Odoo 17 a move's
 *   `location_id` and `location_dest_id` are plain required fields (no compute from its picking):
 *   a picking created with `move_ids` must give each move its locations (`stock_move.py`, the field definitions;
 *   `stock_picking.py: create` fills none, only the form's `_onchange_locations` and `write` copy them)
 * - sale.order: `addons/sale/models/sale_order.py` (`state` draft/sent/sale/cancel, `locked`), `delivery_status` and
 *   `picking_ids` from `addons/sale_stock/models/sale_order.py`
 * - sale.order.line: `addons/sale/models/sale_order_line.py`, `qty_delivered` computed from done moves
 */
export type FieldType = 'integer' | 'boolean' | 'char' | 'float' | 'datetime' | 'selection' | 'many2one' | 'one2many';

export interface FieldSpec {
  readonly type: FieldType;
  /** The label Odoo shows (and names in its error messages). */
  readonly string: string;
  readonly required?: boolean;
  /** Computed by the ERP; a value written to it is ignored, as Odoo does for computed fields without an inverse. */
  readonly computed?: boolean;
  /** For many2one and one2many: the model pointed at. */
  readonly comodel?: string;
  /** For one2many: the field of the comodel that points back. */
  readonly inverse?: string;
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

export const SALE_ORDER_STATES = ['draft', 'sent', 'sale', 'cancel'] as const;
/** `addons/sale_stock/models/sale_order.py: delivery_status` (false when the order has no picking). */
export const DELIVERY_STATUSES = ['pending', 'started', 'partial', 'full'] as const;
/** `addons/stock/models/stock_picking.py: state` (stock.move has the same, plus partially_available). */
export const PICKING_TYPE_CODES = ['incoming', 'outgoing', 'internal'] as const;
/** `addons/stock/models/stock_location.py: usage`. */
export const LOCATION_USAGES = ['supplier', 'view', 'internal', 'customer', 'inventory', 'production', 'transit'] as const;
export const PICKING_STATES = ['draft', 'waiting', 'confirmed', 'assigned', 'done', 'cancel'] as const;

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
      inventory_quantity: { type: 'float', string: 'Counted Quantity' },
      inventory_quantity_auto_apply: { type: 'float', string: 'Inventoried Quantity' },
      inventory_quantity_set: { type: 'boolean', string: 'Inventory Quantity Set' },
      /** "Assigned To": the counter. res.users is not modelled here; its display name is the sandbox's. */
      user_id: { type: 'many2one', string: 'Assigned To', comodel: 'res.users' },
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
      state: { type: 'selection', string: 'Status', selection: SALE_ORDER_STATES },
      locked: { type: 'boolean', string: 'Locked' },
      delivery_status: { type: 'selection', string: 'Delivery Status', selection: DELIVERY_STATUSES, computed: true },
      picking_ids: { type: 'one2many', string: 'Transfers', comodel: 'stock.picking', inverse: 'sale_id', computed: true },
      amount_total: { type: 'float', string: 'Total', computed: true },
      currency_id: { type: 'many2one', string: 'Currency', comodel: 'res.currency', computed: true },
      date_order: { type: 'datetime', string: 'Order Date' },
      order_line: { type: 'one2many', string: 'Order Lines', comodel: 'sale.order.line', inverse: 'order_id' },
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
      qty_delivered: { type: 'float', string: 'Delivery Quantity', computed: true },
      ...audit,
    },
  },
  'stock.location': {
    name: 'stock.location',
    description: 'Inventory Locations',
    key: null,
    defaultOrder: 'complete_name, id',
    fields: {
      id,
      name: { type: 'char', string: 'Location Name', required: true },
      complete_name: { type: 'char', string: 'Full Location Name', computed: true },
      usage: { type: 'selection', string: 'Location Type', selection: LOCATION_USAGES, required: true },
      ...audit,
    },
  },
  'stock.picking.type': {
    name: 'stock.picking.type',
    description: 'Picking Type',
    key: null,
    defaultOrder: 'sequence, id',
    fields: {
      id,
      name: { type: 'char', string: 'Operation Type', required: true },
      code: { type: 'selection', string: 'Type of Operation', selection: PICKING_TYPE_CODES, required: true },
      sequence: { type: 'integer', string: 'Sequence' },
      default_location_src_id: { type: 'many2one', string: 'Default Source Location', comodel: 'stock.location' },
      default_location_dest_id: { type: 'many2one', string: 'Default Destination Location', comodel: 'stock.location' },
      ...audit,
    },
  },
  'stock.picking': {
    name: 'stock.picking',
    description: 'Transfer',
    key: null,
    defaultOrder: 'id desc',
    fields: {
      id,
      name: { type: 'char', string: 'Reference', computed: true },
      origin: { type: 'char', string: 'Source Document' },
      state: { type: 'selection', string: 'Status', selection: PICKING_STATES, computed: true },
      picking_type_id: { type: 'many2one', string: 'Operation Type', comodel: 'stock.picking.type', required: true },
      picking_type_code: { type: 'selection', string: 'Type of Operation', selection: PICKING_TYPE_CODES, computed: true },
      sale_id: { type: 'many2one', string: 'Sales Order', comodel: 'sale.order' },
      // Computed from the operation type while a draft (`_compute_location_id`), writable, required.
      location_id: { type: 'many2one', string: 'Source Location', comodel: 'stock.location', required: true },
      location_dest_id: { type: 'many2one', string: 'Destination Location', comodel: 'stock.location', required: true },
      move_ids: { type: 'one2many', string: 'Stock moves', comodel: 'stock.move', inverse: 'picking_id' },
      ...audit,
    },
  },
  'stock.move': {
    name: 'stock.move',
    description: 'Stock Move',
    key: null,
    defaultOrder: 'id',
    fields: {
      id,
      name: { type: 'char', string: 'Description' },
      origin: { type: 'char', string: 'Source Document' },
      picking_id: { type: 'many2one', string: 'Transfer', comodel: 'stock.picking' },
      product_id: { type: 'many2one', string: 'Product', comodel: 'product.product', required: true },
      location_id: { type: 'many2one', string: 'Source Location', comodel: 'stock.location', required: true },
      location_dest_id: { type: 'many2one', string: 'Destination Location', comodel: 'stock.location', required: true },
      product_uom_qty: { type: 'float', string: 'Demand' },
      /** Odoo 17: the reserved (then done) quantity of the move. */
      quantity: { type: 'float', string: 'Quantity', computed: true },
      state: { type: 'selection', string: 'Status', selection: [...PICKING_STATES, 'partially_available'], computed: true },
      is_inventory: { type: 'boolean', string: 'Inventory' },
      sale_line_id: { type: 'many2one', string: 'Sale Line', comodel: 'sale.order.line' },
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
