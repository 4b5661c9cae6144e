import type { FastifyReply, FastifyRequest } from 'fastify';
import Stripe from 'stripe';
import type { IntegrationLog } from '../../audit/integration-log';
import type { Database } from '../../db';
import type { GatewayPlugin } from '../../gateway-plugin';
import { bodyForLog, createWebhookEventStore, rawWebhookRoutes, WebhookRefusal, type Seen } from '../../webhooks';
import { stripeEventSchema, subjectOf, type StripeEvent } from './webhook-event';
import { settleOrderPayment, settlementOf, type Settled } from './webhook-settlement';

/** Where the payment gateway sends its events, below the gateway's origin. */
export const PAYMENTS_WEBHOOK_PATH = '/webhooks/payments';
/** Stripe's own default: a signature older than five minutes is refused. */
export const DEFAULT_WEBHOOK_TOLERANCE_S = 300;

export interface PaymentsWebhookOptions {
  /** The endpoint's signing secret (`whsec_…`): PAYMENTS_WEBHOOK_SECRET, or the sandbox's. */
  readonly secret: string;
  /** Oldest signature accepted, in seconds (PLUGBOARD_WEBHOOK_TOLERANCE_S). @default 300 */
  readonly toleranceSeconds?: number;
  /** Where accepted events are remembered (`webhook_events`). */
  readonly db: Database;
  /** Every delivery, accepted or refused, is one inbound row. */
  readonly integrationLog: Pick<IntegrationLog, 'record'>;
  /**
   * Told when an accepted event changed an order's payment. The payment gateway owns payments and the site keeps no
   * copy (source-of-truth.yaml), so this drops the read cache's copy: the next read asks the owner.
   */
  readonly onPaymentChanged: (orderId: string) => Promise<void>;
  /**
   * Told once of each signed event that can never apply (an order id no order can have): it is acknowledged (2xx) so
   * that the payment gateway stops retrying it, remembered as `unusable`, and logged inbound with the reason; this is
   * where a person hears of it (an ops alert). Re-sent deliveries of it are acknowledged without telling again.
   * @default nothing beyond the log row
   */
  readonly onUnusable?: (event: { readonly id: string; readonly type: string; readonly reason: string }) => Promise<void> | void;
  /** The system's name in the integration map. @default 'payments' */
  readonly system?: string;
  /** @default PAYMENTS_WEBHOOK_PATH */
  readonly path?: string;
  /** Largest body accepted, in bytes; Stripe's events are a few kB. @default 1 MiB */
  readonly bodyLimit?: number;
}

/**
 * The payment gateway's webhooks in, as a gateway plugin: `POST /webhooks/payments`. Each delivery is verified with the
 * official `stripe` SDK on the raw body (signature and timestamp tolerance), refused when it replays a delivery we
 * accepted, recorded in `integration_logs` (direction inbound; the payload of a refusal kept, redacted), and, when it
 * changed an order's payment, applied by dropping the cached payment and, for an order placed while its payment
 * waited, by booking its couriers once it is paid or cancelling it when the payment is (./webhook-settlement.ts). A re-sent event (the same event id under a fresh
 * signature: Stripe re-signs every retry) is answered 200 and not applied twice.
 */
