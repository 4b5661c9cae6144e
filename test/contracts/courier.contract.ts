import {
  type Courier,
  type IntegrationError,
  type IntegrationErrorCode,
  type Order,
  type Shipment,
  type ShipmentRequest,
  type ShipmentStatus,
} from '../../src/domain';
import type { FaultSetting } from '../../src/systems/kit/sandbox';
import type { EstateSeed } from '../../src/systems/kit/seed';
import { failureOf } from '../support/failures';

/** What the courier holds for one shipment, read around the port (its records window), in our vocabulary. */
export interface StoredShipment {
  readonly orderId: string;
  readonly trackingNumber: string;
  readonly status: ShipmentStatus;
}

/** What the contract needs: the implementation under test, and ways to observe and break the system behind it. */
export interface CourierHarness {
  readonly courier: Courier;
  /** The system name every error must carry (also the shipments' carrier). */
  readonly system: string;
  /** The estate the system was seeded from. */
  readonly estate: EstateSeed;
  /** One of our shipment ids, in this courier's format, that the courier never issued. */
  readonly unknownShipmentId: string;
  /** Sets the system's fault switch (`POST /_sandbox/faults` for a sandbox). */
  setFault(setting: FaultSetting): Promise<void>;
  /** Batch-read requests (the ones `findByOrderIds` sends) the system has received so far. */
  batchReadCalls(): Promise<number>;
  /**
   * The requests one `findByOrderIds` of `asked` distinct orders, `holding` of which have a shipment (`held`, as the
   * estate has them), sends. A system with no batch read by ids (ShipEngine), or a courier reading from its booking
   * ledger, says how many it takes instead. @default one request, whatever the batch
   */
  readonly readCallsFor?: (asked: number, holding: number, held: readonly Shipment[]) => number;
  /**
   * The system keeps one shipment per order (its id made from the order's): a second booking for the order, under
   * another key, answers the first shipment. @default false: each key books its own shipment
   */
  readonly oneShipmentPerOrder?: boolean;
  /**
   * How precisely the system keeps a shipment's creation: `'day'` for a carrier that gives only a mailing day (Canada
   * Post), compared with the estate's on its UTC day. @default 'exact'
   */
  readonly createdAtPrecision?: 'exact' | 'day';
  /**
   * The system deletes a cancelled shipment (Canada Post's void): after a cancel a read no longer finds it, the system
   * holds nothing under its id, and a second cancel answers it cancelled (its id, order and status) without failing.
   * @default false: a cancelled shipment stays readable, as CANCELLED
   */
  readonly cancelRemoves?: boolean;
  /**
   * Reads answer a cancelled shipment, as CANCELLED, even where the system deletes it: the courier reads its own booking
   * ledger, which keeps the cancellation. @default the opposite of cancelRemoves
   */
  readonly cancelledReadable?: boolean;
  /** Every request the system has received so far. */
  totalCalls(): Promise<number>;
  /** What the system holds now for one of our shipment ids; undefined when it has no such shipment. */
  stored(shipmentId: string): Promise<StoredShipment | undefined>;
  /** How many shipments the system holds for an order. */
  storedForOrder(orderId: string): Promise<number>;
  /**
   * What the system saw outside the vendor's published description (requests and answers); absent for a fake or a
   * system with no published description.
   */
  specViolations?(): Promise<readonly unknown[]>;
  /** Releases the implementation and the system (clients, servers). */
  close(): Promise<void>;
}

let keys = 0;
const idempotencyKey = (what: string): string => `contract-${what}-${process.pid}-${(keys += 1)}`;

/**
 * The Courier contract: every implementation (courier A's XML adapter, courier B's ShipEngine-shaped adapter, any
 * fake) runs it. `setup` is called once; tests book for distinct orders, so they do not depend on each other's writes.
 */
