import { createCourierBAdapter } from './adapter';
import { COURIER_B_SANDBOX_CREDENTIALS, COURIER_B_SANDBOX_SHIP_FROM, createCourierBSandbox, SPEC_VIOLATIONS } from './sandbox';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { generateEstate } from '../kit/seed';
import { failureOf } from '../../../test/support/failures';

const estate = generateEstate();
const { apiKey, carrierId } = COURIER_B_SANDBOX_CREDENTIALS;
/** The sandbox account's booking settings, as its connection in the registry passes them. */
const account = { apiKey, carrierId, serviceCode: 'courier_b_standard', shipFrom: COURIER_B_SANDBOX_SHIP_FROM };

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

describe("courier B sandbox: ShipEngine's description is the oracle", () => {
  let sandbox: RunningSandbox;
  const violations = () => [...sandbox.records.collection<{ side: string; operation: string; problems: string[] }>(SPEC_VIOLATIONS).values()];

  beforeEach(async () => {
    sandbox = await startSandbox(createCourierBSandbox(estate));
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('refuses a shipment whose ship_to has no address with 400, and writes the difference down', async () => {
    const courier = createCourierBAdapter({ baseUrl: sandbox.url, ...account });
    try {
      const error = await failureOf(
        courier.bookShipment({ orderId: 'ord-no-address', recipient: { name: 'No Address', phone: null }, parcels: 1, idempotencyKey: 'no-address' }),
      );
      expect(error.code).toBe('UPSTREAM_REJECTED');
    } finally {
      await courier.close();
    }
    expect(violations()).toEqual([
      expect.objectContaining({
        side: 'request',
        operation: 'POST /v1/shipments',
        problems: expect.arrayContaining(["request body/shipments/0/ship_to must have required property 'address_line1'"]),
      }),
    ]);
  });

  it('turns an answer outside the description (a field of the wrong type) into a 500, written down', async () => {
    const shipments = sandbox.records.collection<Record<string, unknown>>('shipments');
    const [id, shipment] = [...shipments.entries()][0]!;
    shipments.set(id, { ...shipment, shipment_status: 42 });

    const { status } = await json<unknown>(`${sandbox.url}/v1/shipments/${id}`, { headers: { 'API-Key': apiKey } });

    expect(status).toBe(500);
    expect(violations()).toEqual([
      { side: 'answer', operation: `GET /v1/shipments/${id}`, problems: ['answer 200/shipment_status must be string', 'answer 200/shipment_status must be equal to one of the allowed values'] },
    ]);
  });

  it('sells the label of a shipment (POST /v1/labels/shipment/{id}) within the description, and none for a cancelled one', async () => {
    const open = estate.shipments.find((s) => s.carrier === 'courier-b' && s.status === 'IN_TRANSIT')!.id.replace(/^courier-b:/, '');
    const courier = createCourierBAdapter({ baseUrl: sandbox.url, ...account });
    let cancelled: string;
    try {
      const booked = await courier.bookShipment({
        orderId: 'ord-label-refused',
        recipient: { name: 'Label Refused', phone: null },
        shipTo: { name: 'Label Refused', line1: 'Damrak 2', city: 'Amsterdam', region: 'NH', postalCode: '1012 LG', countryCode: 'NL' },
        parcels: 1,
        idempotencyKey: 'label-refused',
      });
      cancelled = (await courier.cancelShipment({ shipmentId: booked.id, idempotencyKey: 'label-refused-cancel' })).id.replace(/^courier-b:/, '');
    } finally {
      await courier.close();
    }
    const buy = (id: string) =>
      json<Record<string, unknown>>(`${sandbox.url}/v1/labels/shipment/${id}`, {
        method: 'POST',
        headers: { 'API-Key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ label_format: 'pdf' }),
      });

    const bought = await buy(open);
    const refused = await buy(cancelled);

    expect(bought.status).toBe(200);
    expect(bought.body).toMatchObject({ shipment_id: open, status: 'completed', tracking_number: expect.any(String), label_download: { pdf: expect.stringContaining('.pdf') } });
    expect(refused.status).toBe(400);
    expect(violations()).toEqual([]);
  });
});
