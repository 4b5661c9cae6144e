import { generateKeyPairSync, sign } from 'node:crypto';
import { WebhookEventEntity } from '../../src/db';
import type { ParcelTracking } from '../../src/systems/courier-b/sandbox';
import { generateEstate } from '../../src/systems/kit/seed';
import { trackEventPayload } from '../../src/systems/courier-b/sandbox/webhooks';
import { COURIER_B_WEBHOOK_PATH } from '../../src/systems/courier-b/webhook';
import type { SentDelivery } from '../../src/webhooks/sandbox-sender';
import { eventually } from '../support/scratch-database';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Courier B's webhooks in: the courier B sandbox signs track events as ShipEngine does (RSA-SHA256 over timestamp and
 * body, its key published at /jwks) and sends them to the gateway's `POST /webhooks/courier-b` when the carrier scans a
 * parcel. Replayed, reordered and duplicated events are applied once, in the order of their scans; a forged delivery
 * is refused with its code and changes nothing; an applied event drops the cached shipments, so the graph shows the
 * parcel's new status at once.
 */

describe('courier B webhooks (ShipEngine track events)', () => {
  let stack: TestStack;
  let orderId: string;
  let trackingNumber: string;
  const base = Date.now() - 60_000;

  beforeAll(async () => {
    stack = await startTestStack();
    const parcel = generateEstate().shipments.find((shipment) => shipment.carrier === 'courier-b' && shipment.status === 'IN_TRANSIT')!;
    orderId = parcel.orderId;
    trackingNumber = parcel.trackingNumber;
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  const sandbox = () => stack.estate!.sandboxes['courier-b'].url;
  const endpoint = () => new URL(COURIER_B_WEBHOOK_PATH, stack.gateway.origin).toString();

  const scanAt = (code: ParcelTracking['status_code'], at: number) => ({
    occurred_at: new Date(at).toISOString(),
    city_locality: 'Amsterdam',
    state_province: 'NH',
    postal_code: '1011 AB',
    country_code: 'NL',
    carrier_detail_code: code.toUpperCase(),
    status_code: code,
    status_description: code,
    carrier_status_code: code.toUpperCase(),
    carrier_status_description: code,
    description: code,
  });
  /** A track event for the parcel with these scans (the newest one last). */
  const track = (scans: ReturnType<typeof scanAt>[]) =>
    trackEventPayload(trackingNumber, { status_code: scans.at(-1)!.status_code, ship_date: new Date(base).toISOString(), events: scans }, 'courier_b');

  async function send(body: unknown): Promise<SentDelivery> {
    const response = await fetch(`${sandbox()}/_sandbox/webhooks/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    return (await response.json()) as SentDelivery;
  }

  const rows = () => stack.db.orm.em.fork().find(WebhookEventEntity, { source: 'courier-b', subject: `tracking:${trackingNumber}` }, { orderBy: { occurredAt: 'asc' } });

  it('applies replayed, reordered and duplicated events once, in the order of their scans', async () => {
    const inTransit = track([scanAt('ac', base), scanAt('it', base + 1_000)]);
    const delivered = track([scanAt('ac', base), scanAt('it', base + 1_000), scanAt('de', base + 2_000)]);

    // The delivery scan's event arrives before the transit scan's: the older one does not overwrite it.
    const first = await send(delivered);
    expect(JSON.parse(first.answer)).toMatchObject({ events: 1, applied: 1 });
    expect(JSON.parse((await send(inTransit)).answer)).toMatchObject({ applied: 0, superseded: 1 });

    // The same bytes again (a replay within the 5 minutes), and the same event signed afresh (ShipEngine's retry).
    const replay = await fetch(first.url, { method: 'POST', headers: first.headers, body: first.body });
    expect(await replay.json()).toMatchObject({ applied: 0, duplicates: 1 });
    expect(JSON.parse((await send(delivered)).answer)).toMatchObject({ applied: 0, duplicates: 1 });
    expect(JSON.parse((await send(inTransit)).answer)).toMatchObject({ applied: 0, duplicates: 1 });

    expect((await rows()).map((row) => [row.outcome, row.state])).toEqual([
      ['superseded', 'it it'],
      ['applied', 'de de'],
    ]);
  });

  it('refuses a forged delivery (400 WEBHOOK_SIGNATURE_INVALID) and an unsigned one (404), and applies nothing', async () => {
    const body = JSON.stringify(track([scanAt('ex', base + 50_000)]));
    const timestamp = new Date().toISOString();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { kid } = ((await (await fetch(`${sandbox()}/jwks`)).json()) as { keys: { kid: string }[] }).keys[0]!;
    // Signed with a key that is not the published one, under the published key's id.
    const forged = sign('sha256', Buffer.from(`${timestamp}.${body}`), privateKey).toString('base64');
    const headers = { 'content-type': 'application/json', 'x-shipengine-rsa-sha256-key-id': kid, 'x-shipengine-timestamp': timestamp };
    const refused = await fetch(endpoint(), { method: 'POST', headers: { ...headers, 'x-shipengine-rsa-sha256-signature': forged }, body });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });

    const unsigned = await fetch(endpoint(), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(404);
    await unsigned.body?.cancel();

    expect(await stack.db.orm.em.fork().count(WebhookEventEntity, { source: 'courier-b', occurredAt: new Date(base + 50_000) })).toBe(0);
  });

  it("drops the cached shipments when the carrier scans: the graph shows the parcel's new status at once", async () => {
    const statusOf = async () => {
      const answer = await stack.query<{ order: { shipments: { carrier: string; status: string }[] } | null }>('query ($id: ID!) { order(id: $id) { shipments { carrier status } } }', { id: orderId });
      expect(answer.errors).toBeUndefined();
      return answer.data?.order?.shipments.find((shipment) => shipment.carrier === 'courier-b')?.status;
    };
    expect(await statusOf()).toBe('IN_TRANSIT');

    // The carrier delivers the parcel while the sandbox sends no webhook: the graph keeps its cached copy (up to 15 s).
    const target = ((await (await fetch(`${sandbox()}/_sandbox/webhook-endpoint`)).json()) as { url: string }).url;
    const scan = (code: string) => fetch(`${sandbox()}/_sandbox/tracking/${trackingNumber}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status_code: code }) });
    await fetch(`${sandbox()}/_sandbox/webhook-endpoint`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: null }) });
    expect((await scan('de')).status).toBe(200);
    expect(await statusOf()).toBe('IN_TRANSIT');

    // With the webhook on again, the carrier's next scan is sent as ShipEngine sends it, and applied at once.
    await fetch(`${sandbox()}/_sandbox/webhook-endpoint`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: target }) });
    const deliveriesBefore = ((await (await fetch(`${sandbox()}/_sandbox/webhooks`)).json()) as { data: SentDelivery[] }).data.length;
    expect((await scan('de')).status).toBe(200);
    const [sent] = await eventually(
      'the sandbox sends the scan as a track event',
      async () => ((await (await fetch(`${sandbox()}/_sandbox/webhooks`)).json()) as { data: SentDelivery[] }).data,
      (deliveries) => deliveries.length > deliveriesBefore,
      5_000,
    );
    expect(sent!.status).toBe(200);
    expect(await statusOf()).toBe('DELIVERED');
  });
});
