import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ShipmentRequest } from '../../src/domain';
import { createCourierBAdapter, type CourierBAdapter } from '../../src/systems/courier-b/adapter';
import { COURIER_B_SANDBOX_SHIP_FROM } from '../../src/systems/courier-b/sandbox';
import { PROJECT_ROOT } from '../../src/project-root';
import { startPrism, visitDescription, type RunningPrism } from '../support/prism';
import { failureOf } from '../support/failures';

/**
 * Courier B's adapter against a mock no one here wrote: Prism 5.14.2 (from node_modules, on 127.0.0.1 only) serving
 * ShipEngine's published description with `--errors`, so a request outside the description is refused (Prism answers
 * the operation's 400) and an answer outside it becomes a 500. Prism answers the description's static examples, so
 * these tests prove the requests are ShipEngine's and that the adapter parses ShipEngine's own examples; round trips
 * of state are the sandbox's job (src/systems/courier-b/adapter.test.ts).
 */

const SPEC = path.join(PROJECT_ROOT, 'src/systems/courier-b/shipengine.trimmed.json');

/**
 * The description as Prism is given it, with three faults worked around, each Prism's (or its example's), not ours:
 * - Prism validates `additionalProperties: false` beside `allOf` without looking into the `allOf` (ShipEngine writes
 *   its schemas that way), so it refuses its own static examples (`insured_value` "must NOT have additional
 *   properties"): the keyword is dropped; required fields, types, enums and formats are still checked.
 * - The list answers' example has `"page": "????"` for an integer: Prism serves it and then refuses it. It becomes 1.
 *   The tracking log's examples have numbers for strings (`carrier_status_code: 1`, `postal_code: 78756`): the same
 *   fault the other way round; they become strings.
 * - The 204 of `PUT /v1/shipments/{id}/cancel` declares an empty-string body, which Prism sends with a Content-Length
 *   that undici refuses: the 204 is served without content, as ShipEngine sends it.
 */
function prismSpec(use: 'bookings' | 'reads'): object {
  const spec = JSON.parse(readFileSync(SPEC, 'utf8')) as { paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>> };
  visitDescription(spec, (schema) => {
    if (schema['additionalProperties'] === false) delete schema['additionalProperties'];
    if (schema['type'] === 'integer' && typeof schema['example'] === 'string') schema['example'] = 1;
    if (schema['type'] === 'string' && typeof schema['example'] === 'number') schema['example'] = String(schema['example']);
  });
  const cancelled = spec.paths['/v1/shipments/{shipment_id}/cancel']?.['put']?.responses['204'];
  if (cancelled) delete cancelled.content;
  // Not a fault, a limit: Prism keeps no state, so it would "find" every external_shipment_id the adapter looks up
  // before creating, and no create would be sent. For bookings, without that path Prism answers 404 (nothing stored),
  // as ShipEngine does for a first booking; reads are served the whole description, the lookup included.
  if (use === 'bookings') delete spec.paths['/v1/shipments/external_shipment_id/{external_shipment_id}'];
  // Not a fault either: the lists' `pages` has no example, so Prism answers its minimum (1) and every list ends on its
  // first page. For reads it is given an example of 2, so that a page read bounded to one page sees a list that goes on.
  if (use === 'reads') {
    const schemas = (spec as unknown as { components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> } }).components.schemas;
    for (const name of ['list_shipments_response_body', 'paged_list_response_body']) {
      const pages = schemas[name]?.properties?.['pages'];
      if (pages) pages['example'] = 2;
    }
  }
  return spec;
}

/** A shipment as the domain asks for one, with a delivery address and a parcel with weight and dimensions. */
const request = (overrides: Partial<ShipmentRequest> = {}): ShipmentRequest => ({
  orderId: 'ord-prism-1',
  recipient: { name: 'Ada Lovelace', phone: '+1 512-555-0100' },
  parcels: 1,
  idempotencyKey: 'prism-book-1',
  shipTo: {
    name: 'Ada Lovelace',
    phone: '+1 512-555-0100',
    line1: '4009 Marathon Blvd',
    city: 'Austin',
    region: 'TX',
    postalCode: '78756',
    countryCode: 'US',
    residential: true,
  },
  packages: [{ weight: { value: 1.5, unit: 'KILOGRAM' }, dimensions: { length: 30, width: 20, height: 10, unit: 'CENTIMETER' } }],
  ...overrides,
});

