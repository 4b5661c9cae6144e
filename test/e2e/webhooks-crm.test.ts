import { WebhookEventEntity } from '../../src/db';
import { generateEstate } from '../../src/systems/kit/seed';
import { CRM_SANDBOX_CREDENTIALS } from '../../src/systems/crm/sandbox';
import { hubSpotSignatureHeaders } from '../../src/systems/crm/sandbox/webhooks';
import { CRM_WEBHOOK_PATH } from '../../src/systems/crm/webhook';
import type { SentDelivery } from '../../src/webhooks/sandbox-sender';
import { eventually } from '../support/scratch-database';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The CRM's webhooks in: the CRM sandbox signs contact events as HubSpot does (X-HubSpot-Signature-v3) and sends them
 * to the gateway's `POST /webhooks/crm`. Replayed, reordered and duplicated events are applied once, in the order of
 * their `occurredAt`; a forged delivery is refused with its code and changes nothing; an applied event drops the
 * cached contact, so the graph shows the CRM's new segment at once.
 */

const estate = generateEstate();
const customer = estate.customers[0]!;

describe('CRM webhooks (HubSpot contact.propertyChange)', () => {
  let stack: TestStack;
  let contactId: string;
  const base = Date.now() - 60_000;

  beforeAll(async () => {
    stack = await startTestStack();
    const byCustomer = stack.estate!.sandboxes.crm.records.collection<{ id: string }>('contacts-by-customer');
    contactId = byCustomer.get(customer.id)!.id;
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  let nextEventId = 1000;
  const propertyChange = (objectId: string, propertyName: string, propertyValue: string, occurredAt: number) => ({
    eventId: nextEventId++,
    subscriptionId: 4242,
    portalId: 62515,
    appId: 54321,
    occurredAt,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: Number(objectId),
    propertyName,
    propertyValue,
    changeSource: 'CRM',
  });

  /** The sandbox signs and sends a delivery (a JSON array of events) as HubSpot would. */
  async function send(events: unknown[]): Promise<SentDelivery> {
    const response = await fetch(`${stack.estate!.sandboxes.crm.url}/_sandbox/webhooks/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as SentDelivery;
  }

  /** The exact bytes and headers of a delivery, sent again (a replay, or HubSpot's retry). */
  async function resend(delivery: SentDelivery, headers: Record<string, string> = delivery.headers): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(delivery.url, { method: 'POST', headers, body: delivery.body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const rowsOf = (subject: string) =>
    stack.db.orm.em.fork().find(WebhookEventEntity, { source: 'crm', subject }, { orderBy: { occurredAt: 'asc' } });

  it('applies replayed, reordered and duplicated events once, in the order they happened', async () => {
    const subject = `contact:${contactId}:hs_lead_status`;
    const older = propertyChange(contactId, 'hs_lead_status', 'OPEN', base + 1_000);
    const newer = propertyChange(contactId, 'hs_lead_status', 'CONNECTED', base + 2_000);

    // The newer change arrives first, then the older one: the older one does not overwrite it.
    const first = await send([newer]);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.answer)).toMatchObject({ events: 1, applied: 1 });
    const late = await send([older]);
    expect(JSON.parse(late.answer)).toMatchObject({ events: 1, applied: 0, superseded: 1 });

    // The same delivery again (a replay of its bytes), and both events again in one fresh delivery (a retry).
    expect(await resend(first)).toMatchObject({ status: 200, body: { applied: 0, duplicates: 1 } });
    const again = await send([older, newer]);
    expect(JSON.parse(again.answer)).toMatchObject({ events: 2, applied: 0, duplicates: 2 });

    const rows = await rowsOf(subject);
    expect(rows.map((row) => [row.outcome, row.state])).toEqual([
      ['superseded', 'hs_lead_status=OPEN'],
      ['applied', 'hs_lead_status=CONNECTED'],
    ]);

    // One delivery listing its events out of order: applied oldest first, the newest is what stays.
    const third = propertyChange(contactId, 'hs_lead_status', 'IN_PROGRESS', base + 3_000);
    const fourth = propertyChange(contactId, 'hs_lead_status', 'UNQUALIFIED', base + 4_000);
    expect(JSON.parse((await send([fourth, third])).answer)).toMatchObject({ events: 2, applied: 2 });
    const after = await rowsOf(subject);
    expect(after.filter((row) => row.outcome === 'applied').map((row) => row.state)).toEqual([
      'hs_lead_status=CONNECTED',
      'hs_lead_status=IN_PROGRESS',
      'hs_lead_status=UNQUALIFIED',
    ]);
    expect(after).toHaveLength(4);

    await stack.integrationLog.flush();
    // Every delivery is one inbound row saying what became of its events.
    const logged = await stack.db.orm.em.getConnection().execute<{ reason: string }[]>(
      "select reason from integration_logs where adapter = 'crm' and direction = 'inbound' order by timestamp",
    );
    expect(logged.map((row) => row.reason)).toEqual([
      `1 of 1 applied (${subject})`,
      `0 of 1 applied; 1 older than what was applied to ${subject}, not applied`,
      '0 of 1 applied; 1 accepted before, not applied again',
      '0 of 2 applied; 2 accepted before, not applied again',
      `2 of 2 applied (${subject})`,
    ]);
  });

  it('refuses a forged or altered delivery with WEBHOOK_SIGNATURE_INVALID and applies nothing', async () => {
    const event = propertyChange(contactId, 'hs_lead_status', 'BAD_TIMING', base + 9_000);
    const url = new URL(CRM_WEBHOOK_PATH, stack.gateway.origin).toString();
    const body = JSON.stringify([event]);
    const forged = hubSpotSignatureHeaders(body, url, 'not-the-client-secret');
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...forged }, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });

    // Signed right, then altered on the way.
    const signed = hubSpotSignatureHeaders(body, url, CRM_SANDBOX_CREDENTIALS.clientSecret);
    const altered = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body: body.replace('BAD_TIMING', 'CONNECTED') });
    expect(altered.status).toBe(400);
    await altered.body?.cancel();

    // Signed right but captured long ago.
    const old = hubSpotSignatureHeaders(body, url, CRM_SANDBOX_CREDENTIALS.clientSecret, Date.now() - 10 * 60_000);
    const stale = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...old }, body });
    expect(await stale.json()).toMatchObject({ error: { code: 'WEBHOOK_TOO_OLD' } });

    const rows = await stack.db.orm.em.fork().find(WebhookEventEntity, { source: 'crm', eventId: `62515:${event.eventId}` });
    expect(rows).toEqual([]);
  });

  it('drops the cached contact: the graph shows the segment the CRM changed at once', async () => {
    const segmentOf = async () => {
      const answer = await stack.query<{ customer: { segment: string } | null }>('query ($id: ID!) { customer(id: $id) { segment } }', { id: customer.id });
      expect(answer.errors).toBeUndefined();
      return answer.data?.customer?.segment;
    };
    const before = await segmentOf();
    const contact = stack.estate!.sandboxes.crm.records.collection<{ id: string; properties: Record<string, unknown> }>('contacts').get(contactId)!;
    const stage = before === 'VIP' ? 'other' : 'evangelist';
    contact.properties['lifecyclestage'] = stage;
    // The CRM changed it, the site has not heard yet: the cached copy is served (for up to 30 s).
    expect(await segmentOf()).toBe(before);

    const delivery = await send([propertyChange(contactId, 'lifecyclestage', stage, Date.now())]);
    expect(JSON.parse(delivery.answer)).toMatchObject({ applied: 1 });
    expect(await segmentOf()).toBe(stage === 'evangelist' ? 'VIP' : 'CHURNED');
  });

  it("sends a contact's changed properties when they are changed through the API, and the graph follows at once", async () => {
    const other = estate.customers[1]!;
    const segmentOf = async () => {
      const answer = await stack.query<{ customer: { segment: string } | null }>('query ($id: ID!) { customer(id: $id) { segment } }', { id: other.id });
      return answer.data?.customer?.segment;
    };
    const before = await segmentOf();
    const stage = before === 'VIP' ? 'other' : 'evangelist';
    const crm = stack.estate!.sandboxes.crm.url;
    const deliveries = async () => ((await (await fetch(`${crm}/_sandbox/webhooks`)).json()) as { data: SentDelivery[] }).data;
    const sentBefore = (await deliveries()).length;
    const changed = await fetch(`${crm}/crm/v3/objects/contacts/${other.id}?idProperty=plugboard_customer_id`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${CRM_SANDBOX_CREDENTIALS.privateAppToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { lifecyclestage: stage } }),
    });
    expect(changed.status).toBe(200);
    await changed.body?.cancel();
    const [sent] = await eventually('the sandbox sends the property change', deliveries, (list) => list.length > sentBefore, 5_000);
    expect(JSON.parse(sent!.body)).toEqual([expect.objectContaining({ subscriptionType: 'contact.propertyChange', propertyName: 'lifecyclestage', propertyValue: stage })]);
    expect(sent!.status).toBe(200);
    expect(await segmentOf()).toBe(stage === 'evangelist' ? 'VIP' : 'CHURNED');
  });
});