export function usePaymentsWebhook(options: PaymentsWebhookOptions): GatewayPlugin {
  const system = options.system ?? 'payments';
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_S;
  if (!Number.isInteger(tolerance) || tolerance < 1) {
    // Stripe's SDK reads 0 as "no timestamp check at all": never let a config slip turn replay protection off.
    throw new RangeError(`payments webhook: toleranceSeconds must be a whole number of at least 1, got ${tolerance}`);
  }
  if (!options.secret) throw new RangeError('payments webhook: a signing secret is required');
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const store = createWebhookEventStore(options.db);

  /** One inbound row: what came, how it ended, and on a refusal the redacted body. */
  const record = (
    request: FastifyRequest,
    startedAt: Date,
    outcome: { event?: StripeEvent; refusal?: WebhookRefusal; note?: string; unusable?: string },
  ) => {
    const { event, refusal, unusable } = outcome;
    options.integrationLog.record({
      adapter: system,
      direction: 'inbound',
      operation: event ? `webhook ${event.type}` : 'webhook',
      timestamp: startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      outcome: refusal || unusable ? 'error' : 'ok',
      ...(refusal ? { errorCode: refusal.code, reason: refusal.message, payload: bodyForLog(request.body) } : {}),
      // No payload for an unusable event: what makes it unusable (a NUL) is what PostgreSQL's jsonb refuses to keep.
      ...(unusable ? { errorCode: 'WEBHOOK_UNUSABLE', reason: unusable } : {}),
      ...(!refusal && !unusable && outcome.note ? { reason: outcome.note } : {}),
      requestId: request.id,
    });
  };

  const refuse = (request: FastifyRequest, reply: FastifyReply, startedAt: Date, refusal: WebhookRefusal, event?: StripeEvent) => {
    record(request, startedAt, { refusal, ...(event ? { event } : {}) });
    return reply.code(refusal.status).send({ error: { code: refusal.code, message: refusal.message } });
  };

  /** The answer for an event accepted before: a replayed delivery is refused, a re-sent one acknowledged. */
  const answerSeen = (request: FastifyRequest, reply: FastifyReply, startedAt: Date, event: StripeEvent, seen: Exclude<Seen, { kind: 'new' }>) => {
    if (seen.kind === 'replay') {
      const refusal = new WebhookRefusal('WEBHOOK_REPLAYED', `event ${event.id} was accepted before with this very signature: a replayed delivery is not applied`);
      return refuse(request, reply, startedAt, refusal, event);
    }
    record(request, startedAt, { event, note: `event ${event.id} was accepted before; this re-sent delivery changes nothing` });
    return reply.code(200).send({ received: true, id: event.id, duplicate: true });
  };

  const receive = async (request: FastifyRequest, reply: FastifyReply) => {
    const startedAt = new Date();
    const header = request.headers['stripe-signature'];
    const signature = typeof header === 'string' ? header : '';
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    let event: StripeEvent;
    try {
      event = verify(raw, signature, options.secret, tolerance, startedAt);
    } catch (error) {
      return refuse(request, reply, startedAt, asRefusal(error));
    }
    try {
      const seen = await store.seen(system, event.id, signature);
      if (seen.kind !== 'new') return answerSeen(request, reply, startedAt, event, seen);
      const subject = subjectOf(event);
      const orderId = subject.kind === 'order' ? subject.orderId : undefined;
      // Applied before it is remembered: dropping a cached copy twice is harmless, an event remembered but never
      // applied would be lost for good (the re-sent delivery would be acknowledged as a duplicate).
      if (orderId !== undefined) await options.onPaymentChanged(orderId);
      // An order placed while its payment waited: its couriers are booked once it is paid, its stock released if the
      // payment is cancelled (webhook-settlement.ts). Settled once, however often the event comes.
      const settlement = orderId === undefined ? null : settlementOf(event);
      const settled = orderId !== undefined && settlement ? await settleOrderPayment({ db: options.db, system }, orderId, settlement, event) : null;
      const first = await store.remember({
        source: system,
        eventId: event.id,
        type: event.type,
        signature,
        outcome: subject.kind === 'order' ? 'applied' : subject.kind === 'unusable' ? 'unusable' : 'ignored',
        subject: orderId ?? null,
        receivedAt: startedAt,
      });
      if (!first) {
        const raced = await store.seen(system, event.id, signature);
        if (raced.kind !== 'new') return answerSeen(request, reply, startedAt, event, raced);
      }
      if (subject.kind === 'unusable') {
        // A poison event: no delivery of it will ever apply, and any answer but a 2xx has the payment gateway retry it
        // for days (Stripe has no "final" 4xx). Acknowledged, kept as unusable, logged, and told once to a person.
        const reason = `event ${event.id} can never apply: ${subject.reason}; acknowledged so that it is not sent again`;
        record(request, startedAt, { event, unusable: reason });
        await Promise.resolve(options.onUnusable?.({ id: event.id, type: event.type, reason })).catch(() => undefined);
        return reply.code(200).send({ received: true, id: event.id, applied: false, unusable: reason });
      }
      record(request, startedAt, {
        event,
        note: orderId === undefined ? 'accepted; it changes nothing the graph reads' : `accepted; the payment of order ${orderId} is read afresh${settledNote(settled)}`,
      });
      return reply.code(200).send({ received: true, id: event.id, applied: orderId !== undefined });
    } catch (error) {
      const refusal = new WebhookRefusal('WEBHOOK_NOT_APPLIED', 'the event could not be applied or remembered now: send it again later', { cause: error });
      return refuse(request, reply, startedAt, refusal, event);
    }
  };

  // Its own fastify scope: the raw-body parsing applies to this endpoint only.
  return { name: 'payments-webhook', routes: rawWebhookRoutes({ path: options.path ?? PAYMENTS_WEBHOOK_PATH, bodyLimit, receive, refuse }) };
}

