import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IntegrationLog } from '../audit/integration-log';
import type { Database } from '../db';
import type { GatewayPlugin } from '../gateway-plugin';
import { WebhookRefusal } from './errors';
import { createWebhookEventStore } from './event-store';
import { rawWebhookRoutes } from './raw-endpoint';

/**
 * The part every system's webhook shares: verify -> deduplicate -> order -> apply -> remember -> log. What is the
 * vendor's (how it signs, what its events look like, what they change of ours) comes from the system's folder as a
 * {@link VendorWebhook} and an `apply`; the payment gateway's webhook predates this kit and settles orders its own way
 * (src/systems/payments/webhook.ts).
 */

/** One delivery as it reached us: the exact bytes, for the signature. */
export interface WebhookDelivery {
  readonly raw: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  /** The URL the sender called, as it called it: scheme, host (the Host header) and path with its query. */
  readonly url: string;
  readonly receivedAt: Date;
}

/** An event a system sent, read from a verified delivery. */
export interface InboundEvent {
  /** The system's id of the event, or one made from what identifies it (the same event always gets the same id). */
  readonly id: string;
  /** The system's event type, e.g. "contact.propertyChange". */
  readonly type: string;
  /**
   * What it is about, in the system's terms (a tracking number, a contact's property, an invoice id): events about
   * one subject are applied in their order; null when it concerns nothing we read (remembered as `ignored`).
   */
  readonly subject: string | null;
  /** When the system says it happened: an event older than one applied to the same subject is not applied. */
  readonly occurredAt: Date;
  /** What it says the subject now is, in a few words (kept with the event; never a secret). */
  readonly state?: string | null;
}

/** A system's side of its webhook: how its vendor signs a delivery and what its events look like. */
export interface VendorWebhook {
  /**
   * Verifies a delivery as the vendor signs it and reads its events (a delivery may carry several); throws a
   * {@link WebhookRefusal} when it does not hold. An empty list is a delivery that carries no event (a probe).
   */
  read(delivery: WebhookDelivery): Promise<readonly InboundEvent[]>;
  /** Every acknowledgement is a 200 with an empty body (the vendor's own rule). @default false: a JSON summary */
  readonly emptyAcknowledgement?: boolean;
}

export interface SystemWebhookOptions {
  /** The system's name in the integration map: the events' source and the log rows' adapter. */
  readonly system: string;
  /** Below the gateway's origin, e.g. /webhooks/crm. */
  readonly path: string;
  readonly vendor: VendorWebhook;
  /**
   * Applies the events that are new and newer than what their subjects last applied, oldest first (drops the read
   * caches they touch). Runs before they are remembered: a failure leaves them unremembered, for the vendor's retry.
   */
  apply(events: readonly InboundEvent[]): Promise<void>;
  readonly db: Database;
  readonly integrationLog: Pick<IntegrationLog, 'record'>;
  /** Largest body accepted, in bytes. @default 1 MiB */
  readonly bodyLimit?: number;
}

/**
 * A system's webhook plugins from its `gatewayPlugins` context: none without its secret (the endpoint is then not
 * mounted, and a delivery gets the gateway's 404), else its endpoint.
 */
export function webhookPluginsOf(
  secret: string | undefined,
  services: { readonly db: object; readonly integrationLog: object },
  options: Omit<SystemWebhookOptions, 'db' | 'integrationLog' | 'vendor'> & { readonly vendor: (secret: string) => VendorWebhook },
): GatewayPlugin[] {
  if (!secret) return [];
  const { db, integrationLog } = services as { db: Database; integrationLog: Pick<IntegrationLog, 'record'> };
  return [useSystemWebhook({ ...options, vendor: options.vendor(secret), db, integrationLog })];
}

/** What became of one delivery's events. */
export interface DeliveryOutcome {
  readonly applied: readonly InboundEvent[];
  /** Accepted before (a retry, a replay): not applied again. */
  readonly duplicates: readonly InboundEvent[];
  /** Older than the newest event applied to the same subject: not applied. */
  readonly superseded: readonly InboundEvent[];
  /** About nothing we read. */
  readonly ignored: readonly InboundEvent[];
}

