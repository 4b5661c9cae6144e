import { setMaxListeners } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { Agent, request } from 'undici';

/**
 * For the sandboxes of systems that push: where their webhooks go, and a sender that signs each one as the vendor
 * does (the sign function comes from the system's sandbox) and POSTs it. Imports nothing of the gateway's side of the
 * kit, so that a sandbox can use it alone.
 */

/** A delivery as the sandbox sent it: the exact bytes and headers (a test can send them again), and the answer. */
export interface SentDelivery {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly status: number;
  readonly answer: string;
}

export interface SignedSender {
  /** Where deliveries go (an http(s) URL on this machine), or nowhere. */
  setTarget(url: string | undefined): void;
  target(): string | undefined;
  /** Signs and POSTs one body now; null when no target is set. */
  send(body: string): Promise<SentDelivery | null>;
  /** Sends without waiting, for a change the sandbox makes while it answers an API call (errors are kept, not thrown). */
  sendLater(body: string): void;
  /** Deliveries made, newest first (at most 500). */
  sent(): readonly SentDelivery[];
  /**
   * The sandbox's window onto it: `GET|PUT /_sandbox/webhook-endpoint` `{ "url": … }`, `GET /_sandbox/webhooks` (the
   * deliveries made), `POST /_sandbox/webhooks/send` (signs and sends the JSON body given, as the vendor would).
   */
  routes(app: FastifyInstance): void;
  /** Waits for deliveries in flight. */
  settle(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function loopback(url: string): string {
  const parsed = new URL(url);
  if (!LOOPBACK.has(parsed.hostname) || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new RangeError(`sandbox webhooks: the endpoint must be an http(s) URL on 127.0.0.1, got ${url}`);
  }
  return parsed.toString();
}

/** `sign` answers the headers the vendor would send with this body to this URL (its signature, its timestamp). */
export function createSignedSender(sign: (body: string, target: URL) => Record<string, string>, options: { readonly url?: string } = {}): SignedSender {
  let target = options.url ? loopback(options.url) : undefined;
  const deliveries: SentDelivery[] = [];
  const inFlight = new Set<Promise<unknown>>();
  // Its own connections, let go of when the sandbox closes (deliveries still in flight are abandoned).
  const dispatcher = new Agent({ connections: 4, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const closing = new AbortController();
  // Every delivery in flight listens on it until it ends, and a batch upsert sends one per record at once: more than
  // Node's default 10 listeners is no leak here (npm run bench's write path warned of 11).
  setMaxListeners(0, closing.signal);

  const send = async (body: string): Promise<SentDelivery | null> => {
    if (!target) return null;
    const url = target;
    const headers = { 'content-type': 'application/json', ...sign(body, new URL(url)) };
    let status = 0;
    let answer = '';
    try {
      const response = await request(url, { method: 'POST', headers, body, dispatcher, signal: closing.signal });
      status = response.statusCode;
      answer = await response.body.text();
    } catch (error) {
      answer = closing.signal.aborted ? 'sandbox closed' : String((error as { code?: string }).code ?? error);
    }
    const delivery = { url, headers, body, status, answer };
    deliveries.unshift(delivery);
    deliveries.length = Math.min(deliveries.length, 500);
    return delivery;
  };

  return {
    setTarget: (url) => void (target = url ? loopback(url) : undefined),
    target: () => target,
    send,
    sendLater(body) {
      const delivery = send(body).finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
    },
    sent: () => deliveries,
    async settle() {
      await Promise.allSettled([...inFlight]);
    },
    routes(app) {
      app.addHook('onClose', async () => {
        closing.abort();
        await Promise.allSettled([...inFlight]);
        await dispatcher.close();
      });
      app.get('/_sandbox/webhook-endpoint', async () => ({ url: target ?? null }));
      app.put('/_sandbox/webhook-endpoint', async (request, reply) => {
        const url = (request.body as { url?: unknown } | undefined)?.url;
        if (url !== null && typeof url !== 'string') return reply.code(400).send({ message: 'send { "url": "http://127.0.0.1:…" } or { "url": null }' });
        try {
          target = url ? loopback(url) : undefined;
        } catch (error) {
          return reply.code(400).send({ message: (error as Error).message });
        }
        return { url: target ?? null };
      });
      app.get('/_sandbox/webhooks', async () => ({ data: deliveries }));
      app.post('/_sandbox/webhooks/send', async (request, reply) => {
        if (!target) return reply.code(409).send({ message: 'no webhook endpoint is set (PUT /_sandbox/webhook-endpoint)' });
        return send(JSON.stringify(request.body));
      });
    },
  };
}

/** A sandbox's definition with the sender's window added to its routes. */
export function withSender<D extends { readonly routes: (app: FastifyInstance, context: never) => unknown }>(definition: D, sender: SignedSender): D {
  const routes = definition.routes as (app: FastifyInstance, context: unknown) => unknown;
  const withWindow = async (app: FastifyInstance, context: unknown) => {
    await routes(app, context);
    sender.routes(app);
  };
  return { ...definition, routes: withWindow };
}

/**
 * Where a sandbox on the documented ports sends its webhooks until it is told where the gateway listens: the gateway's
 * documented port (`npm run sandboxes` beside `npm run gateway`), or nowhere (tests, on ephemeral ports).
 */
export function documentedGatewayUrl(context: { readonly ports: 'fixed' | 'ephemeral'; readonly tuning: Readonly<Record<string, unknown>> }, path: string): string | undefined {
  const port = context.tuning['gatewayPort'];
  return context.ports === 'fixed' && typeof port === 'number' ? `http://127.0.0.1:${port}${path}` : undefined;
}
