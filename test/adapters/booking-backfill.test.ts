import type { Courier, SiteStore } from '../../src/domain';
import { createOutbox, startOutboxWorker } from '../../src/outbox';
import { createTestPki, type TestPki } from '../../src/pki';
import { createResilience, type Resilience } from '../../src/resilience';
import { seedSiteStore, type Database } from '../../src/db';
import { courierASystem } from '../../src/systems/courier-a';
import { createCourierAAdapter } from '../../src/systems/courier-a/adapter';
import { groupIdOf } from '../../src/systems/courier-a/canada-post/ids';
import { COURIER_A_SANDBOX_CREDENTIALS, createCourierASandbox } from '../../src/systems/courier-a/sandbox';
import { bookingBackfillFollowers } from '../../src/systems/kit/courier-backfill';
import { startSandbox, type RunningSandbox } from '../../src/systems/kit/sandbox';
import { generateEstate, type EstateSeed } from '../../src/systems/kit/seed';
import { storeSystem } from '../../src/systems/store';
import { openTestDatabase, testDatabases } from '../support/databases';

/** Orders the job reads at once here: three pages, so that a worker goes on from one to the next. */
const PAGE = 40;
const generated = generateEstate({ customers: 40, orders: 2 * PAGE + 30, skus: 60 });
/** Courier A names an order's booking after its group (as its adapter test does). */
const estate: EstateSeed = {
  ...generated,
  shipments: generated.shipments.map((shipment) => (shipment.carrier === 'courier-a' ? { ...shipment, id: `courier-a:${groupIdOf(shipment.orderId)}` } : shipment)),
};
const booked = [...new Set(estate.shipments.filter((shipment) => shipment.carrier === 'courier-a').map((shipment) => shipment.orderId))];
const orderIds = estate.orders.map((order) => order.id);
/** The last migration an installation had before the booking ledger's backfill. */
const BEFORE_BACKFILL = 'migration-20261207024000-webhook-event-order';
/** The upgrade that queues courier A's backfill (courier B's is a later one, with its own job). */
const COURIER_A_BACKFILL = 'migration-20261207033000-courier-bookings-backfill';

