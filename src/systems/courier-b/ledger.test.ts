import { createCourierBAdapter, type CourierBAdapter, type CourierBAdapterOptions } from './adapter';
import type { ShipmentRequest, SiteStore } from '../../domain';
import { COURIER_B_SANDBOX_CREDENTIALS, COURIER_B_SANDBOX_SHIP_FROM, createCourierBSandbox, estateBookings, SPEC_VIOLATIONS } from './sandbox';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { generateEstate } from '../kit/seed';
import { externalShipmentIdOf } from './external-id';
import { CourierBookingEntity, createBookingLedger, openDatabase, seedBookingLedger, type Database } from '../../db';
import type { BookingLedger } from '../kit/adapter/booking-ledger';
import { withTrafficObserver } from '../kit/adapter';
import { courierBSystem } from '.';

/**
 * Courier B's reads from the booking ledger (our database): what a page asks ShipEngine once the ledger holds its
 * bookings, what a read records, and the backfill of bookings made before the ledger existed. The adapter against
 * ShipEngine itself: adapter.test.ts.
 */

const estate = generateEstate();
const { apiKey, carrierId } = COURIER_B_SANDBOX_CREDENTIALS;
/** The sandbox account's booking settings, as its connection in the registry passes them. */
const account = { apiKey, carrierId, serviceCode: 'courier_b_standard', shipFrom: COURIER_B_SANDBOX_SHIP_FROM };

