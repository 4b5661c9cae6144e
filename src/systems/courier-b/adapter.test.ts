import { createCourierBAdapter, type CourierBAdapter, type CourierBAdapterOptions } from './adapter';
import { type ShipmentStatus } from '../../domain';
import { COURIER_B_SANDBOX_CREDENTIALS, COURIER_B_SANDBOX_SHIP_FROM, createCourierBSandbox, SPEC_VIOLATIONS } from './sandbox';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { generateEstate } from '../kit/seed';
import { describeCourierContract, type StoredShipment } from '../../../test/contracts/courier.contract';
import { externalShipmentIdOf } from './external-id';
import { failureOf } from '../../../test/support/failures';

const estate = generateEstate();
const { apiKey, carrierId } = COURIER_B_SANDBOX_CREDENTIALS;
/** The sandbox account's booking settings, as its connection in the registry passes them. */
const account = { apiKey, carrierId, serviceCode: 'courier_b_standard', shipFrom: COURIER_B_SANDBOX_SHIP_FROM };

/** How this test reads ShipEngine's statuses back, written independently of the adapter's mapper. */
function statusOf(shipmentStatus: string, trackingCode: string | undefined): ShipmentStatus {
  if (shipmentStatus === 'cancelled') return 'CANCELLED';
  const byCode: Record<string, ShipmentStatus> = { it: 'IN_TRANSIT', at: 'IN_TRANSIT', de: 'DELIVERED', ex: 'EXCEPTION' };
  return byCode[trackingCode ?? ''] ?? 'LABEL_CREATED';
}

interface ShipmentRecord {
  shipment_id: string;
  external_order_id: string | null;
  shipment_status: string;
}
interface LabelRecord {
  shipment_id: string;
  tracking_number: string;
  voided: boolean;
}

/** What the sandbox holds for one shipment, read from its records: the shipment, its label, its parcel's tracking. */
function storedIn(sandbox: RunningSandbox, shipmentId: string): StoredShipment | undefined {
  const id = shipmentId.replace(/^courier-b:/, '');
  const shipment = sandbox.records.collection<ShipmentRecord>('shipments').get(id);
  if (!shipment) return undefined;
  const labels = [...sandbox.records.collection<LabelRecord>('labels').values()].filter((label) => label.shipment_id === id);
  const label = labels.find((found) => !found.voided) ?? labels[0];
  const parcel = label && sandbox.records.collection<{ status_code: string }>('tracking').get(label.tracking_number);
  return { orderId: shipment.external_order_id ?? '', trackingNumber: label?.tracking_number ?? '', status: statusOf(shipment.shipment_status, parcel?.status_code) };
}

/** The sandbox operations a findByOrderIds may send: the two lists (a page), or a lookup, a label and a tracking read per order. */
const READ_OPERATIONS = ['shipments.list', 'shipments.getByExternalId', 'labels.list', 'tracking.get'];
/** The sandbox's page_size limit, which the adapter's lists use by default. */
const PAGE = 500;

/**
 * What a page read of the contract's batch (orders 100 to 199, some without a shipment here) costs, counted from the
 * sandbox's records: the shipments list read to its end (a batch with an order that has none cannot stop earlier),
 * then the labels created since the earliest labelled shipment of the batch.
 */
function pageReadCalls(sandbox: RunningSandbox): number {
  const shipments = [...sandbox.records.collection<ShipmentRecord & { created_at: string }>('shipments').values()];
  const batch = new Set(estate.orders.slice(100, 200).map((order) => order.id));
  const labelled = shipments.filter((shipment) => batch.has(shipment.external_order_id ?? '') && shipment.shipment_status === 'label_purchased');
  const since = Math.min(...labelled.map((shipment) => Date.parse(shipment.created_at)));
  const labels = [...sandbox.records.collection<{ created_at: string }>('labels').values()].filter((label) => Date.parse(label.created_at) >= since);
  return Math.ceil(shipments.length / PAGE) + (labelled.length ? Math.ceil(labels.length / PAGE) : 0);
}

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