/** What a settlement queued, for the inbound log row. */
function settledNote(settled: Settled | null): string {
  if (!settled) return '';
  return `; ${settled.operation} (audit ${settled.auditId}) queued ${settled.jobs.map((job) => `${job.system}:${job.operation}`).join(', ')}`;
}

/** The event, if the signature holds for these bytes and our secret and is recent enough; a refusal saying why not. */
function verify(raw: Buffer, signature: string, secret: string, tolerance: number, receivedAt: Date): StripeEvent {
  let parsed: unknown;
  try {
    parsed = Stripe.webhooks.constructEvent(raw, signature, secret, tolerance, undefined, receivedAt.getTime());
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) {
      throw new WebhookRefusal('WEBHOOK_MALFORMED', 'the signature holds but the body is not JSON', { cause: error });
    }
    if (signatureHolds(raw, signature, secret)) {
      const age = Math.floor(receivedAt.getTime() / 1000) - signedAtOf(signature);
      throw new WebhookRefusal('WEBHOOK_TOO_OLD', `signed ${age} s ago; signatures older than ${tolerance} s are refused`, { cause: error });
    }
    const why = signature === '' ? 'no Stripe-Signature header' : 'the Stripe-Signature header does not match the body and our signing secret';
    throw new WebhookRefusal('WEBHOOK_SIGNATURE_INVALID', why, { cause: error });
  }
  // The SDK checks only the age of a signature; one dated ahead of our clock by more than the tolerance is as suspect.
  const ahead = signedAtOf(signature) - Math.floor(receivedAt.getTime() / 1000);
  if (ahead > tolerance) {
    throw new WebhookRefusal('WEBHOOK_FROM_THE_FUTURE', `signed ${ahead} s ahead of our clock; signatures more than ${tolerance} s ahead are refused`);
  }
  const event = stripeEventSchema.safeParse(parsed);
  if (!event.success) {
    const issue = event.error.issues[0];
    const where = issue?.path.length ? issue.path.map(String).join('.') : '(the whole body)';
    throw new WebhookRefusal('WEBHOOK_MALFORMED', `signed, but not an event we can read: field ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return event.data;
}

/** The signing time a Stripe-Signature header states (`t=`), in seconds since the epoch. */
function signedAtOf(signature: string): number {
  return Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1]);
}

/** Whether the signature matches the body and secret, its age aside (tolerance 0 skips the age check in the SDK). */
function signatureHolds(raw: Buffer, signature: string, secret: string): boolean {
  try {
    return Stripe.webhooks.signature?.verifyHeader(raw, signature, secret, 0) === true;
  } catch {
    return false;
  }
}

function asRefusal(error: unknown): WebhookRefusal {
  return error instanceof WebhookRefusal
    ? error
    : new WebhookRefusal('WEBHOOK_SIGNATURE_INVALID', 'the delivery could not be verified', { cause: error });
}
