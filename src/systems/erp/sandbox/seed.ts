import type { Money, OrderStatus } from '../../../domain';
import type { EstateSeed } from '../../kit/seed';
import { STOCK_LOCATION, type ErpDatabase } from './database';
import { odooDatetime, roundAmount, type OdooRecord } from './models';

/**
 * Projects the estate into the ERP's vocabulary: partners, product variants with their quants, sales orders and
 * their lines. Internal to the ERP sandbox.
 */
export function seedErp(db: ErpDatabase, estate: EstateSeed): void {
  const partners = db.table('res.partner');
  const products = db.table('product.product');
  const quants = db.table('stock.quant');
  const orders = db.table('sale.order');
  const lines = db.table('sale.order.line');

  // Odoo's first partners are the company and its users; customers come after them.
  let partnerId = FIRST_CUSTOMER_PARTNER_ID;
  const partnerByCustomer = new Map<string, OdooRecord>();
  for (const customer of estate.customers) {
    const partner: OdooRecord = {
      id: partnerId++,
      name: customer.name,
      email: customer.email,
      phone: customer.phone ?? false,
      ref: customer.id,
      create_date: odooDatetime(customer.createdAt),
      write_date: odooDatetime(customer.updatedAt),
    };
    partners.insert(partner);
    partnerByCustomer.set(customer.id, partner);
  }

  const productBySku = new Map<string, OdooRecord>();
  estate.items.forEach((item, index) => {
    const written = odooDatetime(item.updatedAt);
    const product: OdooRecord = {
      id: index + 1,
      default_code: item.sku,
      name: item.name,
      list_price: decimalOf(item.price),
      weight: item.weightGrams / 1000,
      qty_available: item.onHand,
      virtual_available: item.onHand - item.reserved,
      currency_id: db.currency,
      create_date: written,
      write_date: written,
    };
    products.insert(product);
    productBySku.set(item.sku, product);
    quants.insert({
      id: index + 1,
      product_id: db.pairOf('product.product', product),
      location_id: STOCK_LOCATION,
      quantity: item.onHand,
      reserved_quantity: item.reserved,
      create_date: written,
      write_date: written,
    });
  });

  let lineId = 1;
  estate.orders.forEach((order, index) => {
    const partner = partnerByCustomer.get(order.customerId);
    if (!partner) return;
    const { state, delivery } = ODOO_STATE[order.status];
    const record: OdooRecord = {
      id: index + 1,
      name: `S${String(index + 1).padStart(5, '0')}`,
      client_order_ref: order.id,
      origin: order.number,
      partner_id: db.pairOf('res.partner', partner),
      x_partner_ref: order.customerId,
      state,
      x_delivery_state: delivery,
      amount_total: 0,
      currency_id: db.currency,
      date_order: odooDatetime(order.placedAt),
      order_line: [],
      create_date: odooDatetime(order.placedAt),
      write_date: odooDatetime(order.updatedAt),
    };
    let total = 0;
    for (const line of order.lines) {
      const product = productBySku.get(line.sku);
      if (!product) continue;
      const priceUnit = decimalOf(line.unitPrice);
      const subtotal = roundAmount(priceUnit * line.quantity);
      total += subtotal;
      lines.insert({
        id: lineId,
        order_id: db.pairOf('sale.order', record),
        product_id: db.pairOf('product.product', product),
        product_uom_qty: line.quantity,
        price_unit: priceUnit,
        price_subtotal: subtotal,
        create_date: record['create_date'],
        write_date: record['write_date'],
      });
      (record['order_line'] as number[]).push(lineId);
      lineId += 1;
    }
    record['amount_total'] = roundAmount(total);
    orders.insert(record);
  });
}

export const FIRST_CUSTOMER_PARTNER_ID = 7;

/**
 * Our order status in Odoo's terms. Odoo's `state` stops at the sales document (confirmed = 'sale', locked =
 * 'done'); how far the goods got is the custom `x_delivery_state`.
 */
const ODOO_STATE: Readonly<Record<OrderStatus, { state: string; delivery: string | false }>> = {
  PENDING: { state: 'draft', delivery: false },
  CONFIRMED: { state: 'sale', delivery: false },
  SHIPPED: { state: 'sale', delivery: 'shipped' },
  DELIVERED: { state: 'done', delivery: 'delivered' },
  CANCELLED: { state: 'cancel', delivery: false },
};

const MINOR_DIGITS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, BHD: 3, KWD: 3 };

/** Odoo keeps amounts as floats in the currency's major unit. */
function decimalOf(amount: Money): number {
  const digits = MINOR_DIGITS[amount.currency] ?? 2;
  return roundAmount(amount.minor / 10 ** digits, digits);
}
