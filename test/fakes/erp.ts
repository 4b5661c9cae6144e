import type { Customer, Erp, ErpOrder, ErpPartner, InventoryItem, Order } from '../../src/domain';
import { createFaultSwitch, createKeyMemory, rejected, type FaultSwitch, type FakeSleep } from './fault-switch';

/** Stock as the ERP holds it: on hand, and how much of it is promised to orders. */
export interface FakeStock {
  readonly item: InventoryItem;
  readonly reserved: number;
}

export interface FakeErpOptions {
  /** Items with what is reserved of them (`onHand - available` when not given). */
  readonly items?: readonly (InventoryItem & { readonly reserved?: number })[];
  /** Customers the ERP holds a partner for. */
  readonly customers?: readonly Customer[];
  readonly orders?: readonly Order[];
  /** @default "erp" */
  readonly system?: string;
  readonly now?: () => Date;
  readonly sleep?: FakeSleep;
}

/** The ERP in memory: stock, partners and orders in plain maps, what it was asked, and its fault switch. */
export interface FakeErp {
  readonly erp: Erp;
  readonly system: string;
  readonly stock: Map<string, FakeStock>;
  readonly partners: Map<string, ErpPartner>;
  readonly orders: Map<string, ErpOrder & { readonly lineCount: number }>;
  readonly faults: FaultSwitch;
}

export function createFakeErp(options: FakeErpOptions = {}): FakeErp {
  const system = options.system ?? 'erp';
  const now = options.now ?? (() => new Date());
  const faults = createFaultSwitch({ system, ...(options.sleep ? { sleep: options.sleep } : {}) });
  const once = createKeyMemory();
  let nextId = 1;

  const stock = new Map<string, FakeStock>(
    (options.items ?? []).map(({ reserved, ...item }) => [
      item.sku,
      {
        item: { sku: item.sku, name: item.name, onHand: item.onHand, available: item.available, price: item.price, updatedAt: item.updatedAt, ...(item.weight ? { weight: item.weight } : {}) },
        reserved: reserved ?? item.onHand - item.available,
      },
    ]),
  );
  const partnerOf = (customer: Customer, erpId = nextId++): ErpPartner => ({
    customerId: customer.id,
    erpId,
    email: customer.email,
    name: customer.name,
    phone: customer.phone,
    updatedAt: customer.updatedAt,
  });
  const partners = new Map((options.customers ?? []).map((customer) => [customer.id, partnerOf(customer)]));
  const erpOrderOf = (order: Order, erpId = nextId++): ErpOrder & { lineCount: number } => ({
    orderId: order.id,
    erpId,
    customerId: order.customerId,
    status: order.status,
    total: order.total,
    updatedAt: order.updatedAt,
    lineCount: order.lines.length,
  });
  const orders = new Map((options.orders ?? []).map((order) => [order.id, erpOrderOf(order)]));

  const held = (sku: string, operation: string): FakeStock => {
    const found = stock.get(sku);
    if (!found) throw rejected(system, operation, `no product ${sku}`);
    return found;
  };
  const put = (sku: string, onHand: number, reserved: number): InventoryItem => {
    const { item } = held(sku, 'stock');
    const next = { ...item, onHand, available: onHand - reserved, updatedAt: now() };
    stock.set(sku, { item: next, reserved });
    return next;
  };
  const read = <T>(map: ReadonlyMap<string, T>, keys: readonly string[]): Map<string, T> =>
    new Map(keys.flatMap((key) => (map.has(key) ? [[key, map.get(key)!] as const] : [])));
  const publicOrder = ({ lineCount: _lines, ...order }: ErpOrder & { lineCount: number }): ErpOrder => order;

  const erp: Erp = {
    async findItemsBySkus(skus, callOptions) {
      if (skus.length === 0) return new Map();
      await faults.enter('findItemsBySkus', callOptions?.signal);
      return new Map([...read(stock, skus)].map(([sku, { item }]) => [sku, item]));
    },
    async findPartnersByCustomerIds(ids, callOptions) {
      if (ids.length === 0) return new Map();
      await faults.enter('findPartnersByCustomerIds', callOptions?.signal);
      return read(partners, ids);
    },
    async findOrdersByOrderIds(ids, callOptions) {
      if (ids.length === 0) return new Map();
      await faults.enter('findOrdersByOrderIds', callOptions?.signal);
      return new Map([...read(orders, ids)].map(([id, order]) => [id, publicOrder(order)]));
    },
    async adjustStock({ sku, delta, idempotencyKey }, callOptions) {
      await faults.enter('adjustStock', callOptions?.signal);
      return once('adjustStock', idempotencyKey, () => {
        const { item, reserved } = held(sku, 'adjustStock');
        if (item.onHand + delta < reserved) throw rejected(system, 'adjustStock', `cannot take ${-delta} of ${sku}: only ${item.onHand - reserved} free`);
        return put(sku, item.onHand + delta, reserved);
      });
    },
    async reserveStock({ sku, quantity, idempotencyKey }, callOptions) {
      await faults.enter('reserveStock', callOptions?.signal);
      return once('reserveStock', idempotencyKey, () => {
        const { item, reserved } = held(sku, 'reserveStock');
        if (quantity > item.available) throw rejected(system, 'reserveStock', `only ${item.available} of ${sku} available, ${quantity} asked`);
        return put(sku, item.onHand, reserved + quantity);
      });
    },
    async releaseStock({ sku, quantity, idempotencyKey }, callOptions) {
      await faults.enter('releaseStock', callOptions?.signal);
      return once('releaseStock', idempotencyKey, () => {
        const { item, reserved } = held(sku, 'releaseStock');
        return put(sku, item.onHand, Math.max(0, reserved - quantity));
      });
    },
    async upsertPartner({ customer, idempotencyKey }, callOptions) {
      await faults.enter('upsertPartner', callOptions?.signal);
      return once('upsertPartner', idempotencyKey, () => {
        const partner = partnerOf(customer, partners.get(customer.id)?.erpId);
        partners.set(customer.id, partner);
        return partner;
      });
    },
    async upsertOrder({ order, idempotencyKey }, callOptions) {
      await faults.enter('upsertOrder', callOptions?.signal);
      return once('upsertOrder', idempotencyKey, () => {
        const saved = erpOrderOf(order, orders.get(order.id)?.erpId);
        orders.set(order.id, saved);
        return publicOrder(saved);
      });
    },
  };

  return { erp, system, stock, partners, orders, faults };
}
