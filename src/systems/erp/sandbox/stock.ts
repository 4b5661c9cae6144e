import type { ErpDatabase } from './database';
import type { OdooRecord } from './models';
import { userError } from './odoo-error';

/**
 * Stock as stock Odoo 17 moves it, in the sandbox's small form: one quant per product at WH/Stock, outgoing pickings
 * whose moves reserve on the quant, and inventory mode on the quant. Internal to the ERP sandbox. Sources:
 * - reservation: `addons/stock/models/stock_move.py: _action_assign` (reserves what is free, up to the demand; a move
 *   is `assigned`, `partially_available` or stays `confirmed`), `stock_picking.py: action_confirm / action_assign`;
 *   a picking of move type "direct" (the default) is `assigned` as soon as one move reserved anything
 *   (`stock_picking.py: _compute_state`).
 * - cancelling: `stock_picking.py: action_cancel` -> `stock_move.py: _action_cancel` (frees the reservation).
 * - validating: `stock_picking.py: button_validate` (reserved quantities done; the quant goes down; the sale line's
 *   `qty_delivered` up). A picking not fully reserved answers the backorder wizard instead, not applied here.
 * - inventory mode: `addons/stock/models/stock_quant.py`: in context `inventory_mode`, `inventory_quantity` may be
 *   written (it sets `inventory_quantity_set`); `action_apply_inventory` applies it through an inventory move named
 *   after context `inventory_name` (default "Product Quantity Updated") and answers nothing;
 *   `inventory_quantity_auto_apply` applies at once (`_set_inventory_quantity`). Outside inventory mode, writing a quant
 *   is refused ("Quant's editing is restricted").
 *
 * The sandbox keeps one simplification: the product's forecast (`virtual_available`) is on hand minus reserved.
 */
type Vals = Record<string, unknown>;

const INVENTORY_FIELDS = ['inventory_quantity', 'inventory_quantity_auto_apply'];
const OPEN = (move: OdooRecord): boolean => move['state'] !== 'done' && move['state'] !== 'cancel';

export function isInventoryMode(context: unknown): boolean {
  return typeof context === 'object' && context !== null && (context as Vals)['inventory_mode'] === true;
}

/** `stock.quant.write` in inventory mode; anything else is refused as Odoo refuses it. */
export function writeQuants(db: ErpDatabase, ids: readonly number[], vals: unknown, context: unknown): true {
  const quants = db.browse('stock.quant', ids);
  const entries = typeof vals === 'object' && vals !== null ? Object.entries(vals as Vals) : [];
  if (!isInventoryMode(context) || entries.length === 0 || entries.some(([name]) => !INVENTORY_FIELDS.includes(name))) {
    throw userError("Quant's editing is restricted, you can't do this operation.");
  }
  for (const [name, value] of entries) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw userError(`Wrong value for stock.quant.${name}: ${JSON.stringify(value)}`);
  }
  const values = vals as Record<string, number>;
  for (const quant of quants) {
    if (values['inventory_quantity'] !== undefined) count(quant, values['inventory_quantity']);
    if (values['inventory_quantity_auto_apply'] !== undefined && values['inventory_quantity_auto_apply'] !== quant['quantity']) {
      count(quant, values['inventory_quantity_auto_apply']);
      applyInventory(db, [quant], context);
    }
  }
  return true;
}

function count(quant: OdooRecord, quantity: number): void {
  Object.assign(quant, { inventory_quantity: quantity, inventory_quantity_set: true, counted_on_hand: quant['quantity'] });
}

/**
 * `stock.quant.action_apply_inventory`: answers undefined (Odoo's None) when applied, or the conflict wizard when the
 * quantity on hand moved since the count was set (`stock_quant.py: is_outdated`, `stock.inventory.conflict`).
 */
