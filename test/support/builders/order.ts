import { money, sumMoney, type Customer, type InventoryItem, type Order, type OrderLine, type OrderStatus } from '../../../src/domain';

let sequence = 0;

/** An Object Mother for orders: one line, CONFIRMED, its total the sum of its lines unless a test sets it. */
export class OrderBuilder {
  private order: Omit<Order, 'total' | 'lines'> & { total?: Order['total'] };
  private lines: OrderLine[] = [];

  constructor() {
    sequence += 1;
    const at = new Date('2026-06-01T09:30:00.000Z');
    this.order = {
      id: `ord-b${String(sequence).padStart(5, '0')}`,
      number: `SO-TEST-${sequence}`,
      customerId: 'cus-00001',
      status: 'CONFIRMED',
      placedAt: at,
      updatedAt: at,
    };
  }

  withId(id: string): this {
    this.order = { ...this.order, id };
    return this;
  }
  for(customer: Customer | string): this {
    this.order = { ...this.order, customerId: typeof customer === 'string' ? customer : customer.id };
    return this;
  }
  withStatus(status: OrderStatus): this {
    this.order = { ...this.order, status };
    return this;
  }
  placedAt(at: Date | string): this {
    this.order = { ...this.order, placedAt: new Date(at), updatedAt: new Date(at) };
    return this;
  }
  updatedAt(at: Date | string): this {
    this.order = { ...this.order, updatedAt: new Date(at) };
    return this;
  }
  /** Adds a line; `unitPriceMinor` in EUR cents. */
  withLine(sku: string, quantity = 1, unitPriceMinor = 1_000): this {
    this.lines.push({ sku, quantity, unitPrice: money(unitPriceMinor, 'EUR') });
    return this;
  }

  build(): Order {
    const lines = this.lines.length ? this.lines : [{ sku: 'SKU-00001', quantity: 1, unitPrice: money(1_000, 'EUR') }];
    const total = this.order.total ?? sumMoney(lines.map((line) => money(line.unitPrice.minor * line.quantity, 'EUR')), 'EUR');
    return { ...this.order, lines, total };
  }
}

/** `anOrder().for(customer).withLine('SKU-1', 2).withStatus('SHIPPED').build()` */
export const anOrder = (): OrderBuilder => new OrderBuilder();

/** An Object Mother for stock the ERP holds. */
export class ItemBuilder {
  private item: InventoryItem & { reserved: number };

  constructor(sku: string) {
    this.item = { sku, name: `Item ${sku}`, onHand: 10, available: 10, reserved: 0, price: money(1_000, 'EUR'), updatedAt: new Date('2026-05-01T00:00:00.000Z') };
  }

  /** Units on hand, and how many of them are already promised. */
  withStock(onHand: number, reserved = 0): this {
    this.item = { ...this.item, onHand, reserved, available: onHand - reserved };
    return this;
  }
  pricedAt(minor: number, currency = 'EUR'): this {
    this.item = { ...this.item, price: money(minor, currency) };
    return this;
  }

  build(): InventoryItem & { readonly reserved: number } {
    return this.item;
  }
}

/** `anItem('SKU-1').withStock(5).pricedAt(1250).build()` */
export const anItem = (sku: string): ItemBuilder => new ItemBuilder(sku);
