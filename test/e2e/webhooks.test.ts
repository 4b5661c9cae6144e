import Stripe from 'stripe';
import { AlertEntity, parseDatabaseUrl, WebhookEventEntity } from '../../src/db';
import { generateEstate } from '../../src/systems/kit/seed';
import { PAYMENTS_SANDBOX_CREDENTIALS, type SentEvent } from '../../src/systems/payments/sandbox';
import { PAYMENTS_WEBHOOK_PATH } from '../../src/systems/payments/webhook';
import { testDatabases, type TestDatabase } from '../support/databases';
import { eventually, scratchDatabase } from '../support/scratch-database';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Webhooks in: the payments sandbox signs its events as Stripe does and sends them to the gateway's
 * `POST /webhooks/payments`. A genuine event moves the payment's state as the graph shows it at once (the cached copy is
 * dropped); a forged, stale or replayed delivery is refused with its code; every delivery leaves an inbound row in
 * integration_logs.
 */

const estate = generateEstate();
/** Orders whose payment is authorised and waiting for capture: capturing one at the gateway makes it SUCCEEDED. */
const awaitingCapture = estate.payments.filter((payment) => payment.status === 'REQUIRES_CAPTURE').map((payment) => payment.orderId);

interface WebhookAnswer {
  readonly status: number;
  readonly body: { error?: { code: string; message: string }; received?: boolean; duplicate?: boolean; applied?: boolean };
}

