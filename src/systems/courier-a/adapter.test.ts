import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createCourierAAdapter, type CourierAAdapter, type CourierAAdapterOptions } from './adapter';
import { type ShipmentRequest, type ShipmentStatus } from '../../domain';
import { createTestPki, type TestPki } from '../../pki';
import { createXmlCodec } from '../../xml';
import { COURIER_A_SANDBOX_CREDENTIALS, createCourierASandbox, estateBookings, SPEC_VIOLATIONS, type ShipmentRecord, type SpecViolation } from './sandbox';
import { CourierBookingEntity, createBookingLedger, openDatabase, seedBookingLedger, type Database } from '../../db';
import type { BookingLedger } from '../kit/adapter/booking-ledger';
import { createShipmentDocuments, SHIPMENT_MEDIA_TYPE } from './canada-post/documents';
import { groupIdOf } from './canada-post/ids';
import { RecordStore, startSandbox } from '../kit/sandbox';
import { generateEstate, type EstateSeed } from '../kit/seed';
import { describeCourierContract, type StoredShipment } from '../../../test/contracts/courier.contract';
import { failureOf } from '../../../test/support/failures';

const generated = generateEstate();
/** The estate as courier A names its shipments: Canada Post keeps an order's parcels in a group made from its id. */
const estate: EstateSeed = {
  ...generated,
  shipments: generated.shipments.map((shipment) => (shipment.carrier === 'courier-a' ? { ...shipment, id: `courier-a:${groupIdOf(shipment.orderId)}` } : shipment)),
};
const { username, password, account } = COURIER_A_SANDBOX_CREDENTIALS;
const codec = createXmlCodec({ attributes: true });

/** Where a Canada Post shipment stands, read by this test from the sandbox's records, independently of the adapter. */
function statusOf(record: ShipmentRecord): ShipmentStatus {
  if (record.status === 'created') return 'LABEL_CREATED';
  return record.tracking?.eventType === 'DELIVERED' ? 'DELIVERED' : 'IN_TRANSIT';
}

/** Courier A's sandbox with its records at hand, a client for raw requests, and what it holds by group. */
async function startCourierA(pki: TestPki) {
  const records = new RecordStore();
  const definition = createCourierASandbox(estate, { pki });
  const sandbox = await startSandbox(definition, { records });
  const agent = new Agent({ connect: { ca: pki.ca, rejectUnauthorized: true } });
  const send = async (method: 'GET' | 'POST' | 'DELETE', path: string, options: { body?: string; headers?: Record<string, string> } = {}) => {
    const response = await request(`${sandbox.url}${path}`, { method, dispatcher: agent, headers: options.headers, body: options.body });
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  };
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const shipments = records.collection<ShipmentRecord>('shipments');
  const inGroup = (groupId: string): ShipmentRecord[] =>
    (records.collection<string[]>('shipments-by-group').get(groupId) ?? [])
      .map((id) => shipments.get(id)!)
      .sort((a, b) => (a.customerRequestId ?? '').localeCompare(b.customerRequestId ?? '', 'en', { numeric: true }));
  return {
    sandbox,
    records,
    shipments,
    inGroup,
    send,
    /** A request as Canada Post's clients send it: HTTP Basic and the service's media type. */
    canadaPost: (method: 'GET' | 'POST' | 'DELETE', path: string, body?: string, headers: Record<string, string> = {}) =>
      send(method, path, { ...(body === undefined ? {} : { body }), headers: { authorization: basic, accept: SHIPMENT_MEDIA_TYPE, ...(body === undefined ? {} : { 'content-type': SHIPMENT_MEDIA_TYPE }), ...headers } }),
    /** What the sandbox found outside Canada Post's schema, once every answer sent so far is checked. */
    violations: async (): Promise<SpecViolation[]> => {
      await definition.schemaChecks.settled();
      return [...records.collection<SpecViolation>(SPEC_VIOLATIONS).values()];
    },
    clearViolations: () => records.collection<SpecViolation>(SPEC_VIOLATIONS).clear(),
    calls: (...operations: string[]) => {
      const { byOperation } = sandbox.stats.snapshot();
      return operations.reduce((sum, operation) => sum + (byOperation[operation] ?? 0), 0);
    },
    async close() {
      await definition.schemaChecks.settled();
      await agent.close();
      await sandbox.close();
    },
  };
}

