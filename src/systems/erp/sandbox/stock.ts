import type { ErpDatabase } from './database';
import type { OdooRecord } from './models';
import { missingError, typeError, userError, validationError } from './odoo-error';

/**
 * The shop's stock actions on `stock.quant`, called through execute_kw with a product id. Odoo's core moves stock
 * through pickings; a shop's module exposes these three instead, so that one call adjusts, reserves or releases.
 * Internal to the ERP sandbox.
 *
 * - `action_adjust_quantity(product_id, delta, reason)`: stock on hand changes by `delta` (an inventory
 *   adjustment); refused when it would go below zero.
 * - `action_reserve_quantity(product_id, quantity, origin)`: reserves units for a document (our order id);
 *   refused when fewer than `quantity` are available (on hand - reserved).
 * - `action_release_quantity(product_id, quantity, origin)`: releases up to `quantity` of what was reserved for
 *   that document, like Odoo's "Unreserve": nothing reserved for it, nothing released.
 *
 * Each answers the quant as `read` would. Reservations per document are kept on the quant (`x_reserved_by_origin`,
 * the sandbox's stand-in for stock.move.line) and shown in `/_sandbox/records/stock.quant/<SKU>`.
 */
export const STOCK_ACTIONS = ['action_adjust_quantity', 'action_reserve_quantity', 'action_release_quantity'] as const;
export type StockAction = (typeof STOCK_ACTIONS)[number];

export const isStockAction = (method: string): method is StockAction =>
  (STOCK_ACTIONS as readonly string[]).includes(method);

export function runStockAction(db: ErpDatabase, action: StockAction, args: readonly unknown[]): Record<string, unknown> {
  const [productId, amount, note] = args;
  if (!Number.isInteger(productId) || typeof amount !== 'number' || !Number.isFinite(amount)) {
    const third = action === 'action_adjust_quantity' ? 'reason' : 'origin';
    throw typeError(`${action}() takes (product_id: int, quantity: float, ${third}: str), got ${JSON.stringify(args)}`);
  }
  const product = db.table('product.product').get(productId as number);
  if (!product) throw missingError('product.product', [productId as number]);
  const quant = db.quantsOf(product.id)[0];
  if (!quant) throw missingError('stock.quant', []);
  const label = String(product['default_code'] || product['name']);
  const onHand = Number(quant['quantity']);
  const reserved = Number(quant['reserved_quantity']);
  const byOrigin = { ...((quant['x_reserved_by_origin'] as Record<string, number> | undefined) ?? {}) };
  const origin = typeof note === 'string' ? note : '';

  switch (action) {
    case 'action_adjust_quantity':
      if (onHand + amount < 0) {
        throw userError(`Cannot take ${-amount} units of ${label} out of stock: only ${onHand} on hand.`);
      }
      apply(db, product, quant, { quantity: onHand + amount });
      break;
    case 'action_reserve_quantity': {
      if (amount <= 0) throw validationError(`The quantity to reserve must be positive, got ${amount}.`);
      if (origin === '') throw validationError('A reservation needs an origin (the document it is for).');
      const available = onHand - reserved;
      if (available < amount) {
        throw userError(
          `Not enough stock of ${label} to reserve ${amount} for ${origin}: ${available} available ` +
            `(${onHand} on hand, ${reserved} reserved).`,
        );
      }
      byOrigin[origin] = (byOrigin[origin] ?? 0) + amount;
      apply(db, product, quant, { reserved_quantity: reserved + amount, x_reserved_by_origin: byOrigin });
      break;
    }
    case 'action_release_quantity': {
      if (amount <= 0) throw validationError(`The quantity to release must be positive, got ${amount}.`);
      const released = Math.min(amount, byOrigin[origin] ?? 0);
      if (released === 0) break;
      if (byOrigin[origin] === released) delete byOrigin[origin];
      else byOrigin[origin] = (byOrigin[origin] ?? 0) - released;
      apply(db, product, quant, { reserved_quantity: reserved - released, x_reserved_by_origin: byOrigin });
      break;
    }
  }
  return db.project('stock.quant', quant, undefined);
}

/** Stock on hand is stored on the quant and mirrored on the product (qty_available, virtual_available). */
function apply(db: ErpDatabase, product: OdooRecord, quant: OdooRecord, change: Record<string, unknown>): void {
  const now = db.now();
  Object.assign(quant, change, { write_date: now });
  const quantity = Number(quant['quantity']);
  Object.assign(product, {
    qty_available: quantity,
    virtual_available: quantity - Number(quant['reserved_quantity']),
    write_date: now,
  });
}