describe.each(testDatabases())('payment webhooks on $label', (database: TestDatabase) => {
  let stack: TestStack;
  let scratch: { url: string; drop: () => Promise<void> } | undefined;
  let stripe: Stripe;

  beforeAll(async () => {
    const env: Record<string, string> = {};
    if (database.url && parseDatabaseUrl(database.url).dialect === 'postgresql') {
      scratch = await scratchDatabase(database.url, 'webhooks');
      env.DATABASE_URL = scratch.url;
    }
    stack = await startTestStack(env);
    const payments = new URL(stack.estate!.connections.payments.baseUrl);
    stripe = new Stripe(PAYMENTS_SANDBOX_CREDENTIALS.secretKey, {
      host: payments.hostname,
      port: payments.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      telemetry: false,
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await scratch?.drop();
  });

  const paymentsSandbox = () => stack.estate!.sandboxes.payments.url;

  async function paymentOf(orderId: string): Promise<{ id: string; status: string }> {
    const answer = await stack.query<{ order: { payment: { id: string; status: string } | null } | null }>(
      'query ($id: ID!) { order(id: $id) { payment { id status } } }',
      { id: orderId },
    );
    expect(answer.errors).toBeUndefined();
    const payment = answer.data?.order?.payment;
    if (!payment) throw new Error(`order ${orderId} has no payment in the graph`);
    return payment;
  }

  /** The events the sandbox raised for one payment intent, newest first, as it sent them. */
  async function eventsOf(intentId: string, type: string): Promise<SentEvent[]> {
    const response = await fetch(`${paymentsSandbox()}/_sandbox/events?type=${encodeURIComponent(type)}`);
    const list = (await response.json()) as { data: SentEvent[] };
    return list.data.filter((event) => (JSON.parse(event.payload) as { data: { object: { id: string } } }).data.object.id === intentId);
  }

  async function deliveredEvent(intentId: string, type: string): Promise<SentEvent> {
    const [event] = await eventually(
      `the sandbox delivers ${type} for ${intentId}`,
      () => eventsOf(intentId, type),
      (events) => events[0]?.delivery.status === 'delivered' || events[0]?.delivery.status === 'failed',
      5_000,
    );
    expect(event!.delivery).toEqual({ status: 'delivered', detail: 'HTTP 200' });
    return event!;
  }

  async function post(payload: string, signature: string | undefined): Promise<WebhookAnswer> {
    const response = await fetch(`${stack.gateway.origin}${PAYMENTS_WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...(signature === undefined ? {} : { 'stripe-signature': signature }) },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as WebhookAnswer['body'] };
  }

  async function inboundRows() {
    await stack.integrationLog.flush();
    return stack.integrationLog.recent({ adapter: 'payments', direction: 'inbound', limit: 200 });
  }

  it('a genuine event from the payment gateway moves the payment in the graph at once, and is logged inbound', async () => {
    const orderId = awaitingCapture[0]!;
    const before = await paymentOf(orderId);
    expect(before.status).toBe('REQUIRES_CAPTURE');

    // Captured at the payment gateway itself (its dashboard, another app): only the webhook tells the site.
    await stripe.paymentIntents.capture(before.id);
    const event = await deliveredEvent(before.id, 'payment_intent.succeeded');

    // Read within the payments cache's lifetime: only the webhook could have dropped the cached REQUIRES_CAPTURE.
    expect(await paymentOf(orderId)).toEqual({ id: before.id, status: 'SUCCEEDED' });

    const remembered = await stack.db.orm.em.fork().findOne(WebhookEventEntity, { source: 'payments', eventId: event.id });
    expect(remembered).toMatchObject({ type: 'payment_intent.succeeded', outcome: 'applied', subject: orderId });
    const rows = await inboundRows();
    expect(rows.find((row) => row.operation === 'webhook payment_intent.succeeded' && row.outcome === 'ok')).toMatchObject({
      direction: 'inbound',
      errorCode: null,
      payload: null,
    });
  });

  it('refuses a forged delivery: a body changed under its signature, or one signed with another secret', async () => {
    const orderId = awaitingCapture[1]!;
    const payment = await paymentOf(orderId);
    await stripe.paymentIntents.capture(payment.id);
    const genuine = await deliveredEvent(payment.id, 'payment_intent.succeeded');

    const tampered = genuine.payload.replace('"status": "succeeded"', '"status": "canceled"');
    expect(tampered).not.toBe(genuine.payload);
    const changedBody = await post(tampered, genuine.signature);
    expect(changedBody).toEqual({ status: 400, body: { error: { code: 'WEBHOOK_SIGNATURE_INVALID', message: expect.stringContaining('does not match') } } });

    const forgedEvent = genuine.payload.replace(genuine.id, 'evt_Forged000000000000000000');
    const otherSecret = Stripe.webhooks.generateTestHeaderString({ payload: forgedEvent, secret: 'whsec_notOurSecret0000000000' });
    const wrongSecret = await post(forgedEvent, otherSecret);
    expect(wrongSecret.status).toBe(400);
    expect(wrongSecret.body.error?.code).toBe('WEBHOOK_SIGNATURE_INVALID');

    const unsigned = await post(forgedEvent, undefined);
    expect(unsigned).toEqual({ status: 400, body: { error: { code: 'WEBHOOK_SIGNATURE_INVALID', message: 'no Stripe-Signature header' } } });

    // Nothing of a forged event is remembered, and the log keeps its body redacted (the intent's client secret).
    const forgedRow = await stack.db.orm.em.fork().findOne(WebhookEventEntity, { eventId: 'evt_Forged000000000000000000' });
    expect(forgedRow).toBeNull();
    const refused = (await inboundRows()).filter((row) => row.errorCode === 'WEBHOOK_SIGNATURE_INVALID');
    expect(refused.length).toBeGreaterThanOrEqual(3);
    const clientSecret = (JSON.parse(genuine.payload) as { data: { object: { client_secret: string } } }).data.object.client_secret;
    const logged = JSON.stringify(refused);
    expect(logged).toContain('[REDACTED]');
    expect(logged).not.toContain(clientSecret);
    expect(logged).not.toContain(genuine.signature);
    expect(refused[0]).toMatchObject({ direction: 'inbound', outcome: 'error', operation: 'webhook' });
  });

  it('refuses a stale delivery: a good signature older than the tolerance', async () => {
    const orderId = awaitingCapture[2]!;
    const payment = await paymentOf(orderId);
    await stripe.paymentIntents.cancel(payment.id);
    const genuine = await deliveredEvent(payment.id, 'payment_intent.canceled');

    const anHourAgo = Math.floor(Date.now() / 1000) - 3_600;
    const stale = Stripe.webhooks.generateTestHeaderString({
      payload: genuine.payload.replace(genuine.id, 'evt_Stale0000000000000000000'),
      secret: PAYMENTS_SANDBOX_CREDENTIALS.webhookSecret,
      timestamp: anHourAgo,
    });
    const answer = await post(genuine.payload.replace(genuine.id, 'evt_Stale0000000000000000000'), stale);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({ code: 'WEBHOOK_TOO_OLD', message: expect.stringMatching(/^signed 36\d\d s ago; signatures older than 300 s are refused$/) });

    const row = (await inboundRows()).find((candidate) => candidate.errorCode === 'WEBHOOK_TOO_OLD');
    expect(row).toMatchObject({ direction: 'inbound', outcome: 'error', reason: answer.body.error!.message });
    expect(await stack.db.orm.em.fork().findOne(WebhookEventEntity, { eventId: 'evt_Stale0000000000000000000' })).toBeNull();
  });

  it('refuses a replayed delivery, and acknowledges a re-sent one without applying it twice', async () => {
    const orderId = awaitingCapture[3]!;
    const payment = await paymentOf(orderId);
    await stripe.paymentIntents.capture(payment.id);
    const genuine = await deliveredEvent(payment.id, 'payment_intent.succeeded');

    // The very request again, bytes and signature: a captured delivery sent by someone else.
    const replayed = await post(genuine.payload, genuine.signature);
    expect(replayed).toEqual({ status: 409, body: { error: { code: 'WEBHOOK_REPLAYED', message: expect.stringContaining(genuine.id) } } });

    // The gateway re-sends it signed afresh (as Stripe retries): acknowledged, so it stops retrying; not applied again.
    const resend = await fetch(`${paymentsSandbox()}/_sandbox/events/${genuine.id}/resend`, { method: 'POST' });
    expect(resend.status).toBe(202);
    const again = await eventually(
      'the re-sent delivery is answered',
      async () => (await eventsOf(payment.id, 'payment_intent.succeeded'))[0]!,
      (event) => event.signature !== genuine.signature && event.delivery.status !== 'pending',
      5_000,
    );
    expect(again.delivery).toEqual({ status: 'delivered', detail: 'HTTP 200' });

    const remembered = await stack.db.orm.em.fork().find(WebhookEventEntity, { eventId: genuine.id });
    expect(remembered).toHaveLength(1);
    const rows = (await inboundRows()).filter((row) => row.operation === 'webhook payment_intent.succeeded');
    expect(rows.find((row) => row.errorCode === 'WEBHOOK_REPLAYED')).toMatchObject({ outcome: 'error', direction: 'inbound' });
    expect(rows.find((row) => row.reason?.includes('re-sent'))).toMatchObject({ outcome: 'ok', direction: 'inbound' });
    expect(await paymentOf(orderId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  /** A payment intent event as Stripe shapes it, signed with our secret at `timestamp` (now by default). */
  function signedEvent(id: string, orderId: string, timestamp?: number): { payload: string; signature: string } {
    const payload = JSON.stringify({
      id,
      object: 'event',
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'pi_Poison0000000000000000', object: 'payment_intent', status: 'succeeded', metadata: { order_id: orderId } } },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: PAYMENTS_SANDBOX_CREDENTIALS.webhookSecret,
      ...(timestamp === undefined ? {} : { timestamp }),
    });
    return { payload, signature };
  }

  it('refuses a signature dated in the future beyond the tolerance, as a stale one is', async () => {
    const inAnHour = Math.floor(Date.now() / 1000) + 3_600;
    const future = signedEvent('evt_Future000000000000000000', awaitingCapture[4]!, inAnHour);
    const answer = await post(future.payload, future.signature);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({ code: 'WEBHOOK_FROM_THE_FUTURE', message: expect.stringMatching(/^signed 3\d{3} s ahead of our clock; signatures more than 300 s ahead are refused$/) });
    expect(await stack.db.orm.em.fork().findOne(WebhookEventEntity, { eventId: 'evt_Future000000000000000000' })).toBeNull();
    expect((await inboundRows()).find((row) => row.errorCode === 'WEBHOOK_FROM_THE_FUTURE')).toMatchObject({ outcome: 'error', reason: answer.body.error!.message });

    // Within the tolerance (a sender's clock a little ahead) it is taken.
    const nearly = signedEvent('evt_NearlyNow0000000000000000', awaitingCapture[4]!, Math.floor(Date.now() / 1000) + 60);
    expect((await post(nearly.payload, nearly.signature)).status).toBe(200);
  });

  it('acknowledges a signed event whose order id holds a NUL as received but unusable (2xx, so it is not retried for days), once', async () => {
    const poison = signedEvent('evt_Poison00000000000000000', 'ord-000001\u0000');
    const answer = await post(poison.payload, poison.signature);
    expect(answer).toEqual({
      status: 200,
      body: { received: true, id: 'evt_Poison00000000000000000', applied: false, unusable: expect.stringMatching(/metadata\.order_id must not hold control characters/) },
    });
    const remembered = await stack.db.orm.em.fork().findOne(WebhookEventEntity, { eventId: 'evt_Poison00000000000000000' });
    expect(remembered).toMatchObject({ outcome: 'unusable', subject: null });
    const logged = (await inboundRows()).filter((row) => row.errorCode === 'WEBHOOK_UNUSABLE');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ direction: 'inbound', outcome: 'error', operation: 'webhook payment_intent.succeeded' });
    // Ops hear of it once: an alert the dashboard shows, about the event.
    const alerted = await stack.db.orm.em.fork().find(AlertEntity, { kind: 'webhook-unusable' });
    expect(alerted).toEqual([expect.objectContaining({ system: 'payments', subject: 'evt_Poison00000000000000000', message: expect.stringMatching(/signed but cannot be applied/) })]);

    // The payment gateway's retry (signed afresh) is acknowledged as a duplicate, not recorded as unusable again.
    const retry = signedEvent('evt_Poison00000000000000000', 'ord-000001\u0000', Math.floor(Date.now() / 1000) + 1);
    expect(await post(retry.payload, retry.signature)).toEqual({ status: 200, body: { received: true, id: 'evt_Poison00000000000000000', duplicate: true } });
    expect((await inboundRows()).filter((row) => row.errorCode === 'WEBHOOK_UNUSABLE')).toHaveLength(1);
    expect(await stack.db.orm.em.fork().count(AlertEntity, { kind: 'webhook-unusable' })).toBe(1);

    // A lone surrogate is as unusable.
    const surrogate = signedEvent('evt_Surrogate000000000000000', 'ord-\uD800');
    expect((await post(surrogate.payload, surrogate.signature)).body).toMatchObject({ received: true, applied: false, unusable: expect.stringMatching(/Unicode/) });
  });

  it('refuses a signed body that is not an event, and a body too large to be one', async () => {
    const notAnEvent = JSON.stringify({ id: 'evt_NotAnEvent0000000000000', object: 'charge' });
    const signed = Stripe.webhooks.generateTestHeaderString({ payload: notAnEvent, secret: PAYMENTS_SANDBOX_CREDENTIALS.webhookSecret });
    const malformed = await post(notAnEvent, signed);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.code).toBe('WEBHOOK_MALFORMED');

    const huge = JSON.stringify({ id: 'evt_Huge', padding: 'x'.repeat(2 * 1024 * 1024) });
    const tooLarge = await post(huge, 't=1,v1=00');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error?.code).toBe('WEBHOOK_TOO_LARGE');

    const codes = (await inboundRows()).map((row) => row.errorCode);
    expect(codes).toEqual(expect.arrayContaining(['WEBHOOK_MALFORMED', 'WEBHOOK_TOO_LARGE']));
  });
});
