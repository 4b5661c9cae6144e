import { z } from 'zod';
import type { PaymentGateway } from '../../domain';
import type { Alerts } from '../../alerts';
import type { IntegrationLog } from '../../audit/integration-log';
import type { Database } from '../../db';
import { DEFAULT_WEBHOOK_TOLERANCE_S, PAYMENTS_WEBHOOK_PATH, usePaymentsWebhook } from './webhook';
import { defineSystem, definePolicies } from '../kit/define-system';
import { paymentsDoctor } from './doctor';
import { field } from '../kit/followers';
import { createPaymentsAdapter, type PaymentsAdapterOptions } from './adapter';
import { createPaymentsSandbox, PAYMENTS_SANDBOX_CREDENTIALS } from './sandbox';

/** Read-cache lifetime of payments: webhooks drop a changed one at once; this bounds a missed event. */
const CACHE_TTL_MS = 5_000;

/** Payment search clauses per call in the demo: the sandbox allows what the adapter sends (Stripe itself allows 10). */
export const DEMO_MAX_SEARCH_CLAUSES = 500;

const maxSearchClausesOf = (tuning: Readonly<Record<string, unknown>>): number =>
  (tuning['maxSearchClauses'] as number | undefined) ?? DEMO_MAX_SEARCH_CLAUSES;

export const PAYMENTS_POLICIES = definePolicies<PaymentGateway>({
  findByOrderIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS },
  createPayment: { kind: 'write' },
  confirmPayment: { kind: 'write' },
  capturePayment: { kind: 'write' },
  cancelPayment: { kind: 'write' },
  refundPayment: { kind: 'write' },
});

/** The connection to the payment gateway: with the signing secret of our webhook endpoint, when there is one. */
export interface PaymentsConnection extends PaymentsAdapterOptions {
  /** Signing secret of our webhook endpoint; without one, the gateway takes no payment webhooks. */
  readonly webhookSecret?: string;
}

