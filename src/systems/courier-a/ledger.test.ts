import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShipmentRequest } from '../../domain';
import type { CourierAAdapter, CourierAAdapterOptions } from './adapter';
import { createTestPki, type TestPki } from '../../pki';
import { estateBookings } from './sandbox';
import { CourierBookingEntity, createBookingLedger, openDatabase, seedBookingLedger, type Database } from '../../db';
import type { BookingLedger } from '../kit/adapter/booking-ledger';
import { groupIdOf } from './canada-post/ids';
import { adapterFor, estate, generated, READ_OPERATIONS, startCourierA } from './sandbox-at-hand';

/**
 * Courier A's reads from the booking ledger (our database): what a page asks Canada Post once the ledger holds its
 * bookings, what a read records, the backfill of bookings made before the ledger existed. The adapter against
 * Canada Post itself: adapter.test.ts.
 */

describe('courier A: reads from its booking ledger', () => {
  let pki: TestPki;
  let a: Awaited<ReturnType<typeof startCourierA>>;
  let db: Database;
  let ledger: BookingLedger;
  const opened: { close(): Promise<void> }[] = [];
  /** Orders the estate gave no shipment: each test books its own. */
  const unbooked = generated.orders.filter((order) => !generated.shipments.some((shipment) => shipment.orderId === order.id));
  let nextOrder = unbooked.length - 1;
  const request = (overrides: Partial<ShipmentRequest> = {}): ShipmentRequest => {
    const order = unbooked[nextOrder--]!;
    return {
      orderId: order.id,
      recipient: { name: 'Ada Jansen', phone: null },
      shipTo: { name: 'Ada Jansen', line1: 'Keizersgracht 1', city: 'Amsterdam', region: 'NH', postalCode: '1015 CJ', countryCode: 'NL' },
      parcels: 1,
      idempotencyKey: `ledger-${process.pid}-${nextOrder}`,
      ...overrides,
    };
  };
  const adapter = (options: Partial<CourierAAdapterOptions> = {}): CourierAAdapter => {
    const courier = adapterFor(a, pki, { ledger, ...options });
    opened.push(courier);
    return courier;
  };
  const readCalls = () => Object.fromEntries(READ_OPERATIONS.map((operation) => [operation, a.calls(operation)]));
  const callsSince = (before: Record<string, number>) =>
    Object.fromEntries(Object.entries(readCalls()).map(([operation, count]) => [operation, count - before[operation]!]));
  const rowsFor = async (orderId: string) => db.orm.em.fork().find(CourierBookingEntity, { orderId });

  beforeAll(async () => {
    pki = await createTestPki();
    a = await startCourierA(pki);
    db = await openDatabase('sqlite::memory:');
    await db.migrate();
    await seedBookingLedger(db, estateBookings(estate));
    ledger = createBookingLedger(db);
  });
  afterAll(async () => {
    for (const resource of opened) await resource.close();
    await a.close();
    await db.close();
  });

  it('reads a page of orders with one tracking summary per booking in flight, and nothing for the unbooked and delivered', async () => {
    const page = generated.orders.slice(0, 100).map((order) => order.id);
    const held = estate.shipments.filter((shipment) => shipment.carrier === 'courier-a' && page.includes(shipment.orderId));
    const inFlight = held.filter((shipment) => shipment.status === 'IN_TRANSIT');
    expect(inFlight.length).toBeGreaterThan(5);
    expect(held.length - inFlight.length).toBeGreaterThan(5);
    const before = readCalls();

    const found = await adapter().findByOrderIds(page);

    expect(callsSince(before)).toEqual({ getShipments: 0, getShipment: 0, getShipmentDetails: 0, getTrackingSummary: inFlight.length });
    // The same answer as Canada Post's own documents give, order by order (read without the ledger).
    expect(found).toEqual(await adapter({ ledger: undefined }).findByOrderIds(page));
    expect([...found.keys()].sort()).toEqual(held.map((shipment) => shipment.orderId).sort());
  });

  it('records what tracking says once it changes: a delivered booking is then answered from the ledger alone', async () => {
    const moving = estate.shipments.find((shipment) => shipment.carrier === 'courier-a' && shipment.status === 'IN_TRANSIT')!;
    const record = a.shipments.get(a.records.collection<string>('shipments-by-pin').get(moving.trackingNumber)!)!;
    a.shipments.set(record.shipmentId, { ...record, tracking: { ...record.tracking!, eventType: 'DELIVERED', description: 'Delivered' } });

    const first = await adapter().findByOrderIds([moving.orderId]);
    expect(first.get(moving.orderId)?.map((shipment) => shipment.status)).toEqual(['DELIVERED']);
    expect((await rowsFor(moving.orderId)).map((row) => row.status)).toEqual(['DELIVERED']);

    const before = readCalls();
    const again = await adapter().findByOrderIds([moving.orderId]);
    expect(callsSince(before)).toEqual({ getShipments: 0, getShipment: 0, getShipmentDetails: 0, getTrackingSummary: 0 });
    expect(again).toEqual(first);
  });

  it('records a booking and its cancellation: the booking costs one tracking summary while in flight, the cancelled one none', async () => {
    const courier = adapter();
    const booked = await courier.bookShipment(request());
    expect(await rowsFor(booked.orderId)).toEqual([expect.objectContaining({ shipmentId: booked.id, status: 'LABEL_CREATED', trackingNumber: booked.trackingNumber })]);

    let before = readCalls();
    expect(await courier.findByOrderIds([booked.orderId])).toEqual(new Map([[booked.orderId, [booked]]]));
    expect(callsSince(before)).toEqual({ getShipments: 0, getShipment: 0, getShipmentDetails: 0, getTrackingSummary: 1 });

    const cancelled = await courier.cancelShipment({ shipmentId: booked.id, idempotencyKey: `ledger-cancel-${process.pid}` });
    before = readCalls();
    expect(await courier.findByOrderIds([booked.orderId])).toEqual(new Map([[booked.orderId, [cancelled]]]));
    expect(callsSince(before)).toEqual({ getShipments: 0, getShipment: 0, getShipmentDetails: 0, getTrackingSummary: 0 });
  });

  it('finds a booking whose answer was lost by its request id, on a read and on the retry, and records it once', async () => {
    const booking = request();
    // The booking lands at Canada Post, and the process stops before the answer is written down.
    const lost: BookingLedger = { ...ledger, record: async () => Promise.reject(new Error('the answer was lost')) };
    await expect(adapter({ ledger: lost }).bookShipment(booking)).rejects.toThrow('the answer was lost');
    expect((await rowsFor(booking.orderId)).map((row) => row.status)).toEqual([null]);

    // A read finds it by its request id (Canada Post's own read), and records it.
    const courier = adapter();
    const read = await courier.findByOrderIds([booking.orderId]);
    expect(read.get(booking.orderId)?.map((shipment) => shipment.status)).toEqual(['LABEL_CREATED']);
    expect((await rowsFor(booking.orderId)).map((row) => row.status)).toEqual(['LABEL_CREATED']);

    // The retry books nothing twice, and the ledger still holds one row for the order.
    const creates = a.calls('createShipment');
    const retried = await courier.bookShipment(booking);
    expect(a.calls('createShipment')).toBe(creates);
    expect(retried).toEqual(read.get(booking.orderId)![0]);
    expect(await rowsFor(booking.orderId)).toEqual([expect.objectContaining({ shipmentId: retried.id, status: 'LABEL_CREATED' })]);
    expect(a.inGroup(groupIdOf(booking.orderId)!)).toHaveLength(1);
  });

  it('forgets a booking that never reached Canada Post once it is long past, instead of asking about it on every read', async () => {
    const booking = request();
    await a.sandbox.setFault({ mode: 'down' });
    await expect(adapter().bookShipment(booking)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await a.sandbox.setFault({ mode: 'ok' });
    expect((await rowsFor(booking.orderId)).map((row) => row.status)).toEqual([null]);

    // Just sent, it may still be on its way: asked about, and kept.
    let before = readCalls();
    expect((await adapter().findByOrderIds([booking.orderId])).size).toBe(0);
    expect(callsSince(before).getShipments).toBe(1);
    expect(await rowsFor(booking.orderId)).toHaveLength(1);

    // Long past, with nothing at Canada Post: forgotten, and not asked about again.
    const later = adapter({ now: () => new Date(Date.now() + 11 * 60_000) });
    expect((await later.findByOrderIds([booking.orderId])).size).toBe(0);
    expect(await rowsFor(booking.orderId)).toEqual([]);
    before = readCalls();
    expect((await later.findByOrderIds([booking.orderId])).size).toBe(0);
    expect(callsSince(before)).toEqual({ getShipments: 0, getShipment: 0, getShipmentDetails: 0, getTrackingSummary: 0 });
  });

  it('keeps its bookings across a restart, in the database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plugboard-ledger-'));
    try {
      const url = `sqlite:${join(dir, 'plugboard.sqlite')}`;
      const booking = request();
      let booked;
      {
        await using first = await openDatabase(url);
        await first.migrate();
        booked = await adapter({ ledger: createBookingLedger(first) }).bookShipment(booking);
      }
      await using second = await openDatabase(url);
      const before = readCalls();
      const found = await adapter({ ledger: createBookingLedger(second) }).findByOrderIds([booking.orderId]);
      expect(found.get(booking.orderId)).toEqual([booked]);
      expect(callsSince(before).getShipments).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
