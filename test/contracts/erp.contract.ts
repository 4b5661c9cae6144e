import {
  IntegrationError,
  isIntegrationError,
  ORDER_STATUSES,
  type Customer,
  type Erp,
  type IntegrationErrorCode,
  type InventoryItem,
  type Order,
} from '../../src/domain';
import type { FaultSetting } from '../../src/systems/kit/sandbox';
import type { EstateSeed } from '../../src/systems/kit/seed';

/** The ERP as the suite observes it directly, in our words: what it holds now and what it was asked. */
export interface ErpContractSystem {
  setFault(setting: FaultSetting): Promise<void>;
  /** Requests the system has received so far, all operations together. */
  requestCount(): Promise<number>;
  stockOf(sku: string): Promise<{ readonly onHand: number; readonly reserved: number } | undefined>;
  partnerOf(customerId: string): Promise<{ readonly name: string; readonly email: string; readonly phone: string | null } | undefined>;
  /** The order's lines still asking for goods (a confirmed order's dropped line stays, at quantity 0, in Odoo). */
  orderOf(orderId: string): Promise<{ readonly lineCount: number } | undefined>;
}

export interface ErpContractSubject {
  readonly erp: Erp;
  /** The system name the implementation puts on its errors. */
  readonly systemName: string;
  /** The estate the system was seeded with. */
  readonly estate: EstateSeed;
  readonly system: ErpContractSystem;
  close(): Promise<void>;
}

/**
 * What every implementation of the Erp port must do, observed through the port and through the system itself.
 * Each test uses its own SKUs, customers and orders, so the order of tests does not matter.
 */
