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
import type { OdooPartner, OdooProduct, OdooSaleOrder } from './schema';

/**
 * Odoo's vocabulary <-> ours. Internal to the ERP adapter.
 *
 * | ours       | Odoo                                                           |
 * |------------|----------------------------------------------------------------|
 * | SKU        | product.product.default_code                                   |
 * | customer id| res.partner.ref (and sale.order.x_partner_ref, related)        |
 * | order id   | sale.order.client_order_ref (our order number: origin)         |
 * | price      | list_price / price_unit / amount_total, floats in currency_id  |
 * | on hand    | qty_available; available = virtual_available                   |
 * | updatedAt  | write_date, 'YYYY-MM-DD HH:MM:SS' in UTC                       |
 *
 * Order status: Odoo's `state` describes the sales document, the custom `x_delivery_state` how far the goods got.
 * PENDING = draft (or sent: a quotation sent to the customer), CONFIRMED = sale, SHIPPED = sale + shipped,
 * DELIVERED = done + delivered (a confirmed order still open but delivered reads as DELIVERED too),
 * CANCELLED = cancel.
 */
const TO_ODOO: Readonly<Record<OrderStatus, { state: string; x_delivery_state: string | false }>> = {
  PENDING: { state: 'draft', x_delivery_state: false },
  CONFIRMED: { state: 'sale', x_delivery_state: false },
  SHIPPED: { state: 'sale', x_delivery_state: 'shipped' },
  DELIVERED: { state: 'done', x_delivery_state: 'delivered' },
  CANCELLED: { state: 'cancel', x_delivery_state: false },
};

export function statusOf(order: Pick<OdooSaleOrder, 'state' | 'x_delivery_state'>): OrderStatus {
  switch (order.state) {
    case 'draft':
    case 'sent':
      return 'PENDING';
    case 'cancel':
      return 'CANCELLED';
    case 'sale':
    case 'done':
      return order.x_delivery_state === 'delivered' ? 'DELIVERED'
        : order.x_delivery_state === 'shipped' ? 'SHIPPED'
        : 'CONFIRMED';
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

/** `customerId` is empty when the order's partner carries no customer reference (entered in the ERP only). */
export function toErpOrder(order: OdooSaleOrder): ErpOrder {
  return {
    orderId: textOf(order.client_order_ref),
    erpId: order.id,
    customerId: textOf(order.x_partner_ref),
    status: statusOf(order),
    total: moneyFromDecimal(order.amount_total, order.currency_id[1]),
    updatedAt: dateFromOdoo(order.write_date),
  };
}

export function partnerVals(customer: Customer): Record<string, unknown> {
  return { name: customer.name, email: customer.email || false, phone: customer.phone ?? false, ref: customer.id };
}

/**
 * The sale.order values for our order. Lines are replaced as a whole: (5) clears them, (0, 0, vals) creates each.
 * The ERP computes the total from the lines.
 */
export function orderVals(
  order: Order,
  partnerId: number,
  productIds: ReadonlyMap<string, number>,
  replaceLines: boolean,
): Record<string, unknown> {
  const lines = order.lines.map((line) => [
    0,
    0,
    {
      product_id: productIds.get(line.sku),
      product_uom_qty: line.quantity,
      price_unit: Number(formatDecimal(line.unitPrice)),
    },
  ]);
  return {
    client_order_ref: order.id,
    origin: order.number,
    partner_id: partnerId,
    date_order: odooDatetime(order.placedAt),
    ...TO_ODOO[order.status],
    order_line: replaceLines ? [[5, 0, 0], ...lines] : lines,
  };
}
