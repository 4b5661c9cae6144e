import type { FastifyInstance } from 'fastify';
import type { FailureBody, SandboxDefinition } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import { recordViolation, SPEC_VIOLATIONS, type SpecViolation } from '../../kit/spec';
import { createStripeApi, DEFAULT_API_VERSION } from './api';
import { IdempotencyStore } from './idempotency';
import { COLLECTIONS, PaymentsLedger, type PendingEvent } from './ledger';
import type { Lookups } from './listing';
import { registerPaymentIntentRoutes } from './payment-intent-routes';
import { registerRefundAndCustomerRoutes } from './refund-customer-routes';
import { seedLedger } from './seed';
import { loadStripeSpec } from './spec';
import { newId } from './wire';
import { assertLoopbackUrl, createWebhookSender, type SentEvent, type WebhookSender } from './webhooks';

export { seededCustomerId } from './seed';
export { signPayload } from './webhooks';
export type { SentEvent } from './webhooks';
export { SPEC_VIOLATIONS, type SpecViolation } from '../../kit/spec';

/** The credentials the payments sandbox holds: a Stripe test-mode secret key and a webhook signing secret. */
export interface PaymentsSandboxCredentials {
  /** Sent as `Authorization: Bearer <key>` (or as the Basic user name), as with Stripe. */
  readonly secretKey: string;
  /** Signs webhook events (`Stripe-Signature`); what `stripe.webhooks.constructEvent` verifies with. */
  readonly webhookSecret: string;
}

export const PAYMENTS_SANDBOX_CREDENTIALS: PaymentsSandboxCredentials = {
  secretKey: 'sk_test_51PlugboardSandboxKey0000000000000000000000000000000000000000000000000000',
  webhookSecret: 'whsec_plugboardSandboxWebhookSecret000000',
};

export interface PaymentsSandboxOptions {
  /** @default PAYMENTS_SANDBOX_CREDENTIALS.secretKey */
  readonly secretKey?: string;
  /** @default PAYMENTS_SANDBOX_CREDENTIALS.webhookSecret */
  readonly webhookSecret?: string;
  /** Where webhook events are POSTed; must be on 127.0.0.1. Events are always listed at `/_sandbox/events`. @default none */
  readonly webhookUrl?: string;
  /** Most clauses one search query may hold. Stripe's own limit is 10. @default 10 */
  readonly maxSearchClauses?: number;
}

/** The payments sandbox, with the one switch the estate needs from outside: where its webhooks go. */
export interface PaymentsSandboxDefinition extends SandboxDefinition {
  /**
   * Points webhook deliveries at a URL on 127.0.0.1 (the gateway's `/webhooks/payments`, once it listens), or stops
   * them. The same as `PUT /_sandbox/webhook-endpoint`.
   */
  setWebhookUrl(url: string | undefined): void;
}

/**
 * The payment gateway of the example estate: a stand-in for Stripe that speaks its wire format for what the estate
 * uses (customers, payment intents with manual or automatic capture, search, refunds, idempotent requests, signed
 * webhooks), so that the official `stripe` SDK drives it as it drives Stripe. It is held to Stripe's own OpenAPI
 * description (`stripe.trimmed.json`): every request it receives (decoded with `qs`, as Stripe decodes forms), every
 * answer it sends and every webhook event it raises is checked; a request outside it is refused in Stripe's words, an
 * answer outside it becomes a 500 (a sandbox defect), and each is written to `records.collection('spec-violations')`.
 *
 * Records: `payment_intents` (by id), `payment_intents-by-order` (the latest intent per our order id),
 * `customers`, `charges`, `refunds`, `events` (as sent, with their signature and delivery).
 * Window: `GET /_sandbox/events` lists the webhook events raised, newest first; `POST /_sandbox/events/<id>/resend`
 * delivers one again, signed afresh (as Stripe retries); `POST /_sandbox/payment_intents/<id>/authenticate` is the
 * customer passing 3-D Secure (an intent confirmed with `pm_card_authenticationRequired` waits in requires_action for
 * it); `GET`/`PUT /_sandbox/webhook-endpoint` `{ "url": … }` reads and
 * sets where deliveries go.
 */