export function describeErpContract(label: string, setup: () => Promise<ErpContractSubject>): void {
  describe(`Erp contract: ${label}`, () => {
    let subject: ErpContractSubject;
    let erp: Erp;
    let system: ErpContractSystem;
    let estate: EstateSeed;

    beforeAll(async () => {
      subject = await setup();
      ({ erp, system, estate } = subject);
      // The first call may log in; counting requests starts after it.
      await erp.findItemsBySkus([estate.items[0]?.sku ?? '']);
    });
    afterEach(async () => {
      await system.setFault({ mode: 'ok' });
    });
    afterAll(async () => {
      await subject?.close();
    });

    const failure = async (promise: Promise<unknown>, code: IntegrationErrorCode): Promise<IntegrationError> => {
      const error = await promise.then(
        () => {
          throw new Error(`expected ${code}, but the call succeeded`);
        },
        (caught: unknown) => caught,
      );
      if (!isIntegrationError(error)) throw error;
      expect(error.code).toBe(code);
      expect(error.system).toBe(subject.systemName);
      return error;
    };
    const requestsFor = async (work: () => Promise<unknown>): Promise<number> => {
      const before = await system.requestCount();
      await work();
      return (await system.requestCount()) - before;
    };
    /** The nth item (counting from 1) with at least `available` units free, as the estate seeded it. */
    const itemWith = (available: number, nth: number): EstateSeed['items'][number] => {
      const found = estate.items.filter((item) => item.available >= available)[nth - 1];
      if (!found) throw new Error(`the estate has no ${nth}th item with ${available} available`);
      return found;
    };
    const asItem = (item: EstateSeed['items'][number]): InventoryItem => ({
      sku: item.sku,
      name: item.name,
      onHand: item.onHand,
      available: item.available,
      price: item.price,
      updatedAt: item.updatedAt,
    });
    const customerAt = (index: number): Customer => {
      const found = estate.customers[index];
      if (!found) throw new Error(`the estate has no customer ${index}`);
      return found;
    };
    const newCustomer = (suffix: string): Customer => ({
      id: `cus-contract-${suffix}`,
      email: `contract.${suffix}@example.com`,
      name: `Contract ${suffix}`,
      phone: '+31 6 12345678',
      createdAt: new Date('2026-05-01T10:00:00Z'),
      updatedAt: new Date('2026-05-01T10:00:00Z'),
    });
    const newOrder = (suffix: string, customer: Customer, skus: readonly [string, string]): Order => ({
      id: `ord-contract-${suffix}`,
      number: `SO-CONTRACT-${suffix}`,
      customerId: customer.id,
      status: 'CONFIRMED',
      placedAt: new Date('2026-06-01T09:30:00Z'),
      updatedAt: new Date('2026-06-01T09:30:00Z'),
      lines: [
        { sku: skus[0], quantity: 2, unitPrice: { minor: 1250, currency: 'EUR' } },
        { sku: skus[1], quantity: 1, unitPrice: { minor: 399, currency: 'EUR' } },
      ],
      total: { minor: 2899, currency: 'EUR' },
    });

    describe('findItemsBySkus', () => {
      it('answers exactly the SKUs asked for, as the ERP holds them', async () => {
        const [first, second] = [itemWith(0, 2), itemWith(0, 3)];
        const found = await erp.findItemsBySkus([first.sku, 'SKU-NOPE', second.sku]);
        expect([...found.keys()].sort()).toEqual([first.sku, second.sku].sort());
        expect(found.get(first.sku)).toEqual(asItem(first));
        expect(found.get(second.sku)).toEqual(asItem(second));
      });

      it('costs one request for a batch', async () => {
        const skus = estate.items.slice(10, 60).map((item) => item.sku);
        let found: ReadonlyMap<string, InventoryItem> = new Map();
        const requests = await requestsFor(async () => {
          found = await erp.findItemsBySkus(skus);
        });
        expect(requests).toBe(1);
        expect(found.size).toBe(50);
      });

      it('answers an empty map for no keys, without asking the ERP', async () => {
        let found: ReadonlyMap<string, InventoryItem> | undefined;
        expect(await requestsFor(async () => (found = await erp.findItemsBySkus([])))).toBe(0);
        expect(found?.size).toBe(0);
      });
    });

    describe('findPartnersByCustomerIds', () => {
      it('answers exactly the customers asked for', async () => {
        const [first, second] = [customerAt(1), customerAt(2)];
        const found = await erp.findPartnersByCustomerIds([first.id, second.id, 'cus-nope']);
        expect([...found.keys()].sort()).toEqual([first.id, second.id].sort());
        for (const customer of [first, second]) {
          expect(found.get(customer.id)).toEqual({
            customerId: customer.id,
            erpId: expect.any(Number),
            email: customer.email,
            name: customer.name,
            phone: customer.phone,
            updatedAt: customer.updatedAt,
          });
        }
      });

      it('costs one request for a batch', async () => {
        const ids = estate.customers.slice(20, 60).map((customer) => customer.id);
        let size = 0;
        expect(await requestsFor(async () => (size = (await erp.findPartnersByCustomerIds(ids)).size))).toBe(1);
        expect(size).toBe(40);
      });
    });

    describe('findOrdersByOrderIds', () => {
      it('answers exactly the orders asked for, one of each status', async () => {
        const orders = ORDER_STATUSES.map((status) => estate.orders.find((order) => order.status === status) as Order);
        const found = await erp.findOrdersByOrderIds([...orders.map((order) => order.id), 'ord-nope']);
        expect(found.size).toBe(orders.length);
        for (const order of orders) {
          expect(found.get(order.id)).toEqual({
            orderId: order.id,
            erpId: expect.any(Number),
            customerId: order.customerId,
            status: order.status,
            total: order.total,
            updatedAt: order.updatedAt,
          });
        }
      });

      it('costs one request for a batch', async () => {
        const ids = estate.orders.slice(100, 200).map((order) => order.id);
        let size = 0;
        expect(await requestsFor(async () => (size = (await erp.findOrdersByOrderIds(ids)).size))).toBe(1);
        expect(size).toBe(100);
      });
    });

    describe('adjustStock', () => {
      it('puts stock in and takes it out, as the ERP then holds it', async () => {
        const item = itemWith(5, 1);
        const added = await erp.adjustStock({ sku: item.sku, delta: 7, reason: 'count', idempotencyKey: 'adjust-in' });
        expect(added).toMatchObject({ sku: item.sku, onHand: item.onHand + 7, available: item.available + 7 });
        const taken = await erp.adjustStock({ sku: item.sku, delta: -3, reason: 'breakage', idempotencyKey: 'adjust-out' });
        expect(taken).toMatchObject({ onHand: item.onHand + 4, available: item.available + 4 });
        expect(await system.stockOf(item.sku)).toEqual({ onHand: item.onHand + 4, reserved: item.onHand - item.available });
      });

      it('applies a repeated idempotency key once', async () => {
        const item = itemWith(5, 2);
        const input = { sku: item.sku, delta: 5, reason: 'delivery', idempotencyKey: 'adjust-twice' };
        const first = await erp.adjustStock(input);
        const second = await erp.adjustStock(input);
        expect(second.onHand).toBe(item.onHand + 5);
        expect(second.onHand).toBe(first.onHand);
        expect((await system.stockOf(item.sku))?.onHand).toBe(item.onHand + 5);
      });
    });

    describe('reserveStock', () => {
      it('reserves units: available drops, stock on hand stays', async () => {
        const item = itemWith(5, 3);
        const reserved = await erp.reserveStock({ orderId: 'ord-r1', sku: item.sku, quantity: 2, idempotencyKey: 'reserve-1' });
        expect(reserved).toMatchObject({ sku: item.sku, onHand: item.onHand, available: item.available - 2 });
        expect(await system.stockOf(item.sku)).toEqual({ onHand: item.onHand, reserved: item.onHand - item.available + 2 });
      });

      it('applies a repeated idempotency key once', async () => {
        const item = itemWith(5, 4);
        const input = { orderId: 'ord-r2', sku: item.sku, quantity: 3, idempotencyKey: 'reserve-twice' };
        await erp.reserveStock(input);
        const again = await erp.reserveStock(input);
        expect(again.available).toBe(item.available - 3);
        expect((await system.stockOf(item.sku))?.reserved).toBe(item.onHand - item.available + 3);
      });

      it('refuses more than is available, and changes nothing', async () => {
        const item = itemWith(1, 5);
        const before = await system.stockOf(item.sku);
        const input = { orderId: 'ord-r3', sku: item.sku, quantity: item.available + 1, idempotencyKey: 'reserve-too-many' };
        await failure(erp.reserveStock(input), 'UPSTREAM_REJECTED');
        expect(await system.stockOf(item.sku)).toEqual(before);
        expect((await erp.findItemsBySkus([item.sku])).get(item.sku)?.available).toBe(item.available);
      });
    });

    describe('releaseStock', () => {
      it('releases what was reserved for the order', async () => {
        const item = itemWith(5, 6);
        await erp.reserveStock({ orderId: 'ord-l1', sku: item.sku, quantity: 3, idempotencyKey: 'release-setup-1' });
        const released = await erp.releaseStock({ orderId: 'ord-l1', sku: item.sku, quantity: 3, idempotencyKey: 'release-1' });
        expect(released).toMatchObject({ onHand: item.onHand, available: item.available });
        expect(await system.stockOf(item.sku)).toEqual({ onHand: item.onHand, reserved: item.onHand - item.available });
      });

      it('a repeated release changes nothing more, and leaves other orders\' reservations', async () => {
        const item = itemWith(5, 7);
        await erp.reserveStock({ orderId: 'ord-l2', sku: item.sku, quantity: 4, idempotencyKey: 'release-setup-2' });
        await erp.reserveStock({ orderId: 'ord-l3', sku: item.sku, quantity: 1, idempotencyKey: 'release-setup-3' });
        const input = { orderId: 'ord-l2', sku: item.sku, quantity: 4, idempotencyKey: 'release-twice' };
        await erp.releaseStock(input);
        const again = await erp.releaseStock(input);
        expect(again.available).toBe(item.available - 1);
        expect((await system.stockOf(item.sku))?.reserved).toBe(item.onHand - item.available + 1);
      });
    });

    describe('upsertPartner', () => {
      it('creates a partner for a new customer, visible in the ERP', async () => {
        const customer = newCustomer('p1');
        const partner = await erp.upsertPartner({ customer, idempotencyKey: 'partner-create' });
        expect(partner).toMatchObject({ customerId: customer.id, name: customer.name, email: customer.email, phone: customer.phone });
        expect(partner.erpId).toEqual(expect.any(Number));
        expect(await system.partnerOf(customer.id)).toEqual({ name: customer.name, email: customer.email, phone: customer.phone });
        expect((await erp.findPartnersByCustomerIds([customer.id])).get(customer.id)).toEqual(partner);
      });

      it('applies a repeated idempotency key once', async () => {
        const customer = newCustomer('p2');
        const first = await erp.upsertPartner({ customer, idempotencyKey: 'partner-twice' });
        const second = await erp.upsertPartner({ customer, idempotencyKey: 'partner-twice' });
        expect(second.erpId).toBe(first.erpId);
        expect((await erp.findPartnersByCustomerIds([customer.id])).size).toBe(1);
        expect(await system.partnerOf(customer.id)).toEqual({ name: customer.name, email: customer.email, phone: customer.phone });
      });

      it('updates the partner of a known customer in place', async () => {
        const known = customerAt(3);
        const before = (await erp.findPartnersByCustomerIds([known.id])).get(known.id);
        const customer = { ...known, email: 'changed.3@example.com', phone: null };
        const partner = await erp.upsertPartner({ customer, idempotencyKey: 'partner-update' });
        expect(partner).toMatchObject({ customerId: known.id, erpId: before?.erpId, email: 'changed.3@example.com', phone: null });
        expect(await system.partnerOf(known.id)).toEqual({ name: known.name, email: 'changed.3@example.com', phone: null });
      });
    });

    describe('upsertOrder', () => {
      const skuPair = (first: number): [string, string] => [itemWith(0, first).sku, itemWith(0, first + 1).sku];

      it('creates an order for a known customer, visible in the ERP', async () => {
        const order = newOrder('o1', customerAt(4), skuPair(20));
        const saved = await erp.upsertOrder({ order, idempotencyKey: 'order-create' });
        expect(saved).toMatchObject({ orderId: order.id, customerId: order.customerId, status: 'CONFIRMED', total: order.total });
        expect(await system.orderOf(order.id)).toEqual({ lineCount: 2 });
        expect((await erp.findOrdersByOrderIds([order.id])).get(order.id)).toEqual(saved);
      });

      it('applies a repeated idempotency key once', async () => {
        const order = newOrder('o2', customerAt(5), skuPair(22));
        const first = await erp.upsertOrder({ order, idempotencyKey: 'order-twice' });
        const second = await erp.upsertOrder({ order, idempotencyKey: 'order-twice' });
        expect(second.erpId).toBe(first.erpId);
        expect(await system.orderOf(order.id)).toEqual({ lineCount: 2 });
        expect((await erp.findOrdersByOrderIds([order.id])).size).toBe(1);
      });

      it('a retry under another key finds the order by our id and makes no second one', async () => {
        const order = newOrder('o3', customerAt(6), skuPair(24));
        const first = await erp.upsertOrder({ order, idempotencyKey: 'order-lost-answer' });
        const retried = await erp.upsertOrder({ order, idempotencyKey: 'order-lost-answer-retry' });
        expect(retried.erpId).toBe(first.erpId);
        expect((await erp.findOrdersByOrderIds([order.id])).size).toBe(1);
      });

      it('changes the lines of a confirmed order: one dropped, one changed', async () => {
        const order = newOrder('o4', customerAt(7), skuPair(26));
        await erp.upsertOrder({ order, idempotencyKey: 'order-lines-1' });
        const [kept] = order.lines;
        const fewer: Order = { ...order, lines: [{ ...kept!, quantity: 3 }], total: { minor: 3750, currency: 'EUR' } };
        const saved = await erp.upsertOrder({ order: fewer, idempotencyKey: 'order-lines-2' });
        expect(saved).toMatchObject({ orderId: order.id, status: 'CONFIRMED', total: fewer.total });
        expect(await system.orderOf(order.id)).toEqual({ lineCount: 1 });
      });

      it('carries every status there and back', async () => {
        const order = estate.orders[10] as Order;
        for (const status of ORDER_STATUSES) {
          const saved = await erp.upsertOrder({ order: { ...order, status }, idempotencyKey: `order-status-${status}` });
          expect(saved.status).toBe(status);
          expect((await erp.findOrdersByOrderIds([order.id])).get(order.id)?.status).toBe(status);
        }
        expect(await system.orderOf(order.id)).toEqual({ lineCount: order.lines.length });
      });
    });

    describe('when the ERP misbehaves', () => {
      it('garbage answers become UPSTREAM_BAD_RESPONSE, whichever kind of garbage', async () => {
        await system.setFault({ mode: 'garbage' });
        const sku = itemWith(0, 30).sku;
        // The sandbox alternates malformed bodies and well-formed bodies of the wrong shape.
        await failure(erp.findItemsBySkus([sku]), 'UPSTREAM_BAD_RESPONSE');
        await failure(erp.findItemsBySkus([sku]), 'UPSTREAM_BAD_RESPONSE');
        await failure(erp.findOrdersByOrderIds([estate.orders[0]?.id ?? '']), 'UPSTREAM_BAD_RESPONSE');
        await failure(
          erp.adjustStock({ sku, delta: 1, reason: 'count', idempotencyKey: 'garbage-adjust' }),
          'UPSTREAM_BAD_RESPONSE',
        );
      });

      it('a system that is down gives UPSTREAM_UNAVAILABLE, and writes nothing', async () => {
        const item = itemWith(5, 31);
        await system.setFault({ mode: 'down' });
        await failure(erp.findItemsBySkus([item.sku]), 'UPSTREAM_UNAVAILABLE');
        await failure(
          erp.reserveStock({ orderId: 'ord-down', sku: item.sku, quantity: 1, idempotencyKey: 'down-reserve' }),
          'UPSTREAM_UNAVAILABLE',
        );
        await system.setFault({ mode: 'ok' });
        expect(await system.stockOf(item.sku)).toEqual({ onHand: item.onHand, reserved: item.onHand - item.available });
      });

      it('rate limiting gives UPSTREAM_RATE_LIMITED with the wait it asked for', async () => {
        await system.setFault({ mode: 'ratelimit', retryAfterSeconds: 7 });
        const error = await failure(erp.findPartnersByCustomerIds([customerAt(6).id]), 'UPSTREAM_RATE_LIMITED');
        expect(error.retryAfterMs).toBe(7000);
      });
    });
  });
}
