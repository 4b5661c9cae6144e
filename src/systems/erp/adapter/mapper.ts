import {
  formatDecimal,
  moneyFromDecimal,
  type Customer,
  type ErpOrder,
  type ErpPartner,
  type InventoryItem,
  type Order,
  type OrderStatus,
} from '../../../domain';
import type { OdooOrderLine, OdooPartner, OdooProduct, OdooSaleOrder } from './schema';

/**
 * Odoo's vocabulary <-> ours. Internal to the ERP adapter. Only standard Odoo 17 fields: no custom module needed.
 *
 * | ours        | Odoo                                                           |
 * |-------------|----------------------------------------------------------------|
 * | SKU         | product.product.default_code                                   |
 * | customer id | res.partner.ref (an order's customer: its partner_id's ref)    |
 * | order id    | sale.order.client_order_ref (our order number: origin)         |
 * | price       | list_price / price_unit / amount_total, floats in currency_id  |
 * | on hand     | qty_available; available = virtual_available                   |
 * | updatedAt   | write_date, 'YYYY-MM-DD HH:MM:SS' in UTC                       |
 *
 * Order status: Odoo's `state` says where the sales document is, `delivery_status` (sale_stock) how far its
 * deliveries got, `locked` whether it is closed (Odoo 17's flag in place of the old 'done' state). PENDING = draft or
 * sent (a quotation), CANCELLED = cancel; a confirmed order ('sale') is CONFIRMED while nothing left the warehouse,
 * SHIPPED once goods did (delivery_status 'started', 'partial' or 'full'), DELIVERED when it is fully delivered and
 * locked (see ./order-flow.ts for the way there).
 */
export function statusOf(order: Pick<OdooSaleOrder, 'state' | 'delivery_status' | 'locked'>): OrderStatus {
  switch (order.state) {
    case 'draft':
    case 'sent':
      return 'PENDING';
    case 'cancel':
      return 'CANCELLED';
    case 'sale':
      return order.delivery_status === 'full' && order.locked ? 'DELIVERED'
        : order.delivery_status === false || order.delivery_status === 'pending' ? 'CONFIRMED'
        : 'SHIPPED';
    default: {
      const unreachable: never = order.state;
      throw new RangeError(`unknown sale.order state ${String(unreachable)}`);
    }
  }
}

/** Odoo datetimes are UTC without a zone: 'YYYY-MM-DD HH:MM:SS'. */
export function dateFromOdoo(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

export function odooDatetime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

const textOf = (value: string | false): string => (value === false ? '' : value);

export function toInventoryItem(product: OdooProduct): InventoryItem {
  return {
    sku: textOf(product.default_code),
    name: product.name,
    onHand: product.qty_available,
    available: product.virtual_available,
    price: moneyFromDecimal(product.list_price, product.currency_id[1]),
    updatedAt: dateFromOdoo(product.write_date),
  };
}

export function toErpPartner(partner: OdooPartner): ErpPartner {
  return {
    customerId: textOf(partner.ref),
    erpId: partner.id,
    email: textOf(partner.email),
    name: partner.name,
    phone: partner.phone === false ? null : partner.phone,
    updatedAt: dateFromOdoo(partner.write_date),
  };
}

/**
 * `customerRef` is the order's partner's `ref` (empty when the partner carries none: a customer entered in the ERP
 * only).
 */
export function toErpOrder(order: OdooSaleOrder, customerRef: string | false): ErpOrder {
  return {
    orderId: textOf(order.client_order_ref),
    erpId: order.id,
    customerId: textOf(customerRef),
    status: statusOf(order),
    total: moneyFromDecimal(order.amount_total, order.currency_id[1]),
    updatedAt: dateFromOdoo(order.write_date),
  };
}

export function partnerVals(customer: Customer): Record<string, unknown> {
  return { name: customer.name, email: customer.email || false, phone: customer.phone ?? false, ref: customer.id };
}

/** The sale.order header for our order; lines go separately (see `lineCommands`). */
export function orderHeader(order: Order, partnerId: number): Record<string, unknown> {
  return { client_order_ref: order.id, origin: order.number, partner_id: partnerId, date_order: odooDatetime(order.placedAt) };
}

type LineVals = { product_id: number; product_uom_qty: number; price_unit: number };

/**
 * The x2many commands that make an order's lines ours. A line of the same product is updated in place ((1, id,
 * vals)); a new one created ((0, 0, vals)); one we no longer have is deleted ((2, id)) on a quotation, and set to
 * quantity 0 on a confirmed order, whose lines Odoo refuses to delete (`sale_order_line.py: _unlink_except_confirmed`).
 */
export function lineCommands(
  order: Order,
  productIds: ReadonlyMap<string, number>,
  existing: readonly OdooOrderLine[],
  confirmed: boolean,
): unknown[] {
  const wanted = new Map<number, LineVals>();
  for (const line of order.lines) {
    const productId = productIds.get(line.sku) as number;
    const before = wanted.get(productId);
    wanted.set(productId, {
      product_id: productId,
      product_uom_qty: (before?.product_uom_qty ?? 0) + line.quantity,
      price_unit: Number(formatDecimal(line.unitPrice)),
    });
  }
  const commands: unknown[] = [];
  for (const line of existing) {
    const productId = line.product_id === false ? undefined : line.product_id[0];
    const vals = productId === undefined ? undefined : wanted.get(productId);
    if (vals && productId !== undefined) {
      wanted.delete(productId);
      if (line.product_uom_qty !== vals.product_uom_qty || line.price_unit !== vals.price_unit) {
        commands.push([1, line.id, { product_uom_qty: vals.product_uom_qty, price_unit: vals.price_unit }]);
      }
    } else if (confirmed) {
      if (line.product_uom_qty !== 0) commands.push([1, line.id, { product_uom_qty: 0 }]);
    } else {
      commands.push([2, line.id, 0]);
    }
  }
  for (const vals of wanted.values()) commands.push([0, 0, vals]);
  return commands;
}