export function createPaymentsSandbox(estate: EstateSeed, options: PaymentsSandboxOptions = {}): PaymentsSandboxDefinition {
  const secretKey = options.secretKey ?? PAYMENTS_SANDBOX_CREDENTIALS.secretKey;
  const webhookSecret = options.webhookSecret ?? PAYMENTS_SANDBOX_CREDENTIALS.webhookSecret;
  const maxSearchClauses = options.maxSearchClauses ?? 10;
  if (!Number.isInteger(maxSearchClauses) || maxSearchClauses < 1) {
    throw new RangeError(`payments sandbox: maxSearchClauses must be a whole number of at least 1, got ${maxSearchClauses}`);
  }
  if (options.webhookUrl) assertLoopbackUrl(options.webhookUrl);
  let webhookUrl = options.webhookUrl;
  let webhooks: WebhookSender | undefined;
  const setWebhookUrl = (url: string | undefined): void => {
    if (url) assertLoopbackUrl(url);
    webhookUrl = url;
    webhooks?.setTarget(url);
  };

  return {
    name: 'payments',
    setWebhookUrl,
    contentTypes: ['application/x-www-form-urlencoded'],
    failureBody: stripeFailureBody,
    routes: async (app, { records }) => {
      const ledger = new PaymentsLedger(records);
      seedLedger(ledger, estate);
      const events = records.collection<SentEvent>(COLLECTIONS.events);
      const spec = loadStripeSpec();
      spec.warm();
      const violations = records.collection<SpecViolation>(SPEC_VIOLATIONS);
      const violation = (entry: SpecViolation): void => recordViolation(violations, entry);
      const sender = createWebhookSender({
        secret: webhookSecret,
        ...(webhookUrl ? { url: webhookUrl } : {}),
        store: events,
        inspect: (event) => {
          const problems = spec.checkEvent(event);
          if (problems.length > 0) violation({ side: 'event', operation: event.type, problems });
        },
      });
      webhooks = sender;
      app.addHook('onClose', async () => sender.close());

      const lookups: Lookups = {
        latest_charge: (id) => ledger.charges.get(id),
        charge: (id) => ledger.charges.get(id),
        payment_intent: (id) => ledger.intents.get(id),
        customer: (id) => ledger.customers.get(id),
      };
      const idempotency = new IdempotencyStore();
      await app.register(
        async (v1: FastifyInstance) => {
          const api = createStripeApi(v1, { secretKey, idempotency, webhooks: sender, spec, violation });
          registerPaymentIntentRoutes(api, ledger, lookups, { maxSearchClauses });
          registerRefundAndCustomerRoutes(api, ledger, lookups);
        },
        { prefix: '/v1' },
      );

      app.get<{ Querystring: { type?: string } }>('/_sandbox/events', async (request) => {
        const type = request.query.type;
        const data = [...events.values()].reverse().filter((event) => !type || event.type === type);
        return { object: 'list', data };
      });
      app.post<{ Params: { id: string } }>('/_sandbox/events/:id/resend', async (request, reply) => {
        if (sender.resend(request.params.id)) return reply.code(202).send({ resent: request.params.id });
        return reply.code(404).send({ error: `no event ${request.params.id} to resend, or no webhook endpoint set` });
      });
      // Stands in for the customer passing 3-D Secure in Stripe.js (handleNextAction with the client secret).
      app.post<{ Params: { id: string } }>('/_sandbox/payment_intents/:id/authenticate', async (request, reply) => {
        const intent = ledger.intents.get(request.params.id);
        if (!intent) return reply.code(404).send({ error: `no payment intent ${request.params.id}` });
        const changes: PendingEvent[] = [];
        try {
          ledger.authenticate(intent, changes);
        } catch (error) {
          return reply.code(400).send({ error: (error as Error).message });
        }
        // Stripe.js's own request raised these events.
        sender.send(changes, { apiVersion: DEFAULT_API_VERSION, requestId: newId('req', 14), idempotencyKey: null });
        return { id: intent.id, status: intent.status };
      });
      app.get('/_sandbox/webhook-endpoint', async () => ({ url: sender.target() ?? null }));
      app.put<{ Body: { url?: unknown } }>('/_sandbox/webhook-endpoint', async (request, reply) => {
        const url = request.body?.url;
        if (url !== null && typeof url !== 'string') return reply.code(400).send({ error: 'send { "url": "http://127.0.0.1:…" } or { "url": null }' });
        try {
          setWebhookUrl(url ?? undefined);
        } catch (error) {
          return reply.code(400).send({ error: (error as Error).message });
        }
        return { url: sender.target() ?? null };
      });
    },
  };
}

/** Stripe's words for "slow down" (a 429 with code rate_limit) and for its own failures (api_error). */
function stripeFailureBody(status: number, message: string): FailureBody {
  const error =
    status === 429
      ? { type: 'invalid_request_error', code: 'rate_limit', message }
      : { type: 'api_error', message };
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ error }) };
}