export function describeCourierContract(label: string, setup: () => Promise<CourierHarness>): void {
  describe(`Courier contract: ${label}`, () => {
    let h: CourierHarness;
    /** The estate's shipments with this courier, by order id. */
    let carried: Map<string, Shipment[]>;
    /** Orders this courier carries nothing for (the ones the tests book for come from here). */
    let notCarried: Order[];
    let nextOrder = 0;
    /** An order the courier holds nothing for, different on every call. */
    const freshOrder = (): Order => {
      const order = notCarried[notCarried.length - 1 - nextOrder];
      nextOrder += 1;
      if (!order) throw new Error('the estate ran out of orders without shipments');
      return order;
    };
    const requestFor = (order: Order, overrides: Partial<ShipmentRequest> = {}): ShipmentRequest => {
      const customer = h.estate.customers.find((c) => c.id === order.customerId);
      return {
        orderId: order.id,
        recipient: { name: customer?.name ?? 'Contract Recipient', phone: customer?.phone ?? null },
        shipTo: {
          name: customer?.name ?? 'Contract Recipient',
          phone: customer?.phone ?? null,
          line1: 'Prinsengracht 263',
          city: 'Amsterdam',
          region: 'NH',
          postalCode: '1016 GV',
          countryCode: 'NL',
          residential: true,
        },
        parcels: 2,
        idempotencyKey: idempotencyKey('book'),
        ...overrides,
      };
    };
    const expectFailure = async (promise: Promise<unknown>, code: IntegrationErrorCode): Promise<IntegrationError> => {
      const error = await failureOf(promise);
      expect({ code: error.code, system: error.system }).toEqual({ code, system: h.system });
      return error;
    };

    beforeAll(async () => {
      h = await setup();
      carried = new Map();
      for (const shipment of h.estate.shipments) {
        if (shipment.carrier !== h.courier.carrier) continue;
        carried.set(shipment.orderId, [...(carried.get(shipment.orderId) ?? []), shipment]);
      }
      notCarried = h.estate.orders.filter((order) => !carried.has(order.id));
    });
    afterEach(async () => {
      await h.setFault({ mode: 'ok' });
      // Where the vendor publishes a description, it is the oracle: nothing sent or answered may leave it.
      if (h.specViolations) expect(await h.specViolations()).toEqual([]);
    });
    afterAll(async () => {
      await h?.close();
    });

    it('names itself after the system it speaks to', () => {
      expect(h.courier.carrier).toBe(h.system);
    });

    describe('findByOrderIds', () => {
      it('answers exactly the orders asked for, with the shipments the courier holds; others are absent', async () => {
        const withShipments = [...carried.keys()].slice(0, 30);
        const without = notCarried.slice(0, 10).map((order) => order.id);

        const found = await h.courier.findByOrderIds([...withShipments, ...without, 'ord-not-an-order']);

        expect([...found.keys()].sort()).toEqual([...withShipments].sort());
        for (const orderId of withShipments) {
          const expected = (carried.get(orderId) ?? []).map((s) => ({
            id: s.id,
            orderId: s.orderId,
            carrier: s.carrier,
            trackingNumber: s.trackingNumber,
            status: s.status,
            createdAt: h.createdAtPrecision === 'day' ? new Date(`${s.createdAt.toISOString().slice(0, 10)}T00:00:00.000Z`) : s.createdAt,
          }));
          // What the estate says of it; a courier may tell more (its label, the carrier's tracking).
          expect(found.get(orderId)).toMatchObject(expected);
        }
      });

      it('covers delivered and in-transit shipments in our statuses', async () => {
        const orderIds = [...carried.keys()].slice(0, 200);
        const found = await h.courier.findByOrderIds(orderIds);
        const statuses = new Set([...found.values()].flat().map((s) => s.status));
        expect(statuses).toEqual(new Set(['DELIVERED', 'IN_TRANSIT']));
      });

      it('asks the system once for a batch of 100 orders (and duplicates), or as few times as it allows', async () => {
        const orderIds = h.estate.orders.slice(100, 200).map((order) => order.id);
        const before = await h.batchReadCalls();
        const total = await h.totalCalls();

        const found = await h.courier.findByOrderIds([...orderIds, ...orderIds.slice(0, 10)]);

        const holding = orderIds.filter((id) => carried.has(id)).length;
        expect(found.size).toBe(holding);
        const calls = h.readCallsFor?.(orderIds.length, holding, orderIds.flatMap((id) => carried.get(id) ?? [])) ?? 1;
        expect((await h.batchReadCalls()) - before).toBe(calls);
        expect((await h.totalCalls()) - total).toBe(calls);
      });

      it('answers an empty map without calling the system when asked for nothing', async () => {
        const before = await h.totalCalls();
        const found = await h.courier.findByOrderIds([]);
        expect(found.size).toBe(0);
        expect(await h.totalCalls()).toBe(before);
      });
    });

    describe('bookShipment', () => {
      it('books a shipment the courier then holds, with a tracking number, visible in later reads', async () => {
        const order = freshOrder();
        expect(await h.storedForOrder(order.id)).toBe(0);

        const shipment = await h.courier.bookShipment(requestFor(order));

        expect(shipment).toMatchObject({ orderId: order.id, carrier: h.system, status: 'LABEL_CREATED' });
        expect(shipment.id.startsWith(`${h.system}:`)).toBe(true);
        expect(shipment.trackingNumber).not.toBe('');
        expect(shipment.createdAt).toBeInstanceOf(Date);
        expect(await h.stored(shipment.id)).toEqual({
          orderId: order.id,
          trackingNumber: shipment.trackingNumber,
          status: 'LABEL_CREATED',
        });
        expect((await h.courier.findByOrderIds([order.id])).get(order.id)).toEqual([shipment]);
      });

      it('books once per idempotency key: the same key again answers the same shipment', async () => {
        const order = freshOrder();
        const request = requestFor(order);

        const first = await h.courier.bookShipment(request);
        const again = await h.courier.bookShipment(request);

        expect(again).toEqual(first);
        expect(await h.storedForOrder(order.id)).toBe(1);
        const second = await h.courier.bookShipment({ ...request, idempotencyKey: idempotencyKey('second') });
        if (h.oneShipmentPerOrder) {
          expect(second).toEqual(first);
          expect(await h.storedForOrder(order.id)).toBe(1);
        } else {
          expect(second.id).not.toBe(first.id);
          expect(await h.storedForOrder(order.id)).toBe(2);
        }
      });

      it('refuses a request the courier cannot book (no parcels) as UPSTREAM_REJECTED, booking nothing', async () => {
        const order = freshOrder();
        await expectFailure(h.courier.bookShipment(requestFor(order, { parcels: 0 })), 'UPSTREAM_REJECTED');
        expect(await h.storedForOrder(order.id)).toBe(0);
      });
    });

    describe('cancelShipment', () => {
      it('cancels a shipment not yet handed over; the courier holds it as cancelled', async () => {
        const booked = await h.courier.bookShipment(requestFor(freshOrder()));

        const key = idempotencyKey('cancel');
        const cancelled = await h.courier.cancelShipment({ shipmentId: booked.id, idempotencyKey: key });

        expect(cancelled).toMatchObject({ id: booked.id, orderId: booked.orderId, status: 'CANCELLED' });
        const read = await h.courier.findByOrderIds([booked.orderId]);
        if (h.cancelRemoves) expect(await h.stored(booked.id)).toBeUndefined();
        else expect((await h.stored(booked.id))?.status).toBe('CANCELLED');
        if (h.cancelledReadable ?? !h.cancelRemoves) expect(read.get(booked.orderId)?.map((s) => s.status)).toEqual(['CANCELLED']);
        else expect(read.has(booked.orderId)).toBe(false);
      });

      it('cancels once: the same key again answers the cancelled shipment as it is', async () => {
        const booked = await h.courier.bookShipment(requestFor(freshOrder()));
        const key = idempotencyKey('cancel-once');

        const first = await h.courier.cancelShipment({ shipmentId: booked.id, idempotencyKey: key });
        const again = await h.courier.cancelShipment({ shipmentId: booked.id, idempotencyKey: key });

        // A system that deletes what it cancels keeps nothing else of it to answer with.
        const same = (s: Shipment) => (h.cancelRemoves ? { id: s.id, orderId: s.orderId, carrier: s.carrier, status: s.status } : s);
        expect(same(again)).toEqual(same(first));
        expect(again.status).toBe('CANCELLED');
      });

      it('refuses to cancel a delivered shipment as UPSTREAM_REJECTED, leaving it delivered', async () => {
        const delivered = [...carried.values()].flat().find((s) => s.status === 'DELIVERED');
        if (!delivered) throw new Error('the estate has no delivered shipment with this courier');

        await expectFailure(
          h.courier.cancelShipment({ shipmentId: delivered.id, idempotencyKey: idempotencyKey('delivered') }),
          'UPSTREAM_REJECTED',
        );
        expect((await h.stored(delivered.id))?.status).toBe('DELIVERED');
      });

      it('refuses a shipment the courier never issued, and one of another carrier, as UPSTREAM_REJECTED', async () => {
        await expectFailure(
          h.courier.cancelShipment({ shipmentId: h.unknownShipmentId, idempotencyKey: idempotencyKey('unknown') }),
          'UPSTREAM_REJECTED',
        );
        const before = await h.totalCalls();
        await expectFailure(
          h.courier.cancelShipment({ shipmentId: 'another-courier:X1', idempotencyKey: idempotencyKey('foreign') }),
          'UPSTREAM_REJECTED',
        );
        expect(await h.totalCalls()).toBe(before);
      });
    });

    describe('when the system misbehaves', () => {
      // Orders whose shipment is still on its way: reading them must ask the system (a courier that keeps a booking
      // ledger answers the others, delivered or never booked with it, without a call).
      const inFlight = (count: number): string[] =>
        [...carried.entries()].filter(([, shipments]) => shipments.some((s) => s.status === 'IN_TRANSIT')).slice(0, count).map(([orderId]) => orderId);

      it('turns garbage (cut-off bodies and wrong shapes) into UPSTREAM_BAD_RESPONSE with a readable reason', async () => {
        const orderIds = inFlight(5);
        await h.setFault({ mode: 'garbage' });
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const error = await expectFailure(h.courier.findByOrderIds(orderIds), 'UPSTREAM_BAD_RESPONSE');
          expect(error.message).toMatch(/malformed|field|unexpected/i);
        }
        await expectFailure(h.courier.bookShipment(requestFor(freshOrder())), 'UPSTREAM_BAD_RESPONSE');
      });

      it('reports a system that is down as UPSTREAM_UNAVAILABLE, for reads and writes', async () => {
        const order = freshOrder();
        await h.setFault({ mode: 'down' });
        await expectFailure(h.courier.findByOrderIds(inFlight(1)), 'UPSTREAM_UNAVAILABLE');
        await expectFailure(h.courier.bookShipment(requestFor(order)), 'UPSTREAM_UNAVAILABLE');
        await h.setFault({ mode: 'ok' });
        expect(await h.storedForOrder(order.id)).toBe(0);
      });

      it('reports a 429 as UPSTREAM_RATE_LIMITED with the wait the system asked for', async () => {
        await h.setFault({ mode: 'ratelimit', retryAfterSeconds: 7 });
        const error = await expectFailure(h.courier.findByOrderIds(inFlight(1)), 'UPSTREAM_RATE_LIMITED');
        expect(error.retryAfterMs).toBe(7000);
      });

      it('reports a 503 (a flaky system failing this time) as UPSTREAM_UNAVAILABLE', async () => {
        await h.setFault({ mode: 'flaky', probability: 1 });
        await expectFailure(h.courier.findByOrderIds(inFlight(1)), 'UPSTREAM_UNAVAILABLE');
      });

      it('stops waiting when the caller gives up, as UPSTREAM_TIMEOUT', async () => {
        // Held far longer than the bound below: only giving up on the caller's signal gets under it.
        await h.setFault({ mode: 'slow', delayMs: 60_000 });
        const started = Date.now();
        await expectFailure(
          h.courier.findByOrderIds(inFlight(1), { signal: AbortSignal.timeout(150) }),
          'UPSTREAM_TIMEOUT',
        );
        expect(Date.now() - started).toBeLessThan(20_000);
      });
    });
  });
}