export function applyInventory(db: ErpDatabase, quants: readonly OdooRecord[], context: unknown): Vals | undefined {
  const outdated = quants.filter((quant) => quant['inventory_quantity_set'] && quant['counted_on_hand'] !== quant['quantity']);
  if (outdated.length > 0) {
    return {
      type: 'ir.actions.act_window',
      res_model: 'stock.inventory.conflict',
      name: 'Conflict in Inventory',
      target: 'new',
      context: { default_quant_ids: outdated.map((quant) => quant.id) },
    };
  }
  const name = (typeof context === 'object' && context !== null && (context as Vals)['inventory_name']) || 'Product Quantity Updated';
  for (const quant of quants) {
    if (!quant['inventory_quantity_set']) continue;
    const counted = Number(quant['inventory_quantity']);
    const moves = db.table('stock.move');
    moves.insert({
      id: moves.nextId(),
      name: String(name),
      origin: false,
      picking_id: false,
      product_id: quant['product_id'],
      product_uom_qty: Math.abs(counted - Number(quant['quantity'])),
      quantity: Math.abs(counted - Number(quant['quantity'])),
      state: 'done',
      is_inventory: true,
      sale_line_id: false,
      create_date: db.now(),
      write_date: db.now(),
    });
    mirror(db, quant, { quantity: counted, inventory_quantity: 0, inventory_quantity_set: false, counted_on_hand: undefined });
  }
  return undefined;
}

/** `stock.picking.action_confirm` then, as Odoo does for "reserve at confirmation", `action_assign`. */
export function confirmPickings(db: ErpDatabase, pickings: readonly OdooRecord[]): true {
  for (const picking of pickings) {
    for (const move of movesOf(db, picking)) if (move['state'] === 'draft') move['state'] = 'confirmed';
    settle(db, picking);
  }
  return true;
}

/** `stock.picking.action_assign`: each open move reserves what is free of its product, up to its demand. */
export function assignPickings(db: ErpDatabase, pickings: readonly OdooRecord[]): true {
  for (const picking of pickings) {
    if (picking['state'] === 'draft') confirmPickings(db, [picking]);
    for (const move of movesOf(db, picking).filter(OPEN)) {
      const quant = quantOf(db, move);
      if (!quant) continue;
      const wanted = Number(move['product_uom_qty']) - Number(move['quantity']);
      const free = Math.max(0, Number(quant['quantity']) - Number(quant['reserved_quantity']));
      const taken = Math.min(wanted, free);
      if (taken > 0) {
        move['quantity'] = Number(move['quantity']) + taken;
        mirror(db, quant, { reserved_quantity: Number(quant['reserved_quantity']) + taken });
      }
      move['state'] = Number(move['quantity']) >= Number(move['product_uom_qty']) ? 'assigned'
        : Number(move['quantity']) > 0 ? 'partially_available'
        : 'confirmed';
    }
    settle(db, picking);
  }
  return true;
}

/** `stock.picking.action_cancel`: open moves are cancelled and their reservation freed. */
export function cancelPickings(db: ErpDatabase, pickings: readonly OdooRecord[]): true {
  for (const picking of pickings) {
    for (const move of movesOf(db, picking).filter(OPEN)) {
      const quant = quantOf(db, move);
      const held = Number(move['quantity']);
      Object.assign(move, { quantity: 0, state: 'cancel' });
      if (quant && held > 0) mirror(db, quant, { reserved_quantity: Math.max(0, Number(quant['reserved_quantity']) - held) });
    }
    settle(db, picking);
  }
  return true;
}

/** `stock.picking.button_validate` on a fully reserved picking; otherwise the backorder wizard, nothing applied. */
export function validatePickings(db: ErpDatabase, pickings: readonly OdooRecord[]): true | Vals {
  const short = pickings.filter((picking) =>
    movesOf(db, picking).some((move) => OPEN(move) && Number(move['quantity']) < Number(move['product_uom_qty'])),
  );
  if (short.length > 0) {
    return { type: 'ir.actions.act_window', res_model: 'stock.backorder.confirmation', target: 'new', context: { button_validate_picking_ids: pickings.map((picking) => picking.id) } };
  }
  for (const picking of pickings) {
    if (picking['state'] === 'done' || picking['state'] === 'cancel') throw userError('Nothing to check the availability for.');
    for (const move of movesOf(db, picking).filter(OPEN)) {
      const done = Number(move['quantity']);
      const quant = quantOf(db, move);
      move['state'] = 'done';
      if (quant) {
        mirror(db, quant, {
          quantity: Number(quant['quantity']) - done,
          reserved_quantity: Math.max(0, Number(quant['reserved_quantity']) - done),
        });
      }
      const line = Array.isArray(move['sale_line_id']) ? db.table('sale.order.line').get(move['sale_line_id'][0] as number) : undefined;
      if (line) line['qty_delivered'] = Number(line['qty_delivered']) + done;
    }
    settle(db, picking);
  }
  return true;
}