const READ_OPERATIONS = ['getShipments', 'getShipment', 'getShipmentDetails', 'getTrackingSummary'];

function adapterFor(a: Awaited<ReturnType<typeof startCourierA>>, pki: TestPki, options: Partial<CourierAAdapterOptions> = {}): CourierAAdapter {
  return createCourierAAdapter({ baseUrl: a.sandbox.url, username, password, account, tls: { ca: pki.ca }, ...options });
}

describeCourierContract('courier A adapter (Canada Post Contract Shipping v8 and Tracking) against its sandbox, with its booking ledger', async () => {
  const pki = await createTestPki();
  const a = await startCourierA(pki);
  // As every composed process serves it: the ledger in our database, seeded with the estate's bookings.
  const db = await openDatabase('sqlite::memory:');
  await db.migrate();
  await seedBookingLedger(db, estateBookings(estate));
  const courier = adapterFor(a, pki, { ledger: createBookingLedger(db) });
  return {
    courier,
    system: 'courier-a',
    estate,
    unknownShipmentId: 'courier-a:ord-999999.00000000',
    setFault: async (setting) => a.sandbox.setFault(setting),
    // From the ledger: one tracking summary per booking in flight; nothing for the others.
    readCallsFor: (_asked, _holding, held) => held.filter((shipment) => shipment.status !== 'DELIVERED').length,
    batchReadCalls: async () => a.calls(...READ_OPERATIONS),
    totalCalls: async () => a.sandbox.stats.snapshot().total,
    oneShipmentPerOrder: true,
    createdAtPrecision: 'day',
    cancelRemoves: true,
    cancelledReadable: true,
    async stored(shipmentId): Promise<StoredShipment | undefined> {
      const groupId = shipmentId.replace(/^courier-a:/, '');
      const [first] = a.inGroup(groupId).length > 0 ? a.inGroup(groupId) : [];
      if (!first) return undefined;
      return { orderId: groupId.slice(0, groupId.lastIndexOf('.')), trackingNumber: first.trackingPin, status: statusOf(first) };
    },
    async storedForOrder(orderId) {
      return a.inGroup(groupIdOf(orderId) ?? '').length > 0 ? 1 : 0;
    },
    specViolations: async () => a.violations(),
    async close() {
      await courier.close();
      await a.close();
      await db.close();
    },
  };
});

