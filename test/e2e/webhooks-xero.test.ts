import { WebhookEventEntity } from '../../src/db';
import { generateEstate } from '../../src/systems/kit/seed';
import { XERO_SANDBOX_CREDENTIALS } from '../../src/systems/xero/sandbox';
import type { StoredInvoice } from '../../src/systems/xero/sandbox/invoices';
import { xeroSignatureHeaders } from '../../src/systems/xero/sandbox/webhooks';
import { XERO_WEBHOOK_PATH } from '../../src/systems/xero/webhook';
import type { SentDelivery } from '../../src/webhooks/sandbox-sender';
import { eventually } from '../support/scratch-database';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Xero's webhooks in: the Xero sandbox signs invoice events as Xero does (x-xero-signature, the body's HMAC with the
 * webhook key) and sends them to the gateway's `POST /webhooks/xero`. Xero's intent-to-receive check is passed (401 for
 * a wrong signature, 200 with an empty body for a right one); replayed, reordered and duplicated events are applied
 * once, in the order of their eventDateUtc; an applied event drops the cached invoice, so the graph shows what Xero
 * holds now.
 */

const estate = generateEstate();
const unpaid = estate.orders.filter((candidate) => candidate.status !== 'CANCELLED' && !estate.payments.some((payment) => payment.orderId === candidate.id && payment.status === 'SUCCEEDED'));
const order = unpaid[0]!;
/** Voided through Xero's API in the last test: the sandbox sends the event itself. */
const voided = unpaid[1]!;
const tenantId = XERO_SANDBOX_CREDENTIALS.tenantId;