describe.each(testDatabases())('upgrading to the booking ledger on $label', (database) => {
  let pki: TestPki;
  let sandbox: RunningSandbox;
  let definition: ReturnType<typeof createCourierASandbox>;
  let resilience: Resilience;
  const opened: { close(): Promise<void> }[] = [];

  /** Courier A and the store as a composed process serves them, over `db`, with courier A's outbox handlers. */
  const serve = (db: Database) => {
    const connection = { baseUrl: sandbox.url, ...COURIER_A_SANDBOX_CREDENTIALS, tls: { ca: pki.ca } };
    const courierA = courierASystem.serve({ connection, resilience, db });
    opened.push({ close: async () => courierA.close?.() });
    const courier = courierA.ports.couriers![0]! as Courier;
    const store = storeSystem.serve({ connection: { baseUrl: '' }, resilience, db }).ports.store as SiteStore;
    const invalidate = async () => undefined;
    // Courier A's outbox handlers include the backfill's; it runs here with smaller pages.
    expect(Object.keys(courierASystem.followers!({ ports: { couriers: [courier], store }, invalidate }))).toContain('courier-a:backfillBookings');
    return { courier, store, handlers: bookingBackfillFollowers(courier, store, { invalidate }, { pageSize: PAGE }) };
  };

  beforeAll(async () => {
    pki = await createTestPki();
    definition = createCourierASandbox(estate, { pki: { ca: pki.ca, server: pki.server } });
    sandbox = await startSandbox(definition);
    resilience = createResilience({ systems: { 'courier-a': { rateLimit: { requests: 1_000, perSeconds: 1 } } } });
  });
  afterAll(async () => {
    for (const resource of opened) await resource.close();
    await resilience?.close();
    await definition?.schemaChecks.settled();
    await sandbox?.close();
  });

  it('finds the bookings made before the ledger existed: one outbox job records them, a page per claim', async () => {
    await using db = await openTestDatabase(database);
    if (db.schema) await db.orm.em.getConnection().execute(`create schema if not exists "${db.schema}"`);
    await db.orm.getMigrator().up({ to: BEFORE_BACKFILL });
    await seedSiteStore(db, estate);
    expect(booked.length).toBeGreaterThan(5);
    const { courier, store, handlers } = serve(db);
    // Before the job: the ledger is empty, so courier A's bookings are nowhere to be read.
    expect((await courier.findByOrderIds(orderIds)).size).toBe(0);

    const ran = (await db.orm.getMigrator().up({ to: COURIER_A_BACKFILL })).map((migration) => migration.name);
    expect(ran).toEqual([expect.stringMatching(/-courier-bookings-backfill$/)]);
    const outbox = createOutbox(db);
    expect(await outbox.list()).toEqual([expect.objectContaining({ system: 'courier-a', operation: 'backfillBookings', state: 'pending' })]);

    // One page per claim: the job is queued again with its cursor, its attempts reset, behind the jobs already due.
    const getShipments = () => sandbox.stats.snapshot().byOperation.getShipments ?? 0;
    const [claimed] = await outbox.claim('test-worker', 1, 60_000);
    const progress = await handlers['courier-a:backfillBookings']!(claimed!);
    expect(progress).toEqual({ continueWith: { after: expect.any(String) } });
    expect(await outbox.progress(claimed!, progress!.continueWith)).toBe('pending');
    expect(await outbox.get(claimed!.id)).toEqual(expect.objectContaining({ state: 'pending', attempts: 0 }));
    const firstPage = (await courier.findByOrderIds(orderIds)).size;
    expect(firstPage).toBeGreaterThan(0);
    expect(firstPage).toBeLessThan(booked.length);

    // A worker (after a crash, any worker) goes on from there, page after page: each order left is asked once, no other.
    const before = getShipments();
    const worker = startOutboxWorker({ outbox, handlers, pollMs: 60_000 });
    opened.push(worker);
    await worker.drain();
    expect(await outbox.counts()).toEqual({ done: 1 });
    expect(getShipments() - before).toBe(orderIds.length - PAGE);

    // Every booking Canada Post holds for an order is read again, as it reads without the ledger.
    const found = await courier.findByOrderIds(orderIds);
    expect([...found.keys()].sort()).toEqual([...booked].sort());
    const direct = createCourierAAdapter({ baseUrl: sandbox.url, ...COURIER_A_SANDBOX_CREDENTIALS, tls: { ca: pki.ca } });
    opened.push(direct);
    expect(found).toEqual(await direct.findByOrderIds(orderIds));

    // Run again (a claim that had run out, taken up by another worker): an order in the ledger costs no call.
    const again = getShipments();
    const firstIds = (await store.listOrders({ first: PAGE })).items.map((order) => order.id);
    await handlers['courier-a:backfillBookings']!({ ...claimed!, payload: {} });
    expect(getShipments() - again).toBe(firstIds.filter((orderId) => !booked.includes(orderId)).length);
  });

  it("queues courier B's backfill on an upgrade from before its ledger, when the database holds orders", async () => {
    await using db = await openTestDatabase(database);
    if (db.schema) await db.orm.em.getConnection().execute(`create schema if not exists "${db.schema}"`);
    await db.orm.getMigrator().up({ to: COURIER_A_BACKFILL });
    await seedSiteStore(db, estate);
    expect(await db.migrate()).toEqual([expect.stringMatching(/-courier-b-bookings-backfill$/)]);
    expect(await createOutbox(db).list()).toEqual([
      expect.objectContaining({ system: 'courier-b', operation: 'backfillBookings', state: 'pending', idempotencyKey: 'courier-b:backfillBookings' }),
    ]);
  });

  it('queues nothing on a fresh install: its database is empty when it migrates', async () => {
    await using db = await openTestDatabase(database);
    await db.migrate();
    expect(await createOutbox(db).counts()).toEqual({});
  });
});