describe('courier A: Canada Post specifics', () => {
  let pki: TestPki;
  let a: Awaited<ReturnType<typeof startCourierA>>;
  const opened: { close(): Promise<void> }[] = [];
  const tracked = estate.shipments.find((shipment) => shipment.carrier === 'courier-a' && shipment.status === 'DELIVERED')!;
  const orders = generated.orders.filter((order) => !generated.shipments.some((shipment) => shipment.orderId === order.id));
  let nextOrder = 0;
  const request = (overrides: Partial<ShipmentRequest> = {}): ShipmentRequest => {
    const order = orders[nextOrder++]!;
    return {
      orderId: order.id,
      recipient: { name: 'Ada Jansen', phone: '+31 20 555 0199' },
      shipTo: { name: 'Ada Jansen', phone: '+31 20 555 0199', line1: 'Keizersgracht 1', city: 'Amsterdam', region: 'NH', postalCode: '1015 CJ', countryCode: 'NL' },
      parcels: 1,
      idempotencyKey: `specifics-${process.pid}-${nextOrder}`,
      ...overrides,
    };
  };

  function adapter(options: Partial<CourierAAdapterOptions> = {}): CourierAAdapter {
    const courier = adapterFor(a, pki, options);
    opened.push(courier);
    return courier;
  }

  beforeAll(async () => {
    pki = await createTestPki();
    a = await startCourierA(pki);
  });
  afterEach(async () => {
    await a.violations();
    a.clearViolations();
  });
  afterAll(async () => {
    for (const resource of opened) await resource.close();
    await a.close();
  });

  it('reads an order as Canada Post serves it: the first parcel by its request id, then its tracking summary', async () => {
    const found = await adapter().findByOrderIds([tracked.orderId]);
    expect(found.get(tracked.orderId)).toEqual([
      expect.objectContaining({ id: tracked.id, trackingNumber: tracked.trackingNumber, status: 'DELIVERED', createdAt: new Date(`${tracked.createdAt.toISOString().slice(0, 10)}T00:00:00.000Z`) }),
    ]);
    expect(await a.violations()).toEqual([]);
  });

  it('books one Canada Post shipment per parcel in the order\'s group, and voids them all on cancel', async () => {
    const booking = request({
      parcels: 3,
      packages: [1, 2, 3].map((kg) => ({ weight: { value: kg, unit: 'KILOGRAM' as const }, dimensions: null })),
    });
    const groupId = groupIdOf(booking.orderId)!;

    const shipment = await adapter().bookShipment(booking);

    const parcels = a.inGroup(groupId);
    expect(parcels.map((record) => record.customerRequestId)).toEqual([1, 2, 3].map((n) => `${groupId}-${n}`));
    expect(parcels.map((record) => ((record.request['delivery-spec'] as { 'parcel-characteristics': { weight: string } })['parcel-characteristics'].weight))).toEqual(['1.000', '2.000', '3.000']);
    expect(shipment).toMatchObject({ id: `courier-a:${groupId}`, trackingNumber: parcels[0]!.trackingPin, status: 'LABEL_CREATED' });
    expect(shipment.label?.url).toMatch(/\/ers\/artifact\//);

    await adapter().cancelShipment({ shipmentId: shipment.id, idempotencyKey: `void-${process.pid}` });
    expect(a.inGroup(groupId)).toEqual([]);
    expect(await a.violations()).toEqual([]);
  });

  it('declares the configured weight for each parcel of a booking that carries none', async () => {
    const booking = request({ parcels: 2 });
    await adapter({ account: { ...account, declaredParcelWeightKg: 2.5 } }).bookShipment(booking);
    const weights = a.inGroup(groupIdOf(booking.orderId)!).map((record) => (record.request['delivery-spec'] as { 'parcel-characteristics': { weight: string } })['parcel-characteristics'].weight);
    expect(weights).toEqual(['2.500', '2.500']);
  });

  it('finishes a booking whose answer was lost after its first parcel, creating only the parcels missing', async () => {
    const booking = request({ parcels: 2 });
    const [first] = createShipmentDocuments(booking, account, new Date());
    const made = await a.canadaPost('POST', `/rs/${account.customerNumber}/${account.customerNumber}/shipment`, codec.build(first!));
    expect(made.status).toBe(200);
    const before = a.calls('createShipment');

    const shipment = await adapter().bookShipment(booking);

    expect(a.calls('createShipment') - before).toBe(1);
    expect(a.inGroup(groupIdOf(booking.orderId)!)).toHaveLength(2);
    expect(shipment.trackingNumber).toBe(a.inGroup(groupIdOf(booking.orderId)!)[0]!.trackingPin);
  });

  it('refuses to void a shipment already transmitted (8064) as UPSTREAM_REJECTED that says only a refund undoes it', async () => {
    const error = await failureOf(adapter().cancelShipment({ shipmentId: tracked.id, idempotencyKey: `transmitted-${process.pid}` }));
    expect({ code: error.code, system: error.system }).toEqual({ code: 'UPSTREAM_REJECTED', system: 'courier-a' });
    expect(error.message).toMatch(/8064.*refund/);
    expect(a.inGroup(groupIdOf(tracked.orderId)!)).toHaveLength(1);
  });

  it('refuses an API key Canada Post does not know as UPSTREAM_AUTH_FAILED', async () => {
    const error = await failureOf(adapter({ password: 'not-the-password' }).findByOrderIds([tracked.orderId]));
    expect({ code: error.code, system: error.system }).toEqual({ code: 'UPSTREAM_AUTH_FAILED', system: 'courier-a' });
    expect(error.message).toMatch(/E002/);
  });

  it('refuses a request without the service\'s media type in Accept, as Canada Post refuses */*', async () => {
    const response = await a.canadaPost('GET', `/rs/${account.customerNumber}/${account.customerNumber}/shipment?requestId=x`, undefined, { accept: '*/*' });
    expect(response.status).toBe(406);
    expect(response.text).toContain('<messages');
  });

  it('refuses a Create Shipment outside Canada Post\'s schema, naming the element, and writes it down', async () => {
    const [document] = createShipmentDocuments(request(), account, new Date());
    const text = codec.build(document!).replace(/<weight>[^<]+<\/weight>/, '<weight>heavy</weight>');

    const response = await a.canadaPost('POST', `/rs/${account.customerNumber}/${account.customerNumber}/shipment`, text);

    expect(response.status).toBe(400);
    expect(response.text).toMatch(/weight/);
    expect(await a.violations()).toEqual([expect.objectContaining({ side: 'request', operation: 'createShipment' })]);
  });

  it('goes red when a field of its answer changes type: a PIN of 5 characters is written down as outside the schema', async () => {
    const pinned = a.shipments.get(a.inGroup(groupIdOf(tracked.orderId)!)[0]!.shipmentId)!;
    a.shipments.set(pinned.shipmentId, { ...pinned, trackingPin: '12345' });
    try {
      await adapter().findByOrderIds([tracked.orderId]).catch(() => undefined);
      // The list that carries it goes red (and, the PIN no longer tracked, the details read next).
      expect(await a.violations()).toEqual(expect.arrayContaining([expect.objectContaining({ side: 'answer', operation: 'getShipments', problems: [expect.stringMatching(/tracking-pin/)] })]));
    } finally {
      a.shipments.set(pinned.shipmentId, pinned);
    }
  });

  it('refuses requests carrying a DOCTYPE or ENTITY declaration', async () => {
    const evil = '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><shipment>&x;</shipment>';
    const response = await a.canadaPost('POST', `/rs/${account.customerNumber}/${account.customerNumber}/shipment`, evil);
    expect(response.status).toBe(400);
    expect(response.text).toContain('<code>DTD_NOT_ALLOWED</code>');
    expect(response.text).not.toContain('root:');
  });

  it('escapes what it sends: a recipient with XML metacharacters in the name arrives intact', async () => {
    const name = `Zoë & "Bart" <O'Neil> ]]>`;
    const booking = request({ recipient: { name, phone: null } });
    await adapter().bookShipment({ ...booking, shipTo: { ...booking.shipTo!, name } });
    const [record] = a.inGroup(groupIdOf(booking.orderId)!);
    expect((record!.request['delivery-spec'] as { destination: { name: string } }).destination.name).toBe(name);
  });

  describe('an answer carrying a DTD', () => {
    let server: Server;
    let url: string;
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
      '<shipments><shipment-info><shipment-id>&lol3;</shipment-id></shipment-info></shipments>';

    beforeAll(async () => {
      // A crafted server: the right certificate, a hostile answer.
      server = createServer({ key: pki.server.key, cert: pki.server.cert }, (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': SHIPMENT_MEDIA_TYPE }).end(laughs);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('is refused as UPSTREAM_BAD_RESPONSE, its entities never expanded', async () => {
      const courier = adapter({ baseUrl: url });
      const error = await failureOf(courier.findByOrderIds([tracked.orderId]));
      expect({ code: error.code, system: error.system }).toEqual({ code: 'UPSTREAM_BAD_RESPONSE', system: 'courier-a' });
      expect(error.message).toMatch(/DOCTYPE/);
    });
  });
});

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