describe("courier B's adapter against Prism serving ShipEngine's published description", () => {
  const prisms: RunningPrism[] = [];
  /** Against the description without the lookup by external id: every booking is a first one. */
  let courier: CourierBAdapter;
  /** Against the whole description: reads find the example shipment by the external id asked for. */
  let reader: CourierBAdapter;

  let readsUrl = '';
  const optionsFor = (baseUrl: string) => ({
    baseUrl,
    apiKey: 'TEST_prism_key',
    carrierId: 'se-28529731',
    serviceCode: 'usps_priority_mail',
    shipFrom: COURIER_B_SANDBOX_SHIP_FROM,
  });
  const readerOptions = () => optionsFor(readsUrl);
  const served = async (use: 'bookings' | 'reads'): Promise<CourierBAdapter> => {
    const prism = await startPrism(`shipengine-${use}`, prismSpec(use));
    prisms.push(prism);
    if (use === 'reads') readsUrl = prism.url;
    return createCourierBAdapter(optionsFor(prism.url));
  };

  beforeAll(async () => {
    courier = await served('bookings');
    reader = await served('reads');
  }, 60_000);

  afterAll(async () => {
    await courier?.close();
    await reader?.close();
    await Promise.all(prisms.map((prism) => prism.close()));
  });

  it('books a shipment with ship_to, ship_from, carrier and service: the request is within the description', async () => {
    const shipment = await courier.bookShipment(request());

    // Prism answers the description's example shipment (se-28529731, external_order_id "string").
    expect(shipment).toMatchObject({ id: 'courier-b:se-28529731', carrier: 'courier-b', status: 'LABEL_CREATED' });
    // The tracking number is the label's (the description's example label), not a field of the shipment; the tracking
    // is the carrier's, read with the label's carrier code and tracking number (the example tracking log).
    expect(shipment.trackingNumber).toBe('782758401696');
    expect(shipment.label).toMatchObject({ id: 'se-28529731', url: expect.stringContaining('http') });
    expect(shipment.tracking).toMatchObject({ status: expect.any(String), events: expect.any(Array) });
  });

  it('parses per-shipment errors as the strings ShipEngine sends (its example carries one beside has_errors false)', async () => {
    await expect(courier.bookShipment(request({ idempotencyKey: 'prism-book-2' }))).resolves.toMatchObject({ carrier: 'courier-b' });
  });

  it('fails on a request ShipEngine would refuse: a ship_to without its address is answered 400 and reported', async () => {
    const error = await failureOf(courier.bookShipment(request({ shipTo: null, idempotencyKey: 'prism-no-address' })));

    expect({ code: error.code, system: error.system }).toEqual({ code: 'UPSTREAM_REJECTED', system: 'courier-b' });
  });

  it('reads an order by the external_shipment_id it was booked with, within the description', async () => {
    const found = await reader.findByOrderIds(['ord-prism-1']);

    // Prism answers the example shipment for any external id, then the example label list, whose one label is voided
    // (`voided: true`): a voided label is no label of the shipment's, so none is shown and no tracking is asked.
    expect([...found.keys()]).toEqual(['ord-prism-1']);
    expect(found.get('ord-prism-1')?.[0]).toMatchObject({ id: 'courier-b:se-28529731', orderId: 'ord-prism-1', trackingNumber: '', label: null, tracking: null });
  });

  it("reads a page of orders with ShipEngine's two lists, within the description, and looks up one by one what they do not hold", async () => {
    // The lists' requests (page_size, page, sort_by, sort_dir) must pass Prism's request validation. Prism answers
    // each page with its example (pages 2, a shipment whose external_shipment_id is none of ours): read to its end,
    // the list holds neither order, so they have no shipment, and nothing is looked up.
    const found = await reader.findByOrderIds(['ord-prism-1', 'ord-prism-2']);
    expect(found.size).toBe(0);

    // Bounded to one page of a list that goes on: the two orders are then looked up by their external id, which Prism
    // answers with its example shipment for any id (whose label list is the example's voided label).
    const bounded = createCourierBAdapter({ ...readerOptions(), listPageSize: 1, maxListPages: 1 });
    try {
      const looked = await bounded.findByOrderIds(['ord-prism-1', 'ord-prism-2']);
      expect([...looked.keys()].sort()).toEqual(['ord-prism-1', 'ord-prism-2']);
    } finally {
      await bounded.close();
    }
  });

  it('cancels a shipment (PUT …/cancel, 204) and reads it back', async () => {
    const shipment = await courier.cancelShipment({ shipmentId: 'courier-b:se-28529731', idempotencyKey: 'prism-cancel' });

    expect(shipment).toMatchObject({ id: 'courier-b:se-28529731', carrier: 'courier-b' });
  });
});