describe('Xero webhooks (invoice events)', () => {
  let stack: TestStack;
  let invoiceId: string;
  const base = Date.now() - 60_000;

  beforeAll(async () => {
    stack = await startTestStack();
    const invoices = stack.estate!.sandboxes.xero.records.collection<StoredInvoice>('invoices');
    invoiceId = [...invoices.values()].find((invoice) => invoice.Reference === order.id)!.InvoiceID;
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  /** Xero writes eventDateUtc without a zone. */
  const invoiceEvent = (resourceId: string, eventType: 'CREATE' | 'UPDATE', at: number) => ({
    resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${resourceId}`,
    resourceId,
    eventDateUtc: new Date(at).toISOString().replace('Z', ''),
    eventType,
    eventCategory: 'INVOICE',
    tenantId,
    tenantType: 'ORGANISATION',
  });
  const payload = (events: unknown[]) => ({ events, firstEventSequence: 1, lastEventSequence: events.length, entropy: 'PLUGBOARDTEST' });

  async function send(events: unknown[]): Promise<SentDelivery> {
    const response = await fetch(`${stack.estate!.sandboxes.xero.url}/_sandbox/webhooks/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload(events)),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as SentDelivery;
  }

  const rowsOf = (subject: string) =>
    stack.db.orm.em.fork().find(WebhookEventEntity, { source: 'xero', subject }, { orderBy: { occurredAt: 'asc' } });

  it('answers the intent-to-receive check: 401 for a wrong signature, 200 with an empty body for a right one', async () => {
    const url = new URL(XERO_WEBHOOK_PATH, stack.gateway.origin).toString();
    const body = JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'XYZABCDEFG' });
    const right = await send([]);
    expect([right.status, right.answer]).toEqual([200, '']);
    const wrong = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-xero-signature': 'bm90IHRoZSBzaWduYXR1cmU=' }, body });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
  });

  it('applies replayed, reordered and duplicated events once, in the order they happened', async () => {
    const subject = `invoice:${invoiceId}`;
    const created = invoiceEvent(invoiceId, 'CREATE', base + 1_000);
    const updated = invoiceEvent(invoiceId, 'UPDATE', base + 2_000);

    // The update arrives first, then the create: the older event is not applied over it.
    expect((await send([updated])).status).toBe(200);
    expect((await send([created])).status).toBe(200);
    // Xero signs no time: a delivery sent again is the very same bytes, and both events again in one delivery.
    const again = await send([created, updated]);
    const replay = await fetch(again.url, { method: 'POST', headers: again.headers, body: again.body });
    expect([replay.status, await replay.text()]).toEqual([200, '']);

    expect((await rowsOf(subject)).map((row) => [row.type, row.outcome])).toEqual([
      ['INVOICE.CREATE', 'superseded'],
      ['INVOICE.UPDATE', 'applied'],
    ]);

    // One delivery listing a later update before an earlier one: both applied, oldest first.
    const later = invoiceEvent(invoiceId, 'UPDATE', base + 4_000);
    const earlier = invoiceEvent(invoiceId, 'UPDATE', base + 3_000);
    await send([later, earlier]);
    const applied = (await rowsOf(subject)).filter((row) => row.outcome === 'applied');
    expect(applied.map((row) => row.occurredAt?.getTime())).toEqual([base + 2_000, base + 3_000, base + 4_000]);

    // Another organisation's invoice: remembered, about nothing we read.
    await send([{ ...invoiceEvent('0f0f0f0f-0000-4000-8000-000000000000', 'UPDATE', base + 5_000), tenantId: '11111111-2222-4333-8444-555555555555' }]);
    const foreign = await stack.db.orm.em.fork().find(WebhookEventEntity, { source: 'xero', type: 'INVOICE.UPDATE', subject: null });
    expect(foreign.map((row) => row.outcome)).toEqual(['ignored']);
  });

  it('refuses an altered delivery and applies nothing', async () => {
    const event = invoiceEvent(invoiceId, 'UPDATE', base + 30_000);
    const body = JSON.stringify(payload([event]));
    const signed = xeroSignatureHeaders(body, 'not-the-webhook-key');
    const url = new URL(XERO_WEBHOOK_PATH, stack.gateway.origin).toString();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body });
    expect(response.status).toBe(401);
    await response.body?.cancel();
    expect(await stack.db.orm.em.fork().count(WebhookEventEntity, { source: 'xero', occurredAt: new Date(base + 30_000) })).toBe(0);
  });

  it('drops the cached invoice: the graph shows what Xero holds now', async () => {
    const statusOf = async () => {
      const answer = await stack.query<{ order: { invoice: { status: string } | null } | null }>('query ($id: ID!) { order(id: $id) { invoice { status } } }', { id: order.id });
      expect(answer.errors).toBeUndefined();
      return answer.data?.order?.invoice?.status;
    };
    expect(await statusOf()).toBe('AWAITING_PAYMENT');
    const invoices = stack.estate!.sandboxes.xero.records.collection<StoredInvoice>('invoices');
    invoices.set(invoiceId, { ...invoices.get(invoiceId)!, Status: 'PAID', UpdatedDateUTC: Date.now() });
    // Paid at Xero, not heard of yet: the cached copy is served (for up to 30 s).
    expect(await statusOf()).toBe('AWAITING_PAYMENT');

    await send([invoiceEvent(invoiceId, 'UPDATE', Date.now())]);
    expect(await statusOf()).toBe('PAID');
  });

  it('sends an event when an invoice is changed through the API, and the graph follows it at once', async () => {
    const statusOf = async () => {
      const answer = await stack.query<{ order: { invoice: { status: string } | null } | null }>('query ($id: ID!) { order(id: $id) { invoice { status } } }', { id: voided.id });
      return answer.data?.order?.invoice?.status;
    };
    expect(await statusOf()).toBe('AWAITING_PAYMENT');
    const xero = stack.estate!.sandboxes.xero.url;
    const { clientId, clientSecret } = XERO_SANDBOX_CREDENTIALS;
    const token = (await (
      await fetch(`${xero}/connect/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      })
    ).json()) as { access_token: string };
    const invoice = [...stack.estate!.sandboxes.xero.records.collection<StoredInvoice>('invoices').values()].find((candidate) => candidate.Reference === voided.id)!;
    const deliveries = async () => ((await (await fetch(`${xero}/_sandbox/webhooks`)).json()) as { data: SentDelivery[] }).data;
    const sentBefore = (await deliveries()).length;
    const saved = await fetch(`${xero}/api.xro/2.0/Invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'xero-tenant-id': tenantId, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ Invoices: [{ InvoiceID: invoice.InvoiceID, Status: 'VOIDED' }] }),
    });
    expect(saved.status).toBe(200);
    await saved.body?.cancel();
    const [sent] = await eventually('the sandbox sends the invoice event', deliveries, (list) => list.length > sentBefore, 5_000);
    expect(JSON.parse(sent!.body)).toMatchObject({ events: [{ resourceId: invoice.InvoiceID, eventType: 'UPDATE', eventCategory: 'INVOICE' }] });
    expect(sent!.status).toBe(200);
    expect(await statusOf()).toBe('VOIDED');
  });
});