async function stats(sandbox: RunningSandbox): Promise<{ total: number; byOperation: Record<string, number> }> {
  return (await json<{ total: number; byOperation: Record<string, number> }>(`${sandbox.url}/_sandbox/stats`)).body;
}

describeCourierContract('courier B adapter (ShipEngine-shaped JSON) against its sandbox', async () => {
  const sandbox = await startSandbox(createCourierBSandbox(estate));
  const courier = createCourierBAdapter({ baseUrl: sandbox.url, ...account });
  const record = async <T>(collection: string, id: string): Promise<T | undefined> => {
    const { status, body } = await json<T>(`${sandbox.url}/_sandbox/records/${collection}/${encodeURIComponent(id)}`);
    return status === 404 ? undefined : body;
  };
  const byOperation = async () => (await stats(sandbox)).byOperation;
  return {
    courier,
    system: 'courier-b',
    estate,
    unknownShipmentId: 'courier-b:se-999999',
    setFault: async (setting) => sandbox.setFault(setting),
    batchReadCalls: async () => {
      const counts = await byOperation();
      return READ_OPERATIONS.reduce((sum, operation) => sum + (counts[operation] ?? 0), 0);
    },
    // ShipEngine has no batch read by ids: a page is read from its shipments and labels lists (see pageReadCalls).
    readCallsFor: () => pageReadCalls(sandbox),
    // The external_shipment_id is made from the order id: one shipment per order with this courier.
    oneShipmentPerOrder: true,
    totalCalls: async () => (await stats(sandbox)).total,
    stored: async (shipmentId) => storedIn(sandbox, shipmentId),
    async storedForOrder(orderId) {
      return (await record<string[]>('shipments-by-order', orderId))?.length ?? 0;
    },
    specViolations: async () => [...sandbox.records.collection(SPEC_VIOLATIONS).values()],
    async close() {
      await courier[Symbol.asyncDispose]();
      await sandbox.close();
    },
  };
});

