import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fingerprintOf, type IdempotencyStore } from './idempotency';
import type { SpecViolation } from '../../kit/spec';
import { specRoute, type StripeSpec } from './spec';
import type { PendingEvent } from './ledger';
import type { WebhookSender } from './webhooks';
import { invalid, newId, parseForm, queryOf, StripeFailure, type Params } from './wire';

/**
 * The request pipeline every Stripe route shares: API-key auth (Bearer, or Basic with the key as user name),
 * form or query parameters, idempotent replay of POSTs, Stripe's error envelope, `Request-Id` and `Stripe-Version`
 * headers, and the webhook events a request raised. Internal to the sandbox.
 */

/** The API version the sandbox speaks when a client names none (the one stripe-node 23 pins). */
export const DEFAULT_API_VERSION = '2026-10-28.endive';

export interface StripeCall {
  readonly params: Params;
  /** Path parameters (`:intent`, `:refund` ...). */
  readonly path: Readonly<Record<string, string>>;
  /** State changes the handler made; sent as webhook events once it is done. */
  readonly events: PendingEvent[];
}

export interface StripeAnswer {
  readonly status?: number;
  readonly body: object;
}

export type StripeHandler = (call: StripeCall) => StripeAnswer;

export interface StripeApi {
  get(url: string, operation: string, handler: StripeHandler): void;
  post(url: string, operation: string, handler: StripeHandler): void;
}

export function createStripeApi(
  app: FastifyInstance,
  deps: {
    readonly secretKey: string;
    readonly idempotency: IdempotencyStore;
    readonly webhooks: WebhookSender;
    readonly spec: StripeSpec;
    readonly violation: (entry: SpecViolation) => void;
  },
): StripeApi {
  const route = (method: 'GET' | 'POST', url: string, operation: string, handler: StripeHandler): void => {
    app.route({
      method,
      url,
      config: { operation },
      handler: async (request, reply) => serve(request, reply, method, handler),
    });
  };

  const serve = (request: FastifyRequest, reply: FastifyReply, method: 'GET' | 'POST', handler: StripeHandler) => {
    const requestId = newId('req', 14);
    const versionHeader = request.headers['stripe-version'];
    const apiVersion = typeof versionHeader === 'string' && versionHeader ? versionHeader : DEFAULT_API_VERSION;
    reply.header('request-id', requestId).header('stripe-version', apiVersion);
    const at = request.url.split('?')[0]!;
    const route = specRoute(request.routeOptions.url ?? at);
    const send = (status: number, text: string) =>
      reply.code(status).header('content-type', 'application/json; charset=utf-8').send(text);
    /** The answer, once it is checked against Stripe's description: one outside it is a sandbox defect, sent as a 500. */
    const checked = (status: number, body: object): { status: number; text: string } => {
      const problems = deps.spec.checkAnswer(method, at, status, body);
      if (problems.length === 0) return { status, text: JSON.stringify(body, null, 2) };
      deps.violation({ side: 'answer', operation: `${method} ${route}`, problems });
      const message = `The payments sandbox's answer is outside Stripe's description (a sandbox defect): ${problems.join('; ')}`;
      return { status: 500, text: JSON.stringify({ error: { type: 'api_error', message } }, null, 2) };
    };
    const fail = (failure: StripeFailure) => {
      const answer = checked(failure.status, { error: failure.body });
      return send(answer.status, answer.text);
    };

    try {
      const apiKey = authenticate(request.headers.authorization, deps.secretKey);
      if (apiKey instanceof StripeFailure) {
        reply.header('www-authenticate', 'Basic realm="Stripe"');
        return fail(apiKey);
      }
      const params = method === 'GET' ? queryOf(request.url) : bodyParams(request.body);
      const refused = deps.spec.checkRequest(method, at, params);
      if (refused.length > 0) {
        deps.violation({ side: 'request', operation: `${method} ${route}`, problems: refused.map((problem) => problem.message) });
        const [first] = refused;
        return fail(invalid(first!.message, { code: first!.code, ...(first!.param ? { param: first!.param } : {}) }));
      }
      const keyHeader = request.headers['idempotency-key'];
      const key = method === 'POST' && typeof keyHeader === 'string' && keyHeader ? keyHeader : null;
      const fingerprint = fingerprintOf(method, at, params);
      if (key) {
        reply.header('idempotency-key', key);
        const kept = deps.idempotency.lookup(apiKey, key, fingerprint);
        if (kept) {
          reply.header('idempotent-replayed', 'true').header('original-request', kept.requestId);
          return send(kept.status, kept.body);
        }
      }
      const events: PendingEvent[] = [];
      let status: number;
      let text: string;
      let executed: boolean;
      try {
        const answer = handler({ params, path: request.params as Record<string, string>, events });
        ({ status, text } = checked(answer.status ?? 200, answer.body));
        executed = true;
      } catch (error) {
        if (!(error instanceof StripeFailure)) throw error;
        ({ status, text } = checked(error.status, { error: error.body }));
        executed = error.executed;
      }
      if (key && executed) deps.idempotency.keep(apiKey, key, { fingerprint, status, body: text, requestId });
      if (events.length > 0) deps.webhooks.send(events, { apiVersion, requestId, idempotencyKey: key });
      return send(status, text);
    } catch (error) {
      if (error instanceof StripeFailure) return fail(error);
      return fail(
        new StripeFailure(500, { type: 'api_error', message: `An unexpected error occurred in the sandbox: ${String(error)}` }),
      );
    }
  };

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).header('content-type', 'application/json; charset=utf-8').send(
      JSON.stringify({
        error: {
          type: 'invalid_request_error',
          message:
            `Unrecognized request URL (${request.method}: ${request.url.split('?')[0]}). ` +
            'Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
        },
      }),
    );
  });

  return {
    get: (url, operation, handler) => route('GET', url, operation, handler),
    post: (url, operation, handler) => route('POST', url, operation, handler),
  };
}

function bodyParams(body: unknown): Params {
  if (typeof body === 'string') return parseForm(body);
  if (body !== null && typeof body === 'object') return body as Params;
  return {};
}

/** The API key a request carries, or the 401 Stripe answers. */
function authenticate(header: string | undefined, secretKey: string): string | StripeFailure {
  let key: string | undefined;
  const [scheme = '', value = ''] = (header ?? '').trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') key = value;
  else if (scheme.toLowerCase() === 'basic') key = Buffer.from(value, 'base64').toString('utf8').split(':')[0];
  if (!key) {
    return new StripeFailure(401, {
      type: 'invalid_request_error',
      message:
        'You did not provide an API key. You need to provide your API key in the Authorization header, using ' +
        "Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication " +
        'for details, or we can help at https://support.stripe.com/.',
    });
  }
  const given = Buffer.from(key);
  const expected = Buffer.from(secretKey);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return new StripeFailure(401, {
      type: 'invalid_request_error',
      message: `Invalid API Key provided: ${maskKey(key)}`,
    });
  }
  return key;
}

/** Stripe shows only the prefix and the last four characters of a key it refused. */
function maskKey(key: string): string {
  if (key.length <= 12) return '*'.repeat(key.length);
  return `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}
