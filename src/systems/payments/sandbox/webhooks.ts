import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import type { PendingEvent } from './ledger';
import { newId, unixNow } from './wire';

/**
 * Stripe's webhook events: each state change becomes an `event` object, signed the way Stripe signs
 * (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`) and, when a URL is configured, POSTed to it
 * without holding up the API call that caused it. Internal to the sandbox.
 */

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

/** What the sandbox keeps of an event: the exact payload and signature sent, and how delivery went. */
export interface SentEvent {
  readonly id: string;
  readonly type: string;
  readonly created: number;
  readonly payload: string;
  readonly signature: string;
  delivery: { status: 'not_configured' | 'pending' | 'delivered' | 'failed'; detail?: string };
}

/** Only endpoints on this machine: the sandbox never sends anything elsewhere. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function assertLoopbackUrl(url: string): URL {
  const parsed = new URL(url);
  if (!LOOPBACK.has(parsed.hostname) || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new RangeError(`payments sandbox: webhookUrl must be an http(s) URL on 127.0.0.1, got ${url}`);
  }
  return parsed;
}

/** The header value Stripe sends, for a payload signed at `timestamp`. */
export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

export interface WebhookSender {
  /** Turns the changes one request made into events, keeps them, and sends them if a URL is configured. */
  send(changes: readonly PendingEvent[], context: { apiVersion: string; requestId: string; idempotencyKey: string | null }): void;
  /**
   * Sends a kept event once more, signed afresh (as Stripe signs every retry with a new timestamp); `false` when no
   * such event is kept or no endpoint is configured.
   */
  resend(id: string): boolean;
  /** Where events go from now on (an http(s) URL on 127.0.0.1), or nowhere. */
  setTarget(url: string | undefined): void;
  /** Where events go now. */
  target(): string | undefined;
  /** Stops deliveries in flight and releases connections. */
  close(): Promise<void>;
}

export function createWebhookSender(options: {
  readonly secret: string;
  readonly url?: string;
  /** Where events are kept (the `events` record collection), by id. */
  readonly store: Map<string, SentEvent>;
  /** Events kept at most; the oldest are forgotten first. */
  readonly capacity?: number;
  /** Sees every event before it is kept and sent (the sandbox checks it against Stripe's description). */
  readonly inspect?: (event: StripeEvent) => void;
}): WebhookSender {
  let target = options.url ? assertLoopbackUrl(options.url) : undefined;
  const capacity = options.capacity ?? 5_000;
  const dispatcher = new Agent({ connections: 4, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const deliver = async (sent: SentEvent): Promise<void> => {
    if (!target) return;
    try {
      const response = await request(target, {
        method: 'POST',
        dispatcher,
        signal: closing.signal,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': sent.signature,
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: sent.payload,
      });
      await response.body.dump();
      sent.delivery =
        response.statusCode >= 200 && response.statusCode < 300
          ? { status: 'delivered', detail: `HTTP ${response.statusCode}` }
          : { status: 'failed', detail: `endpoint answered HTTP ${response.statusCode}` };
    } catch (error) {
      const code = (error as { code?: string }).code;
      sent.delivery = { status: 'failed', detail: closing.signal.aborted ? 'sandbox closed' : (code ?? String(error)) };
    }
  };

  const dispatch = (sent: SentEvent): void => {
    if (!target || closing.signal.aborted) return;
    const delivery = deliver(sent).finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  };

  return {
    send(changes, context) {
      for (const change of changes) {
        const created = unixNow();
        const event: StripeEvent = {
          id: newId('evt'),
          object: 'event',
          api_version: context.apiVersion,
          created,
          // Serialised now: the objects change with the next request, the event shows them as this one left them.
          data: {
            object: structuredClone(change.object),
            ...(change.previous ? { previous_attributes: change.previous } : {}),
          },
          livemode: false,
          pending_webhooks: target ? 1 : 0,
          request: { id: context.requestId, idempotency_key: context.idempotencyKey },
          type: change.type,
        };
        options.inspect?.(event);
        const payload = JSON.stringify(event, null, 2);
        const sent: SentEvent = {
          id: event.id,
          type: event.type,
          created,
          payload,
          signature: signPayload(payload, options.secret, created),
          delivery: { status: target ? 'pending' : 'not_configured' },
        };
        if (options.store.size >= capacity) {
          const oldest = options.store.keys().next();
          if (!oldest.done) options.store.delete(oldest.value);
        }
        options.store.set(sent.id, sent);
        dispatch(sent);
      }
    },
    resend(id) {
      const kept = options.store.get(id);
      if (!kept || !target) return false;
      // Stripe's retries come minutes or hours apart; one asked for within the same second still gets its own timestamp.
      const previous = Number(/^t=(\d+)/.exec(kept.signature)?.[1] ?? 0);
      const created = Math.max(unixNow(), previous + 1);
      const again: SentEvent = { ...kept, signature: signPayload(kept.payload, options.secret, created), delivery: { status: 'pending' } };
      options.store.set(id, again);
      dispatch(again);
      return true;
    },
    setTarget(url) {
      target = url ? assertLoopbackUrl(url) : undefined;
    },
    target: () => target?.toString(),
    async close() {
      closing.abort();
      await Promise.allSettled([...inFlight]);
      await dispatcher.destroy();
    },
  };
}
