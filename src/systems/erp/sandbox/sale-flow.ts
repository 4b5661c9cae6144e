import type { ErpDatabase } from './database';
import type { OdooRecord } from './models';
import { OdooError, userError } from './odoo-error';
import { assignPickings, cancelPickings, confirmPickings, mirror, settleDelivery } from './stock';

/**
 * sale.order's workflow as stock Odoo 17 defines it. Internal to the ERP sandbox. Sources:
 * - `addons/sale/models/sale_order.py: action_confirm` (only draft or sent orders, `_can_be_confirmed`, else UserError;
 *   state 'sale'; Odoo also locks it when the "Lock Confirmed Sales" setting is on: not modelled), `action_cancel`
 *   (UserError on a locked order; on an order that is not a draft it answers the `sale.order.cancel` wizard action
 *   unless context `disable_cancel_warning` is set: `_show_cancel_wizard`; otherwise `_action_cancel` answers true),
 *   `action_draft` (only cancelled or sent orders go back to draft), `action_lock` / `action_unlock` (answer nothing).
 * - `addons/sale_stock/models/sale_order.py: _action_confirm` and `sale_order_line.py: _action_launch_stock_rule`:
 *   confirming makes one outgoing picking with a move per line and reserves it; a confirmed line whose quantity
 *   changes moves its demand (more: a new move; less: the open moves shrink and free what they held);
 *   `_action_cancel` cancels the open pickings.
 */
type Vals = Record<string, unknown>;

const flag = (context: unknown, name: string): boolean =>
  typeof context === 'object' && context !== null && (context as Vals)[name] === true;

export function runSaleAction(db: ErpDatabase, method: string, ids: readonly number[], context: unknown): unknown {
  const orders = db.browse('sale.order', ids);
  switch (method) {
    case 'action_confirm': {
      // `_can_be_confirmed`: only quotations (draft, sent) are confirmed; a confirmed or cancelled order is refused.
      const refused = orders.filter((order) => order['state'] !== 'draft' && order['state'] !== 'sent');
      if (refused.length > 0) {
        throw userError(
          `The following orders are not in a state requiring confirmation: ${refused.map((order) => String(order['name'])).join(', ')}`,
        );
      }
      for (const order of orders) {
        Object.assign(order, { state: 'sale', date_order: db.now(), write_date: db.now() });
        procure(db, order);
      }
      return true;
    }
    case 'action_cancel': {
      if (orders.some((order) => order['locked'] === true)) {
        throw userError('You cannot cancel a locked order. Please unlock it first.');
      }
      if (!flag(context, 'disable_cancel_warning') && orders.some((order) => order['state'] !== 'draft')) {
        if (orders.length !== 1) throw new OdooError('builtins.ValueError', `Expected singleton: sale.order(${ids.join(', ')},)`);
        const order = orders[0] as OdooRecord;
        return {
          name: `Cancel Sales Order`,
          view_mode: 'form',
          res_model: 'sale.order.cancel',
          type: 'ir.actions.act_window',
          context: { default_order_id: order.id, mark_so_as_canceled: true },
          target: 'new',
        };
      }
      for (const order of orders) {
        cancelPickings(db, pickingsOf(db, order).filter((picking) => picking['state'] !== 'done'));
        Object.assign(order, { state: 'cancel', write_date: db.now() });
        settleDelivery(db, order);
      }
      return true;
    }
    case 'action_draft':
      for (const order of orders.filter((one) => one['state'] === 'cancel' || one['state'] === 'sent')) {
        Object.assign(order, { state: 'draft', write_date: db.now() });
      }
      return true;
    case 'action_lock':
    case 'action_unlock':
      for (const order of orders) Object.assign(order, { locked: method === 'action_lock', write_date: db.now() });
      return undefined;
    default:
      throw new OdooError('builtins.AttributeError', `The method '${method}' does not exist on the model 'sale.order'`);
  }
}

export const SALE_ACTIONS = ['action_confirm', 'action_cancel', 'action_draft', 'action_lock', 'action_unlock'];

/**
 * Brings a confirmed order's deliveries in step with its lines (`_action_launch_stock_rule`): what a line asks for
 * beyond what its moves already carry goes on a new move; what it no longer asks for leaves its open moves.
 */
export function procure(db: ErpDatabase, order: OdooRecord): void {
  if (order['state'] !== 'sale') return;
  const moves = db.table('stock.move');
  const lineMoves = (line: OdooRecord): OdooRecord[] =>
    moves.all().filter((move) => Array.isArray(move['sale_line_id']) && move['sale_line_id'][0] === line.id && move['state'] !== 'cancel');
  let picking = pickingsOf(db, order).find((candidate) => candidate['state'] !== 'done' && candidate['state'] !== 'cancel');
  for (const line of db.linesOf('sale.order', order, 'order_line')) {
    const carried = lineMoves(line);
    let missing = Number(line['product_uom_qty']) - carried.reduce((sum, move) => sum + Number(move['product_uom_qty']), 0);
    if (missing > 0) {
      if (!picking) {
        const type = db.search('stock.picking.type', [['code', '=', 'outgoing']], { limit: 1 })[0];
        const id = db.create('stock.picking', { origin: order['name'], picking_type_id: type?.id ?? false, sale_id: order.id });
        picking = db.table('stock.picking').get(id) as OdooRecord;
      }
      const product = line['product_id'] as [number, string];
      db.create('stock.move', {
        name: product[1],
        location_id: (picking['location_id'] as [number, string])[0],
        location_dest_id: (picking['location_dest_id'] as [number, string])[0],
        origin: order['name'],
        picking_id: picking.id,
        product_id: product[0],
        product_uom_qty: missing,
        sale_line_id: line.id,
      });
      db.relink('stock.picking', picking, 'move_ids');
    }
    for (const move of carried.filter((one) => one['state'] !== 'done').reverse()) {
      if (missing >= 0) break;
      const shrink = Math.min(-missing, Number(move['product_uom_qty']));
      const demand = Number(move['product_uom_qty']) - shrink;
      const excess = Math.max(0, Number(move['quantity']) - demand);
      Object.assign(move, { product_uom_qty: demand, quantity: Number(move['quantity']) - excess });
      if (demand === 0) move['state'] = 'cancel';
      const quant = db.quantsOf((move['product_id'] as [number, string])[0])[0];
      if (quant) mirror(db, quant, { reserved_quantity: Number(quant['reserved_quantity']) - excess });
      missing += shrink;
    }
  }
  if (picking) {
    confirmPickings(db, [picking]);
    assignPickings(db, [picking]);
  }
  settleDelivery(db, order);
}

export function pickingsOf(db: ErpDatabase, order: OdooRecord): OdooRecord[] {
  return db.table('stock.picking').all().filter((picking) => Array.isArray(picking['sale_id']) && picking['sale_id'][0] === order.id);
}