/** The payment gateway: Stripe (payment intents, captures, refunds, search, signed webhooks). Owns payments. */
export const paymentsSystem = defineSystem<PaymentsConnection>({
  name: 'payments',
  kind: 'payment-gateway',
  title: 'Payment gateway (Stripe wire format)',
  auth: 'api-key',
  format: 'form',
  imitates: { latencyMs: [50, 200], vendor: 'Stripe', api: 'Stripe API (PaymentIntents, captures, refunds, search, signed webhooks)', reference: 'https://docs.stripe.com/api', batchLimit: { keys: 10, source: 'https://docs.stripe.com/search#search-query-language: at most 10 clauses in one query' } },
  subgraph: { name: 'payments', port: 4004 },
  // Secret and restricted keys (sk_/rk_ test or live), webhook signing secrets (whsec_), a PaymentIntent's client secret.
  // A PaymentMethod id, as Stripe.js hands it to the checkout: refused at the edge otherwise, naming input.paymentMethod.
  inputRules: { paymentMethod: { pattern: /^pm_[A-Za-z0-9_]{1,200}$/, message: 'must be a payment method id, "pm_" then letters, digits or underscores' } },
  redaction: { patterns: [/\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9]+/g, /\bwhsec_[A-Za-z0-9+/=]+/g, /\b\w+_secret_[A-Za-z0-9]+/g] },
  cacheTtlMs: CACHE_TTL_MS,
  settings: {
    PAYMENTS_URL: { schema: z.string().url().optional(), doc: 'Base URL of the payment gateway (Stripe wire format).', required: true },
    PAYMENTS_SECRET_KEY: { schema: z.string().optional(), doc: 'Payment gateway secret key.', required: true },
    PAYMENTS_WEBHOOK_SECRET: {
      schema: z.string().min(1).optional(),
      doc: 'Signing secret (whsec_…) of our webhook endpoint at the payment gateway; POST /webhooks/payments refuses what it did not sign. Unset with PLUGBOARD_SANDBOXES=off: no webhook endpoint.',
    },
    PLUGBOARD_WEBHOOK_TOLERANCE_S: {
      schema: z.coerce.number().int().min(1).max(86_400).default(DEFAULT_WEBHOOK_TOLERANCE_S),
      doc: 'Oldest webhook signature accepted, in seconds (Stripe\'s default, 300): an older one is refused as WEBHOOK_TOO_OLD.',
    },
    PAYMENTS_MAX_SEARCH_CLAUSES: {
      schema: z.coerce.number().int().min(1).max(1000).default(10),
      doc: 'OR clauses per payment search (Stripe allows 10; the sandbox is started with 500 in the demo).',
    },
    PAYMENTS_TEST_PAYMENT_METHOD: {
      schema: z.string().regex(/^pm_[A-Za-z0-9_]+$/, 'expected a PaymentMethod id such as pm_card_visa').optional(),
      doc: "A Stripe test payment method (pm_card_visa) a payment is created with when checkout sends none, so the server can confirm it: test mode only, refused with a live key. Unset (live): a payment without a method waits for the client's Stripe.js.",
    },
  },
  connect: (settings) => {
    const webhookSecret = settings.get<string | undefined>('PAYMENTS_WEBHOOK_SECRET');
    const testPaymentMethod = settings.get<string | undefined>('PAYMENTS_TEST_PAYMENT_METHOD');
    return {
      baseUrl: settings.get('PAYMENTS_URL'),
      secretKey: settings.get('PAYMENTS_SECRET_KEY'),
      maxSearchClauses: settings.get<number>('PAYMENTS_MAX_SEARCH_CLAUSES'),
      ...(webhookSecret ? { webhookSecret } : {}),
      ...(testPaymentMethod ? { testPaymentMethod } : {}),
    };
  },
  environmentOf: (connection) => ({
    PAYMENTS_URL: connection.baseUrl,
    PAYMENTS_SECRET_KEY: connection.secretKey,
    PAYMENTS_MAX_SEARCH_CLAUSES: String(connection.maxSearchClauses ?? 10),
    ...(connection.webhookSecret ? { PAYMENTS_WEBHOOK_SECRET: connection.webhookSecret } : {}),
    ...(connection.testPaymentMethod ? { PAYMENTS_TEST_PAYMENT_METHOD: connection.testPaymentMethod } : {}),
  }),
  sandbox: {
    port: 4103,
    connection: (url, { tuning }) => ({
      baseUrl: url,
      secretKey: PAYMENTS_SANDBOX_CREDENTIALS.secretKey,
      maxSearchClauses: maxSearchClausesOf(tuning),
      webhookSecret: PAYMENTS_SANDBOX_CREDENTIALS.webhookSecret,
      // The sandbox is test mode: a payment placed without a method is confirmed with Stripe's test card.
      testPaymentMethod: 'pm_card_visa',
    }),
    create: ({ estate, ports, tuning }) => {
      const maxSearchClauses = maxSearchClausesOf(tuning);
      const webhookUrl = tuning['paymentsWebhookUrl'] as string | undefined;
      // With fixed ports (`npm run sandboxes` beside `npm run gateway`) the webhooks go to the gateway's documented port.
      const gatewayPort = tuning['gatewayPort'] as number | undefined;
      const definition = createPaymentsSandbox(estate, {
        maxSearchClauses,
        webhookUrl: webhookUrl ?? (ports === 'fixed' && gatewayPort ? `http://127.0.0.1:${gatewayPort}${PAYMENTS_WEBHOOK_PATH}` : undefined),
      });
      return {
        definition,
        onGatewayOrigin: (origin) => definition.setWebhookUrl(`${origin}${PAYMENTS_WEBHOOK_PATH}`),
      };
    },
  },
  doctor: paymentsDoctor,
  // No `description`: compiling Stripe's (some 500 schemas reached from a payment intent) took 0.7 s to load and 2.5 s
  // for the first answer, measured, on the serving thread. Its answers are held to their own past shape by the
  // autopilot, and to Stripe's description by the sandbox and stripe-spec.test.ts (docs/autopilot.md).
  serve: ({ connection, resilience }) => {
    const adapter = createPaymentsAdapter(connection);
    return { ports: { payments: resilience.wrap<PaymentGateway>('payments', adapter, PAYMENTS_POLICIES) }, close: async () => adapter[Symbol.asyncDispose]() };
  },
  // Payment webhooks in: the payment gateway owns payments and the site keeps no copy, so an event drops the cached one.
  // Without a signing secret (PLUGBOARD_SANDBOXES=off and no PAYMENTS_WEBHOOK_SECRET) there is no endpoint.
  gatewayPlugins: ({ connection, settings, services, invalidate }) => {
    if (!connection.webhookSecret) return [];
    const { db, integrationLog, alerts } = services as { db: Database; integrationLog: IntegrationLog; alerts: Alerts };
    return [
      usePaymentsWebhook({
        secret: connection.webhookSecret,
        toleranceSeconds: settings.get<number>('PLUGBOARD_WEBHOOK_TOLERANCE_S'),
        db,
        integrationLog,
        onPaymentChanged: (orderId) => invalidate('findByOrderIds', [orderId]),
        onUnusable: async (event) => {
          await alerts.raise({ kind: 'webhook-unusable', system: 'payments', eventId: event.id, eventType: event.type, reason: event.reason });
        },
      }),
    ];
  },
  followers: ({ ports, invalidate }) => ({
    // A payment placeOrder could not undo at once: refunded when captured, else cancelled.
    'payments:voidForOrder': async (job) => {
      const orderId = field(job, 'orderId');
      const payments = ports.payments!;
      const payment = (await payments.findByOrderIds([orderId])).get(orderId);
      if (!payment || payment.status === 'CANCELED') return;
      if (payment.status === 'SUCCEEDED') {
        if (payment.refunded.minor < payment.amount.minor) {
          await payments.refundPayment({ paymentId: payment.id, idempotencyKey: job.idempotencyKey });
        }
      } else {
        await payments.cancelPayment({ paymentId: payment.id, idempotencyKey: job.idempotencyKey });
      }
      await invalidate('payments', 'findByOrderIds', [orderId]);
    },
  }),
});
