import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type CourierAAdapter, type CourierAAdapterOptions } from './adapter';
import { type ShipmentRequest, type ShipmentStatus } from '../../domain';
import { createTestPki, type TestPki } from '../../pki';
import { createXmlCodec } from '../../xml';
import { COURIER_A_SANDBOX_CREDENTIALS, estateBookings, type ShipmentRecord } from './sandbox';
import { createBookingLedger, openDatabase, seedBookingLedger } from '../../db';
import { createShipmentDocuments, SHIPMENT_MEDIA_TYPE } from './canada-post/documents';
import { groupIdOf } from './canada-post/ids';
import { describeCourierContract, type StoredShipment } from '../../../test/contracts/courier.contract';
import { failureOf } from '../../../test/support/failures';
import { adapterFor, estate, generated, READ_OPERATIONS, startCourierA } from './sandbox-at-hand';

const { account } = COURIER_A_SANDBOX_CREDENTIALS;
const codec = createXmlCodec({ attributes: true });

/** Where a Canada Post shipment stands, read by this test from the sandbox's records, independently of the adapter. */
function statusOf(record: ShipmentRecord): ShipmentStatus {
  if (record.status === 'created') return 'LABEL_CREATED';
  return record.tracking?.eventType === 'DELIVERED' ? 'DELIVERED' : 'IN_TRANSIT';
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

  it("holds no answer to the schema when started with its answer checks off, as the benchmark's estate starts it; requests are still checked", async () => {
    const unchecked = await startCourierA(pki, { tuning: { checkAnswers: false } });
    const reader = adapterFor(unchecked, pki);
    try {
      const pinned = unchecked.inGroup(groupIdOf(tracked.orderId)!)[0]!;
      unchecked.shipments.set(pinned.shipmentId, { ...pinned, trackingPin: '12345' });
      await reader.findByOrderIds([tracked.orderId]).catch(() => undefined);
      const [document] = createShipmentDocuments(request(), account, new Date());
      const text = codec.build(document!).replace(/<weight>[^<]+<\/weight>/, '<weight>heavy</weight>');
      const response = await unchecked.canadaPost('POST', `/rs/${account.customerNumber}/${account.customerNumber}/shipment`, text);

      expect(response.status).toBe(400);
      // Only the request is written down: the answer that carried a PIN of 5 characters was not checked.
      expect(await unchecked.violations()).toEqual([expect.objectContaining({ side: 'request', operation: 'createShipment' })]);
    } finally {
      await reader.close();
      await unchecked.close();
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