describe('courier B: reads from its booking ledger', () => {
  let sandbox: RunningSandbox;
  let db: Database;
  let ledger: BookingLedger;
  const opened: CourierBAdapter[] = [];
  /** The path and query of every request the adapters made, as the HTTP kit sent them. */
  let asked: string[] = [];
  const adapter = (options: Partial<CourierBAdapterOptions> = {}): CourierBAdapter => {
    const courier = withTrafficObserver({ onAnswer: (answer) => asked.push(answer.path) }, () =>
      createCourierBAdapter({ baseUrl: sandbox.url, ...account, ledger, ...options }),
    );
    opened.push(courier);
    return courier;
  };
  const heldFor = (orderIds: readonly string[]) => estate.shipments.filter((s) => s.carrier === 'courier-b' && orderIds.includes(s.orderId));
  const rowsFor = async (orderId: string) => db.orm.em.fork().find(CourierBookingEntity, { orderId }, { disableIdentityMap: true });
  const delivered = estate.shipments.filter((s) => s.carrier === 'courier-b' && s.status === 'DELIVERED');
  /** Orders the estate gave no shipment: each test books its own. */
  const unbooked = estate.orders.filter((order) => !estate.shipments.some((shipment) => shipment.orderId === order.id));
  const request = (orderId: string): ShipmentRequest => ({
    orderId,
    recipient: { name: 'Ada Jansen', phone: null },
    shipTo: { name: 'Ada Jansen', line1: 'Keizersgracht 1', city: 'Amsterdam', region: 'NH', postalCode: '1015 CJ', countryCode: 'NL' },
    parcels: 1,
    idempotencyKey: `ledger-${process.pid}-${orderId}`,
  });

  beforeAll(async () => {
    sandbox = await startSandbox(createCourierBSandbox(estate));
    db = await openDatabase('sqlite::memory:');
    await db.migrate();
    await seedBookingLedger(db, estateBookings(estate));
    ledger = createBookingLedger(db);
  });
  beforeEach(async () => {
    await fetch(`${sandbox.url}/_sandbox/stats`, { method: 'DELETE' }).then((response) => response.arrayBuffer());
    asked = [];
  });
  afterAll(async () => {
    for (const courier of opened) await courier.close();
    await sandbox.close();
    await db.close();
  });

  it('reads a page with one page of each list, the shipments asked for the window where those in flight were created; nothing for the unbooked and delivered', async () => {
    const page = estate.orders.slice(-100).map((order) => order.id);
    const held = heldFor(page);
    const inFlight = held.filter((shipment) => shipment.status === 'IN_TRANSIT');
    expect(inFlight.length).toBeGreaterThan(5);
    expect(held.length - inFlight.length).toBeGreaterThan(5);
    expect(page.length - held.length).toBeGreaterThan(5);

    const found = await adapter().findByOrderIds(page);

    expect(sandbox.stats.snapshot().byOperation).toEqual({ 'shipments.list': 1, 'labels.list': 1 });
    // As ShipEngine's list_shipments takes it (created_at_start, created_at_end: date-time), a second beyond the
    // earliest and the latest booking in flight, which the sandbox checked against ShipEngine's description.
    const times = inFlight.map((shipment) => shipment.createdAt.getTime());
    const listed = asked.find((path) => path.startsWith('/v1/shipments?'))!;
    expect(Object.fromEntries(new URLSearchParams(listed.slice(listed.indexOf('?') + 1)))).toEqual({
      created_at_start: new Date(Math.min(...times) - 1_000).toISOString(),
      created_at_end: new Date(Math.max(...times) + 1_000).toISOString(),
      sort_by: 'created_at',
      sort_dir: 'desc',
      page_size: '500',
      page: '1',
    });
    // The labels from the window's start on (list_labels' created_at_start, "on or after"): a label is bought at or
    // after its shipment's creation, so every label of those shipments is in it.
    const labels = asked.find((path) => path.startsWith('/v1/labels?'))!;
    expect(new URLSearchParams(labels.slice(labels.indexOf('?') + 1)).get('created_at_start')).toBe(new Date(Math.min(...times) - 1_000).toISOString());
    expect([...sandbox.records.collection(SPEC_VIOLATIONS).values()]).toEqual([]);
    // The same answer as ShipEngine's lists give without the ledger.
    expect([...found.keys()].sort()).toEqual(held.map((shipment) => shipment.orderId).sort());
    expect(found).toEqual(await adapter({ ledger: undefined }).findByOrderIds(page));
  });

  it('asks the labels beside the shipments list when the ledger holds a label of a booking in flight: the page waits on one round trip, not two', async () => {
    const page = estate.orders.slice(-100).map((order) => order.id);
    const rows = [...(await ledger.bookingsOf('courier-b', page)).values()].flat();
    expect(rows.some((row) => row.shipment?.status === 'IN_TRANSIT' && row.shipment.label)).toBe(true);
    // ShipEngine answers nothing: both lists must be asked before either answers.
    sandbox.setFault({ mode: 'slow', delayMs: 600_000 });
    let arrived = 0;
    const bothArrived = new Promise<void>((resolve) => {
      const stop = sandbox.stats.onFault(() => {
        arrived += 1;
        if (arrived === 2) {
          stop();
          resolve();
        }
      });
    });
    const hangUp = new AbortController();
    const read = adapter().findByOrderIds(page, { signal: hangUp.signal }).catch((error: unknown) => error);
    try {
      await bothArrived;
      expect(sandbox.stats.snapshot().byOperation).toEqual({ 'shipments.list': 1, 'labels.list': 1 });
    } finally {
      hangUp.abort();
      await read;
      sandbox.setFault({ mode: 'ok' });
    }
  });

  it('asks no labels ahead when no booking in flight has one: a page of bookings waiting for their labels makes one call', async () => {
    const waiting = estate.shipments.filter((s) => s.carrier === 'courier-b' && s.status === 'IN_TRANSIT').slice(-3);
    const withoutLabels: BookingLedger = {
      ...ledger,
      bookingsOf: async (carrier, orderIds) =>
        new Map([...(await ledger.bookingsOf(carrier, orderIds))].map(([orderId, rows]) => [orderId, rows.map((row) => ({ ...row, shipment: row.shipment && { ...row.shipment, label: null } }))])),
    };
    await adapter({ ledger: withoutLabels }).findByOrderIds(waiting.map((shipment) => shipment.orderId));
    // The shipments list says they hold labels (the ledger was behind): the labels are then asked after it, as before,
    // from the earliest of those shipments' creation as ShipEngine gave it, not from the ledger's window.
    expect(asked.map((path) => path.slice(0, path.indexOf('?')))).toEqual(['/v1/shipments', '/v1/labels']);
    const labels = new URLSearchParams(asked[1]!.slice(asked[1]!.indexOf('?') + 1));
    expect(Date.parse(labels.get('created_at_start')!)).toBe(Math.min(...waiting.map((shipment) => shipment.createdAt.getTime())));
  });

  it('records what a read finds changed: a parcel delivered since is then answered from the ledger alone', async () => {
    const moving = estate.shipments.filter((s) => s.carrier === 'courier-b' && s.status === 'IN_TRANSIT').at(-1)!;
    const page = [moving.orderId, delivered[0]!.orderId];
    const scanned = await fetch(`${sandbox.url}/_sandbox/tracking/${moving.trackingNumber}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status_code: 'de' }),
    });
    expect(scanned.status).toBe(200);

    expect((await adapter().findByOrderIds(page)).get(moving.orderId)?.[0]).toMatchObject({ id: moving.id, status: 'DELIVERED', tracking: { status: 'DELIVERED' } });
    expect(sandbox.stats.snapshot().byOperation).toEqual({ 'shipments.list': 1, 'labels.list': 1 });
    expect(await rowsFor(moving.orderId)).toEqual([expect.objectContaining({ shipmentId: moving.id, status: 'DELIVERED' })]);

    await fetch(`${sandbox.url}/_sandbox/stats`, { method: 'DELETE' }).then((response) => response.arrayBuffer());
    const again = await adapter().findByOrderIds(page);
    expect(again.get(moving.orderId)?.[0]).toMatchObject({ id: moving.id, status: 'DELIVERED', trackingNumber: moving.trackingNumber });
    expect(sandbox.stats.snapshot().total).toBe(0);
  });

  it('keeps a booking: a row before it is sent, its shipment once answered, its cancellation; a lost answer is found by its external id', async () => {
    const [first, second] = [unbooked[0]!.id, unbooked[1]!.id];
    const booked = await adapter().bookShipment(request(first));
    expect(await rowsFor(first)).toEqual([expect.objectContaining({ shipmentId: booked.id, status: 'LABEL_CREATED', trackingNumber: booked.trackingNumber })]);

    // The answer lost (the process died before recording it): the row written before sending stays, unresolved.
    const lost: BookingLedger = { ...ledger, record: async () => Promise.reject(new Error('the answer was lost')) };
    await expect(adapter({ ledger: lost }).bookShipment(request(second))).rejects.toThrow('the answer was lost');
    expect(await rowsFor(second)).toEqual([expect.objectContaining({ shipmentId: `courier-b:pending:${externalShipmentIdOf('courier-b', second)}`, status: null })]);
    const found = await adapter().findByOrderIds([first, second, delivered[1]!.orderId]);
    expect(found.get(second)?.[0]).toMatchObject({ id: expect.stringMatching(/^courier-b:se-/), status: 'LABEL_CREATED' });
    expect(await rowsFor(second)).toEqual([expect.objectContaining({ shipmentId: found.get(second)![0]!.id, status: 'LABEL_CREATED' })]);

    // Cancelled, the booking is final: a page holding it asks ShipEngine nothing.
    await adapter().cancelShipment({ shipmentId: booked.id, idempotencyKey: `ledger-cancel-${process.pid}` });
    await fetch(`${sandbox.url}/_sandbox/stats`, { method: 'DELETE' }).then((response) => response.arrayBuffer());
    const after = await adapter().findByOrderIds([first, delivered[1]!.orderId]);
    expect(after.get(first)?.[0]).toMatchObject({ id: booked.id, status: 'CANCELLED' });
    expect(sandbox.stats.snapshot().total).toBe(0);
  });

  it('fills the ledger with the bookings made before it existed, one lookup per order it holds nothing for, once', async () => {
    const empty = await openDatabase('sqlite::memory:');
    try {
      await empty.migrate();
      const courier = adapter({ ledger: createBookingLedger(empty) });
      const store = {} as SiteStore;
      expect(Object.keys(courierBSystem.followers!({ ports: { couriers: [courier], store }, invalidate: async () => undefined }))).toContain('courier-b:backfillBookings');
      const orderIds = estate.orders.slice(-30, -10).map((order) => order.id);
      const held = heldFor(orderIds);
      expect(held.length).toBeGreaterThan(3);
      // Before: nothing in the ledger, so nothing read.
      expect((await courier.findByOrderIds(orderIds)).size).toBe(0);
      expect(sandbox.stats.snapshot().total).toBe(0);

      expect(await courier.backfill(orderIds)).toBe(held.length);
      expect(sandbox.stats.snapshot().byOperation['shipments.getByExternalId']).toBe(orderIds.length);
      // Run again (a claim that had run out, taken up by another worker): an order in the ledger costs no call.
      expect(await courier.backfill(orderIds)).toBe(0);
      expect(sandbox.stats.snapshot().byOperation['shipments.getByExternalId']).toBe(orderIds.length + orderIds.length - held.length);

      const found = await courier.findByOrderIds(orderIds);
      expect([...found.keys()].sort()).toEqual(held.map((shipment) => shipment.orderId).sort());
      // As ShipEngine holds them now (an earlier test delivered one of these parcels): what a read without the ledger finds.
      const direct = await adapter({ ledger: undefined }).findByOrderIds(orderIds);
      for (const shipment of held) {
        expect(found.get(shipment.orderId)?.[0]).toMatchObject({ id: shipment.id, status: direct.get(shipment.orderId)?.[0]?.status, trackingNumber: shipment.trackingNumber });
      }
    } finally {
      await empty.close();
    }
  });
});
