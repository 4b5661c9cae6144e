import type { ErpDatabase } from './database';
import type { OdooRecord } from './models';
import { userError, valueError } from './odoo-error';

/**
 * Stock as stock Odoo 17 moves it, in the sandbox's small form: one quant per product at WH/Stock, outgoing pickings
 * whose moves reserve on the quant, and inventory mode on the quant. Internal to the ERP sandbox. Sources:
 * - reservation: `addons/stock/models/stock_move.py: _action_assign` (reserves what is free, up to the demand; a move
 *   is `assigned`, `partially_available` or stays `confirmed`), `stock_picking.py: action_confirm / action_assign`;
 *   a picking of move type "direct" (the default) is `assigned` as soon as one move reserved anything
 *   (`stock_picking.py: _compute_state`).
 * - cancelling: `stock_picking.py: action_cancel` -> `stock_move.py: _action_cancel` (frees the reservation).
 * - validating: `stock_picking.py: button_validate` (reserved quantities done; the quant goes down; the sale line's
 *   `qty_delivered` up). Odoo 17 has no immediate-transfer wizard: a picking with nothing reserved is refused by
 *   `_sanity_check` (UserError "You cannot validate a transfer if no quantities are reserved…"), one partly reserved
 *   answers the backorder wizard (`_pre_action_done_hook` -> `_check_backorder`, the operation type's
 *   `create_backorder` being 'ask' by default), not applied here; a fully reserved one is done and answers true.
 * - inventory mode (`addons/stock/models/stock_quant.py`): `write` refuses, in inventory mode only, a change of
 *   product, location, lot, package or owner ("Quant's editing is restricted"); `inventory_quantity` may be written in
 *   any mode (it sets `inventory_quantity_set`), `inventory_quantity_auto_apply` applies at once in inventory mode
 *   only (its inverse `_set_inventory_quantity` returns early otherwise). `action_apply_inventory` answers the
 *   `stock.inventory.conflict` wizard when the quantity moved since the count (`is_outdated`), else `_apply_inventory`
 *   makes one done move per quant and answers nothing: its name is context `inventory_name` (default "Product Quantity
 *   Updated"), followed by " (<user>)" when the quant is assigned to a user (`_get_inventory_move_values`), from the
 *   quant's location to the inventory loss location or back, `is_inventory` set. The sandbox refuses writes of other
 *   quant fields in any mode (Odoo leaves that to access rights).

 * The sandbox keeps one simplification: the product's forecast (`virtual_available`) is on hand minus reserved.
 */
type Vals = Record<string, unknown>;

/** What the sandbox lets a client write on a quant (`stock_quant.py: _get_inventory_fields_write`, the ones it keeps). */
const INVENTORY_FIELDS = ['inventory_quantity', 'inventory_quantity_auto_apply', 'user_id'];
/** `_get_forbidden_fields_write`: refused in inventory mode. */
const FORBIDDEN_FIELDS = ['product_id', 'location_id', 'lot_id', 'package_id', 'owner_id'];
const OPEN = (move: OdooRecord): boolean => move['state'] !== 'done' && move['state'] !== 'cancel';
const restricted = (): Error => userError("Quant's editing is restricted, you can't do this operation.");

export function isInventoryMode(context: unknown): boolean {
  return typeof context === 'object' && context !== null && (context as Vals)['inventory_mode'] === true;
}

/** `stock.quant.write`, as `stock_quant.py: write` and its inventory fields take it. */
export function writeQuants(db: ErpDatabase, ids: readonly number[], vals: unknown, context: unknown): true {
  const quants = db.browse('stock.quant', ids);
  const entries = typeof vals === 'object' && vals !== null ? Object.entries(vals as Vals) : [];
  const inventoryMode = isInventoryMode(context);
  if (inventoryMode && entries.some(([name]) => FORBIDDEN_FIELDS.includes(name))) throw restricted();
  if (entries.length === 0 || entries.some(([name]) => !INVENTORY_FIELDS.includes(name))) throw restricted();
  const numbers: Record<string, number> = {};
  let user: OdooRecord['user_id'] | undefined;
  for (const [name, value] of entries) {
    if (name === 'user_id') {
      if (value !== false && !Number.isInteger(value)) throw valueError(`Wrong value for stock.quant.user_id: ${JSON.stringify(value)}`);
      user = value === false ? false : [value as number, userName(value as number)];
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) throw userError(`Wrong value for stock.quant.${name}: ${JSON.stringify(value)}`);
    numbers[name] = value;
  }
  for (const quant of quants) {
    if (user !== undefined) quant['user_id'] = user;
    if (numbers['inventory_quantity'] !== undefined) count(quant, numbers['inventory_quantity']);
    const autoApply = numbers['inventory_quantity_auto_apply'];
    if (inventoryMode && autoApply !== undefined && autoApply !== quant['quantity']) {
      count(quant, autoApply);
      applyInventory(db, [quant], context);
    }
  }
  return true;
}

/** res.users is not modelled: the sandbox's API user (uid 2) is the only user it names. */
function userName(id: number): string {
  return id === 2 ? 'Plugboard API' : `User ${id}`;
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
  const named = (typeof context === 'object' && context !== null && (context as Vals)['inventory_name']) || 'Product Quantity Updated';
  for (const quant of quants) {
    if (!quant['inventory_quantity_set']) continue;
    const counted = Number(quant['inventory_quantity']);
    const gained = counted - Number(quant['quantity']);
    const user = Array.isArray(quant['user_id']) ? ` (${String(quant['user_id'][1])})` : '';
    const loss = db.locationOf('inventory');
    const moves = db.table('stock.move');
    moves.insert({
      id: moves.nextId(),
      name: `${String(named)}${user}`,
      origin: false,
      picking_id: false,
      product_id: quant['product_id'],
      location_id: gained > 0 ? loss : quant['location_id'],
      location_dest_id: gained > 0 ? quant['location_id'] : loss,
      product_uom_qty: Math.abs(gained),
      quantity: Math.abs(gained),
      state: 'done',
      is_inventory: true,
      sale_line_id: false,
      create_date: db.now(),
      write_date: db.now(),
    });
    mirror(db, quant, { quantity: counted, inventory_quantity: 0, inventory_quantity_set: false, counted_on_hand: undefined, user_id: false });
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
  // `_sanity_check`, for one picking (several go on to the backorder wizard): no open move has a quantity (a done
  // picking has none open).
  if (pickings.length === 1 && movesOf(db, pickings[0]!).filter(OPEN).every((move) => Number(move['quantity']) === 0)) {
    throw userError('You cannot validate a transfer if no quantities are reserved. To force the transfer, encode quantities.');
  }
  const short = pickings.filter((picking) =>
    movesOf(db, picking).some((move) => OPEN(move) && Number(move['quantity']) < Number(move['product_uom_qty'])),
  );
  if (short.length > 0) {
    return { type: 'ir.actions.act_window', res_model: 'stock.backorder.confirmation', target: 'new', context: { button_validate_picking_ids: pickings.map((picking) => picking.id) } };
  }
  for (const picking of pickings) {
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
