import type { Money, OrderStatus } from '../../../domain';
import type { EstateSeed } from '../../kit/seed';
import { CUSTOMER_LOCATION, INVENTORY_LOCATION, STOCK_LOCATION, type ErpDatabase } from './database';
import { odooDatetime, roundAmount, type OdooRecord } from './models';
import { settleDelivery } from './stock';

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
  const types = db.table('stock.picking.type');
  const locations = db.table('stock.location');
  const stamp = odooDatetime(new Date('2026-01-01T00:00:00Z'));
  const location = ([id, completeName]: readonly [number, string], usage: string): void => {
    locations.insert({ id, name: completeName.split('/').pop(), complete_name: completeName, usage, create_date: stamp, write_date: stamp });
  };
  location(CUSTOMER_LOCATION as readonly [number, string], 'customer');
  location(STOCK_LOCATION as readonly [number, string], 'internal');
  location(INVENTORY_LOCATION as readonly [number, string], 'inventory');
  types.insert({
    id: 1, name: 'Receipts', code: 'incoming', sequence: 1,
    default_location_src_id: false, default_location_dest_id: STOCK_LOCATION, create_date: stamp, write_date: stamp,
  });
  types.insert({
    id: OUTGOING_TYPE[0], name: OUTGOING_TYPE[1], code: 'outgoing', sequence: 2,
    default_location_src_id: STOCK_LOCATION, default_location_dest_id: CUSTOMER_LOCATION, create_date: stamp, write_date: stamp,
  });

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
    const state = order.status === 'PENDING' ? 'draft' : order.status === 'CANCELLED' ? 'cancel' : 'sale';
    const record: OdooRecord = {
      id: index + 1,
      name: `S${String(index + 1).padStart(5, '0')}`,
      client_order_ref: order.id,
      origin: order.number,
      partner_id: db.pairOf('res.partner', partner),
      state,
      locked: false,
      delivery_status: false,
      picking_ids: [],
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
    seedDeliveries(db, record, order.status);
  });
}

/** Odoo's outgoing picking type, "Delivery Orders" (`addons/stock/data/stock_data.xml`). */
export const OUTGOING_TYPE = [2, 'Delivery Orders'] as const;

/**
 * The deliveries an order of each status has in Odoo: none for a quotation; one picking waiting for stock for a
 * confirmed order (seeded history reserves nothing, so the estate's stock figures stay as they are); one done
 * picking for a shipped order, and the order locked too when delivered; a cancelled picking for a cancelled order.
 */
function seedDeliveries(db: ErpDatabase, order: OdooRecord, status: OrderStatus): void {
  if (status === 'PENDING') return;
  const lines = db.linesOf('sale.order', order, 'order_line');
  const pickings = db.table('stock.picking');
  const moves = db.table('stock.move');
  const at = order['write_date'];
  const picking = (state: string): OdooRecord => {
    const id = pickings.nextId();
    const made: OdooRecord = {
      id,
      name: `WH/OUT/${String(id).padStart(5, '0')}`,
      origin: order['name'],
      state,
      picking_type_id: OUTGOING_TYPE,
      picking_type_code: 'outgoing',
      location_id: STOCK_LOCATION,
      location_dest_id: CUSTOMER_LOCATION,
      sale_id: db.pairOf('sale.order', order),
      move_ids: [],
      create_date: at,
      write_date: at,
    };
    pickings.insert(made);
    return made;
  };
  const move = (into: OdooRecord, line: OdooRecord, demand: number, state: string): void => {
    const id = moves.nextId();
    moves.insert({
      id,
      name: (line['product_id'] as [number, string])[1],
      origin: order['name'],
      picking_id: db.pairOf('stock.picking', into),
      product_id: line['product_id'],
      location_id: STOCK_LOCATION,
      location_dest_id: CUSTOMER_LOCATION,
      product_uom_qty: demand,
      quantity: state === 'done' ? demand : 0,
      state,
      is_inventory: false,
      sale_line_id: [line.id, String(line['product_id'] && (line['product_id'] as [number, string])[1])],
      create_date: at,
      write_date: at,
    });
    (into['move_ids'] as number[]).push(id);
    if (state === 'done') line['qty_delivered'] = Number(line['qty_delivered'] ?? 0) + demand;
  };
  for (const line of lines) line['qty_delivered'] = 0;
  const state = status === 'CONFIRMED' ? 'confirmed' : status === 'CANCELLED' ? 'cancel' : 'done';
  const only = picking(state);
  for (const line of lines) move(only, line, Number(line['product_uom_qty']), state);
  // Odoo 17's `locked` stands where 'done' stood: a delivered order is closed.
  if (status === 'DELIVERED') order['locked'] = true;
  settleDelivery(db, order);
  order['write_date'] = at;
}

export const FIRST_CUSTOMER_PARTNER_ID = 7;

const MINOR_DIGITS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, BHD: 3, KWD: 3 };

/** Odoo keeps amounts as floats in the currency's major unit. */
function decimalOf(amount: Money): number {
  const digits = MINOR_DIGITS[amount.currency] ?? 2;
  return roundAmount(amount.minor / 10 ** digits, digits);
}