export function movesOf(db: ErpDatabase, picking: OdooRecord): OdooRecord[] {
  return db.linesOf('stock.picking', picking, 'move_ids');
}

function quantOf(db: ErpDatabase, move: OdooRecord): OdooRecord | undefined {
  return Array.isArray(move['product_id']) ? db.quantsOf(move['product_id'][0] as number)[0] : undefined;
}

/** A picking's state from its moves (`stock_picking.py: _compute_state`, move type "direct"). */
function settle(db: ErpDatabase, picking: OdooRecord): void {
  const moves = movesOf(db, picking);
  const states = moves.map((move) => String(move['state']));
  picking['state'] =
    moves.length === 0 || states.every((state) => state === 'draft') ? 'draft'
    : states.every((state) => state === 'cancel') ? 'cancel'
    : states.every((state) => state === 'cancel' || state === 'done') ? 'done'
    : states.some((state) => state === 'assigned' || state === 'partially_available') ? 'assigned'
    : 'confirmed';
  picking['write_date'] = db.now();
  const sale = Array.isArray(picking['sale_id']) ? db.table('sale.order').get(picking['sale_id'][0] as number) : undefined;
  if (sale) settleDelivery(db, sale);
}

/** `addons/sale_stock/models/sale_order.py: _compute_delivery_status`. */
export function settleDelivery(db: ErpDatabase, order: OdooRecord): void {
  const pickings = db.table('stock.picking').all().filter((picking) => Array.isArray(picking['sale_id']) && picking['sale_id'][0] === order.id);
  order['picking_ids'] = pickings.map((picking) => picking.id);
  const states = pickings.map((picking) => picking['state']);
  const delivered = db.linesOf('sale.order', order, 'order_line').some((line) => Number(line['qty_delivered']) > 0);
  const before = order['delivery_status'];
  order['delivery_status'] =
    pickings.length === 0 || states.every((state) => state === 'cancel') ? false
    : states.every((state) => state === 'done' || state === 'cancel') ? 'full'
    : states.some((state) => state === 'done') ? (delivered ? 'partial' : 'started')
    : 'pending';
  // A stored computed field: its recomputation writes the order (write_date moves).
  if (order['delivery_status'] !== before) order['write_date'] = db.now();
}

/**
 * Stock on hand lives on the quant; the product shows it (qty_available, virtual_available). For the sandbox's
 * window only, the quant's raw record also notes what is reserved per order (`_reserved_by_order`: our order id, from
 * a reservation's origin or the sale order's `client_order_ref`); it is no Odoo field and `read` does not answer it.
 */
export function mirror(db: ErpDatabase, quant: OdooRecord, change: Vals): void {
  const now = db.now();
  Object.assign(quant, change, { write_date: now });
  quant['_reserved_by_order'] = reservedByOrder(db, quant);
  const product = Array.isArray(quant['product_id']) ? db.table('product.product').get(quant['product_id'][0] as number) : undefined;
  if (!product) return;
  const quantity = Number(quant['quantity']);
  Object.assign(product, { qty_available: quantity, virtual_available: quantity - Number(quant['reserved_quantity']), write_date: now });
}

function reservedByOrder(db: ErpDatabase, quant: OdooRecord): Record<string, number> {
  const productId = Array.isArray(quant['product_id']) ? quant['product_id'][0] : undefined;
  const byOrder: Record<string, number> = {};
  for (const move of db.table('stock.move').all()) {
    if (!OPEN(move) || Number(move['quantity']) <= 0 || !Array.isArray(move['product_id']) || move['product_id'][0] !== productId) continue;
    const picking = Array.isArray(move['picking_id']) ? db.table('stock.picking').get(move['picking_id'][0] as number) : undefined;
    const sale = picking && Array.isArray(picking['sale_id']) ? db.table('sale.order').get(picking['sale_id'][0] as number) : undefined;
    const key = String((sale ? sale['client_order_ref'] : move['origin']) || move['origin'] || '');
    byOrder[key] = (byOrder[key] ?? 0) + Number(move['quantity']);
  }
  return byOrder;
}