/** A system's webhooks in, as a gateway plugin: `POST <path>`, its own fastify scope with a raw body. */
export function useSystemWebhook(options: SystemWebhookOptions): GatewayPlugin {
  const { system, vendor } = options;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const store = createWebhookEventStore(options.db);

  const record = (request: FastifyRequest, startedAt: Date, what: { types?: string; refusal?: WebhookRefusal; note?: string }) =>
    options.integrationLog.record({
      adapter: system,
      direction: 'inbound',
      operation: what.types ? `webhook ${what.types}`.slice(0, 100) : 'webhook',
      timestamp: startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      outcome: what.refusal ? 'error' : 'ok',
      ...(what.refusal ? { errorCode: what.refusal.code, reason: what.refusal.message, payload: bodyForLog(request.body) } : {}),
      ...(!what.refusal && what.note ? { reason: what.note } : {}),
      requestId: request.id,
    });

  const refuse = (request: FastifyRequest, reply: FastifyReply, startedAt: Date, refusal: WebhookRefusal) => {
    record(request, startedAt, { refusal });
    return reply.code(refusal.status).send({ error: { code: refusal.code, message: refusal.message } });
  };

  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work, work);
    turn = run.catch(() => undefined);
    return run;
  };

  /** Sorts a delivery's events into what applies and what does not, against what was accepted before. */
  const sort = async (events: readonly InboundEvent[]): Promise<DeliveryOutcome> => {
    const outcome = { applied: [] as InboundEvent[], duplicates: [] as InboundEvent[], superseded: [] as InboundEvent[], ignored: [] as InboundEvent[] };
    const ids = new Set<string>();
    const newest = new Map<string, number>();
    // Oldest first: a delivery's own events apply in their order, whatever order it lists them in.
    for (const event of [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())) {
      if (ids.has(event.id) || (await store.seen(system, event.id, '')).kind !== 'new') {
        outcome.duplicates.push(event);
        continue;
      }
      ids.add(event.id);
      if (event.subject === null) {
        outcome.ignored.push(event);
        continue;
      }
      if (!newest.has(event.subject)) newest.set(event.subject, (await store.newestApplied(system, event.subject))?.occurredAt.getTime() ?? -Infinity);
      // Same time as the newest applied: not newer, so not applied (the first one told stays).
      if (event.occurredAt.getTime() <= newest.get(event.subject)!) {
        outcome.superseded.push(event);
        continue;
      }
      newest.set(event.subject, event.occurredAt.getTime());
      outcome.applied.push(event);
    }
    return outcome;
  };

  const receive = async (request: FastifyRequest, reply: FastifyReply) => {
    const startedAt = new Date();
    let events: readonly InboundEvent[];
    try {
      events = await vendor.read({
        raw: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        headers: request.headers,
        method: request.method,
        url: `${request.protocol}://${request.headers.host ?? request.hostname}${request.url}`,
        receivedAt: startedAt,
      });
    } catch (error) {
      return refuse(request, reply, startedAt, asRefusal(error));
    }
    const types = [...new Set(events.map((event) => event.type))].join(', ');
    const signature = deliverySignature(request.headers);
    const remember = (event: InboundEvent, what: 'applied' | 'superseded' | 'ignored') =>
      store.remember({ source: system, eventId: event.id, type: event.type, signature, outcome: what, subject: event.subject, receivedAt: startedAt, occurredAt: event.occurredAt, state: event.state ?? null });
    try {
      // One delivery at a time per system in this process: two racing deliveries about one subject cannot both find
      // themselves newest. Replicas of the gateway are not serialised with each other (see docs/writes.md).
      const outcome = await inTurn(async () => {
        const sorted = await sort(events);
        if (sorted.applied.length > 0) await options.apply(sorted.applied);
        for (const event of sorted.applied) await remember(event, 'applied');
        for (const event of sorted.superseded) await remember(event, 'superseded');
        for (const event of sorted.ignored) await remember(event, 'ignored');
        return sorted;
      });
      const summary = { events: events.length, applied: outcome.applied.length, duplicates: outcome.duplicates.length, superseded: outcome.superseded.length, ignored: outcome.ignored.length };
      record(request, startedAt, { types, note: noteOf(summary, outcome) });
      return vendor.emptyAcknowledgement ? reply.code(200).send() : reply.code(200).send({ received: true, ...summary });
    } catch (error) {
      return refuse(request, reply, startedAt, new WebhookRefusal('WEBHOOK_NOT_APPLIED', 'the events could not be applied or remembered now: send them again later', { cause: error }));
    }
  };

  return { name: `${system}-webhook`, routes: rawWebhookRoutes({ path: options.path, bodyLimit, receive, refuse }) };
}

/** The log row's words for a delivery: what applied, and why the rest did not. */
function noteOf(summary: { events: number; applied: number; duplicates: number; superseded: number; ignored: number }, outcome: DeliveryOutcome): string {
  if (summary.events === 0) return 'a delivery with no event (a probe): acknowledged';
  const subjects = (events: readonly InboundEvent[]) => [...new Set(events.map((event) => event.subject))].slice(0, 5).join(', ');
  return [
    `${summary.applied} of ${summary.events} applied${summary.applied ? ` (${subjects(outcome.applied)})` : ''}`,
    summary.duplicates ? `${summary.duplicates} accepted before, not applied again` : '',
    summary.superseded ? `${summary.superseded} older than what was applied to ${subjects(outcome.superseded)}, not applied` : '',
    summary.ignored ? `${summary.ignored} about nothing the graph reads` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The delivery's signature header, whichever the vendor sends (only its digest is kept). */
function deliverySignature(headers: IncomingHttpHeaders): string {
  const signature = Object.entries(headers).find(([name]) => name.includes('signature'))?.[1];
  return typeof signature === 'string' ? signature : '';
}

function asRefusal(error: unknown): WebhookRefusal {
  return error instanceof WebhookRefusal ? error : new WebhookRefusal('WEBHOOK_SIGNATURE_INVALID', 'the delivery could not be verified', { cause: error });
}

/** What a refused delivery carried, for the log (redacted there): JSON as a value, anything else as text. */
export function bodyForLog(body: unknown): unknown {
  if (!Buffer.isBuffer(body)) return undefined;
  const text = body.subarray(0, 64 * 1024).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