describe('courier B: ShipEngine specifics', () => {
  let sandbox: RunningSandbox;
  const opened: CourierBAdapter[] = [];
  const carried = [...new Set(estate.shipments.filter((s) => s.carrier === 'courier-b').map((s) => s.orderId))];

  function adapter(options: Partial<CourierBAdapterOptions> = {}): CourierBAdapter {
    const courier = createCourierBAdapter({ baseUrl: sandbox.url, ...account, ...options });
    opened.push(courier);
    return courier;
  }

  beforeAll(async () => {
    sandbox = await startSandbox(createCourierBSandbox(estate));
  });
  beforeEach(async () => {
    await fetch(`${sandbox.url}/_sandbox/stats`, { method: 'DELETE' }).then((response) => response.arrayBuffer());
  });
  afterAll(async () => {
    for (const courier of opened) await courier.close();
    await sandbox.close();
  });

  it("refuses a wrong API key with ShipEngine's 401 error body", async () => {
    const { status, body } = await json<{ request_id: string; errors: Record<string, string>[] }>(
      `${sandbox.url}/v1/shipments`,
      { headers: { 'API-Key': 'TEST_wrong' } },
    );
    expect(status).toBe(401);
    expect(body.request_id).toEqual(expect.any(String));
    expect(body.errors[0]).toMatchObject({ error_source: 'shipengine', error_type: 'security', error_code: 'unauthorized' });
  });

  it('reports a wrong API key as UPSTREAM_AUTH_FAILED, naming the system', async () => {
    const error = await failureOf(adapter({ apiKey: 'TEST_wrong' }).findByOrderIds(carried.slice(0, 3)));
    expect({ code: error.code, system: error.system }).toEqual({ code: 'UPSTREAM_AUTH_FAILED', system: 'courier-b' });
    expect(error.message).toContain('unauthorized');
  });

  it('reads the 100 most recent orders from one page of shipments and one of labels, matched by the external ids they were booked with', async () => {
    const orderIds = carried.slice(-100);

    const found = await adapter().findByOrderIds(orderIds);

    expect(found.size).toBe(100);
    expect(await stats(sandbox)).toMatchObject({ total: 2, byOperation: { 'shipments.list': 1, 'labels.list': 1 } });
    // The tracking shown is the label's tracking_status: the same statuses as the estate, without the carrier's events.
    for (const orderId of orderIds) {
      const expected = estate.shipments.find((s) => s.carrier === 'courier-b' && s.orderId === orderId)!;
      expect(found.get(orderId)?.[0]).toMatchObject({ id: expected.id, trackingNumber: expected.trackingNumber, status: expected.status });
    }
    expect([...found.values()].flat().filter((shipment) => shipment.status !== 'CANCELLED').every((shipment) => shipment.tracking?.events.length === 0)).toBe(true);
  });

  it('reads older orders by paging back, and reads the lists to their end to know which orders have none', async () => {
    const old = carried.slice(0, 50);
    const none = estate.orders.filter((order) => !carried.includes(order.id)).slice(0, 50).map((order) => order.id);

    const found = await adapter({ listPageSize: 100, maxListPages: 20 }).findByOrderIds([...old, ...none]);

    expect([...found.keys()].sort()).toEqual([...old].sort());
    const shipments = sandbox.records.collection('shipments').size;
    const { byOperation } = await stats(sandbox);
    expect(byOperation).toMatchObject({ 'shipments.list': Math.ceil(shipments / 100) });
    expect(byOperation['shipments.getByExternalId'] ?? 0).toBe(0);
    expect(byOperation['tracking.get'] ?? 0).toBe(0);
  });

  it("looks up one by one what the lists' bound left unknown (an order booked long before the rest of the page)", async () => {
    const old = carried.slice(0, 3);
    const recent = carried.slice(-3);

    const found = await adapter({ listPageSize: 3, maxListPages: 1 }).findByOrderIds([...recent, ...old]);

    expect(found.size).toBe(6);
    const { byOperation } = await stats(sandbox);
    // One page of each list; the three old orders looked up whole (shipment, label, tracking) as a single read is.
    expect(byOperation).toMatchObject({ 'shipments.list': 1, 'shipments.getByExternalId': 3 });
    for (const orderId of [...recent, ...old]) {
      const expected = estate.shipments.find((s) => s.carrier === 'courier-b' && s.orderId === orderId)!;
      expect(found.get(orderId)?.[0]).toMatchObject({ id: expected.id, trackingNumber: expected.trackingNumber, status: expected.status });
    }
  });

  it("asks a shipment for its label when the labels list's bound was reached before it", async () => {
    const shipments = [...sandbox.records.collection<ShipmentRecord & { created_at: string }>('shipments').values()];
    const [newest, second] = shipments.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    const labels = sandbox.records.collection<LabelRecord & { created_at: string }>('labels');
    // A label bought after both (another shipment's, its time moved on): the first labels page holds it and the
    // newest's label, not the second's.
    const [otherId, other] = [...labels.entries()].find(([, label]) => label.shipment_id !== newest!.shipment_id && label.shipment_id !== second!.shipment_id)!;
    labels.set(otherId, { ...other, created_at: new Date(Date.now() + 3_600_000).toISOString() });
    try {
      const orderIds = [newest!.external_order_id!, second!.external_order_id!];

      const found = await adapter({ listPageSize: 2, maxListPages: 1 }).findByOrderIds(orderIds);

      for (const orderId of orderIds) {
        const expected = estate.shipments.find((s) => s.carrier === 'courier-b' && s.orderId === orderId)!;
        expect(found.get(orderId)?.[0]).toMatchObject({ id: expected.id, trackingNumber: expected.trackingNumber });
      }
      // One page of each list, then the one label the bound left out, asked by its shipment.
      expect((await stats(sandbox)).byOperation).toEqual({ 'shipments.list': 1, 'labels.list': 2 });
    } finally {
      labels.set(otherId, other);
    }
  });

  it('asks for any order id, however hostile, by a digest when it cannot travel in a path as it is', async () => {
    const hostile = ['..', 'a/b?c#d', '\uD800lone', 'x'.repeat(300), 'ord-ok.1'];

    // One list page that cannot hold them: each is then looked up by its external id.
    const found = await adapter({ listPageSize: 1, maxListPages: 1 }).findByOrderIds(hostile);

    expect(found.size).toBe(0);
    expect((await stats(sandbox)).byOperation['shipments.getByExternalId']).toBe(hostile.length);
    expect(externalShipmentIdOf('courier-b', 'ord-ok.1')).toBe('courier-b:ord-ok.1');
    expect(externalShipmentIdOf('courier-b', 'a/b?c#d')).toMatch(/^courier-b:#[0-9a-f]{32}$/);
  });

  it("fills each shipment's label and the carrier's tracking on a read, and follows the parcel as the carrier scans it", async () => {
    const inTransit = estate.shipments.find((s) => s.carrier === 'courier-b' && s.status === 'IN_TRANSIT');
    if (!inTransit) throw new Error('the estate has no courier-b shipment in transit');
    const courier = adapter();

    const [before] = (await courier.findByOrderIds([inTransit.orderId])).get(inTransit.orderId) ?? [];
    expect(before).toMatchObject({ id: inTransit.id, trackingNumber: inTransit.trackingNumber, status: 'IN_TRANSIT', label: { id: expect.stringMatching(/^se-/), url: expect.stringContaining('.pdf') } });
    expect(before?.tracking?.status).toBe('IN_TRANSIT');
    expect(before?.tracking?.events.map((event) => event.description)).toEqual(['Accepted', 'In Transit']);

    const scanned = await fetch(`${sandbox.url}/_sandbox/tracking/${inTransit.trackingNumber}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status_code: 'de' }),
    });
    expect(scanned.status).toBe(200);
    await scanned.arrayBuffer();

    const [after] = (await courier.findByOrderIds([inTransit.orderId])).get(inTransit.orderId) ?? [];
    expect(after).toMatchObject({ status: 'DELIVERED', tracking: { status: 'DELIVERED' } });
    expect(after?.tracking?.events.at(-1)).toMatchObject({ description: 'Delivered', location: expect.stringContaining('NL') });
  });

  it("lists with ShipEngine's paging fields and links; sales_order_id (ShipEngine's own sales orders) matches none of ours", async () => {
    const list = (query: URLSearchParams) =>
      json<{ shipments: ShipmentRecord[]; total: number; page: number; pages: number; links: Record<string, { href?: string }> }>(
        `${sandbox.url}/v1/shipments?${query}`,
        { headers: { 'API-Key': apiKey } },
      );

    const { status, body } = await list(new URLSearchParams({ page_size: '2' }));
    const bySalesOrder = await list(new URLSearchParams({ sales_order_id: carried[0]! }));

    expect(status).toBe(200);
    expect(body).toMatchObject({ page: 1, pages: Math.ceil(body.total / 2) });
    expect(body.shipments).toHaveLength(2);
    expect(body.links.prev).toEqual({});
    expect(body.links.next?.href).toContain('page=2');
    expect(bySalesOrder.body).toMatchObject({ shipments: [], total: 0 });
  });

  it("refuses to cancel a shipment whose parcel the carrier has taken (tracking 'it')", async () => {
    const inTransit = estate.shipments.find((s) => s.carrier === 'courier-b' && s.status === 'IN_TRANSIT' && s.id !== estate.shipments.find((o) => o.carrier === 'courier-b' && o.status === 'IN_TRANSIT')?.id);
    if (!inTransit) throw new Error('the estate has no second courier-b shipment in transit');
    const query = new URLSearchParams({ carrier_code: 'courier_b', tracking_number: inTransit.trackingNumber });
    const { body } = await json<{ status_code: string }>(`${sandbox.url}/v1/tracking?${query}`, { headers: { 'API-Key': apiKey } });
    expect(body.status_code).toBe('it');

    const error = await failureOf(adapter().cancelShipment({ shipmentId: inTransit.id, idempotencyKey: 'k-transit' }));
    expect(error.code).toBe('UPSTREAM_REJECTED');
    expect(error.message).toContain('invalid_status');
  });

  it('finds a booking whose answer was lost by its external_shipment_id, and creates no second shipment', async () => {
    const key = `lost-answer-${process.pid}`;
    const shipTo = { name: 'Lost Answer', line1: 'Damrak 3', city: 'Amsterdam', region: 'NH', postalCode: '1012 LG', countryCode: 'NL' };
    // The create reached ShipEngine; its answer never reached us.
    const first = await json<{ shipments: { shipment_id: string }[] }>(`${sandbox.url}/v1/shipments`, {
      method: 'POST',
      headers: { 'API-Key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        shipments: [
          {
            carrier_id: carrierId,
            service_code: 'courier_b_standard',
            external_shipment_id: externalShipmentIdOf('courier-b', 'ord-lost-answer'),
            external_order_id: 'ord-lost-answer',
            ship_to: { name: shipTo.name, phone: '+31 20 555 0199', address_line1: shipTo.line1, city_locality: 'Amsterdam', state_province: 'NH', postal_code: shipTo.postalCode, country_code: 'NL', address_residential_indicator: 'unknown' },
            ship_from: { name: 'Somewhere else', phone: '+31 20 555 0100', address_line1: 'Elsewhere 1', city_locality: 'Utrecht', state_province: 'UT', postal_code: '3511 AA', country_code: 'NL', address_residential_indicator: 'no' },
            packages: [{ weight: { value: 500, unit: 'gram' } }],
          },
        ],
      }),
    });
    await fetch(`${sandbox.url}/_sandbox/stats`, { method: 'DELETE' }).then((response) => response.arrayBuffer());

    const again = await adapter().bookShipment({ orderId: 'ord-lost-answer', recipient: { name: shipTo.name, phone: null }, shipTo, parcels: 1, idempotencyKey: key });

    expect(again.id).toBe(`courier-b:${first.body.shipments[0]!.shipment_id}`);
    expect((await stats(sandbox)).byOperation['shipments.create']).toBeUndefined();
  });

  it('voids the label of a cancelled shipment, as GET /v1/labels shows', async () => {
    const order = estate.orders.find((o) => o.status === 'PENDING');
    if (!order) throw new Error('the estate has no pending order');
    const courier = adapter();
    const booked = await courier.bookShipment({
      orderId: order.id,
      recipient: { name: 'Label Voider', phone: null },
      shipTo: { name: 'Label Voider', line1: 'Damrak 1', city: 'Amsterdam', region: 'NH', postalCode: '1012 LG', countryCode: 'NL' },
      parcels: 1,
      idempotencyKey: `void-${process.pid}`,
    });
    await courier.cancelShipment({ shipmentId: booked.id, idempotencyKey: `void-cancel-${process.pid}` });

    const query = new URLSearchParams({ shipment_id: booked.id.replace(/^courier-b:/, '') });
    const { body } = await json<{ labels: Record<string, unknown>[] }>(`${sandbox.url}/v1/labels?${query}`, {
      headers: { 'API-Key': apiKey },
    });
    expect(body.labels).toEqual([
      expect.objectContaining({ tracking_number: booked.trackingNumber, status: 'voided', voided: true }),
    ]);
  });
});
