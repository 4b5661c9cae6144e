import { z } from 'zod';
import { IntegrationError, type Accounting } from '../../domain';
import { defineSystem, definePolicies, type Connection } from '../kit/define-system';
import { xeroDoctor } from './doctor';
import { xeroRateLimitHeaders } from './rate-limit-headers';
import { loadXeroSpec } from './sandbox/spec';
import { orderOf, versionedKey } from '../kit/followers';
import { createXeroAdapter, type XeroAdapterOptions } from './adapter';
import { createXeroSandbox, XERO_API_BASE, XERO_SANDBOX_CREDENTIALS, XERO_TOKEN_PATH } from './sandbox';
import { createXeroWebhookSender, invoiceEventPayload, XERO_SANDBOX_WEBHOOK_KEY } from './sandbox/webhooks';
import { XERO_WEBHOOK_PATH, xeroWebhook } from './webhook';
import { documentedGatewayUrl, withSender } from '../../webhooks/sandbox-sender';
import { webhookPluginsOf } from '../../webhooks';

export type { XeroAdapter, XeroAdapterOptions } from './adapter';

/** Read-cache lifetime of invoice reads: a payment shows within this. */
const CACHE_TTL_MS = 30_000;

export const XERO_POLICIES = definePolicies<Accounting>({
  findInvoicesByOrderIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS },
  upsertInvoice: { kind: 'write' },
});

/** How the adapter reaches Xero: the Accounting API's base, the identity server's token URL, a custom connection. */
export type XeroConnection = Connection &
  XeroAdapterOptions & {
    readonly tokenUrl: string;
    /** The app's webhook key its deliveries are signed with; without one, no Xero webhooks are taken. */
    readonly webhookKey?: string;
  };

/** The port this system serves, by its name in the estate's port set. */
export const accountingOf = (ports: { readonly [port: string]: unknown }): Accounting | undefined => ports['accounting'] as Accounting | undefined;

/**
 * Accounting: Xero's Accounting API (a custom connection: client credentials, one organisation). Follows the order:
 * one sales invoice per placed order, voided when the order is cancelled; owns what is invoiced and paid
 * (`Order.invoice` in the graph, from subgraphs/xero).
 */
export const xeroSystem = defineSystem<XeroConnection>({
  name: 'xero',
  kind: 'accounting',
  title: 'Accounting (Xero Accounting API)',
  auth: 'oauth2-client-credentials',
  format: 'json',
  imitates: { latencyMs: [100, 300], vendor: 'Xero', api: 'Xero Accounting API (Invoices; custom connection, client credentials)', reference: 'https://developer.xero.com/documentation/api/accounting/invoices' },
  subgraph: { name: 'xero', port: 4008 },
  cacheTtlMs: CACHE_TTL_MS,
  settings: {
    XERO_URL: { schema: z.string().url().optional(), doc: 'Base URL of the Xero Accounting API (https://api.xero.com/api.xro/2.0).', required: true },
    XERO_TOKEN_URL: { schema: z.string().url().default('https://identity.xero.com/connect/token'), doc: 'Token endpoint of Xero\'s identity server.' },
    XERO_CLIENT_ID: { schema: z.string().optional(), doc: 'Client id of the Xero custom connection.', required: true },
    XERO_CLIENT_SECRET: { schema: z.string().optional(), doc: 'Client secret of the Xero custom connection.', required: true },
    XERO_TENANT_ID: { schema: z.string().optional(), doc: 'The Xero organisation (sent as xero-tenant-id).', required: true },
    XERO_WEBHOOK_KEY: {
      schema: z.string().min(1).optional(),
      doc: "The webhook key of the Xero app (its Webhooks page) whose invoice events are sent to POST /webhooks/xero (x-xero-signature). Unset with PLUGBOARD_SANDBOXES=off: no endpoint (404).",
    },
  },
  connect: (settings) => {
    const webhookKey = settings.get<string | undefined>('XERO_WEBHOOK_KEY');
    return {
      baseUrl: settings.get('XERO_URL'),
      tokenUrl: settings.get('XERO_TOKEN_URL'),
      clientId: settings.get('XERO_CLIENT_ID'),
      clientSecret: settings.get('XERO_CLIENT_SECRET'),
      tenantId: settings.get('XERO_TENANT_ID'),
      ...(webhookKey ? { webhookKey } : {}),
    };
  },
  environmentOf: (connection) => ({
    XERO_URL: connection.baseUrl,
    XERO_TOKEN_URL: connection.tokenUrl,
    XERO_CLIENT_ID: connection.clientId,
    XERO_CLIENT_SECRET: connection.clientSecret,
    XERO_TENANT_ID: connection.tenantId,
    ...(connection.webhookKey ? { XERO_WEBHOOK_KEY: connection.webhookKey } : {}),
  }),
  sandbox: {
    port: 4107,
    connection: (url) => ({ baseUrl: `${url}${XERO_API_BASE}`, tokenUrl: `${url}${XERO_TOKEN_PATH}`, ...XERO_SANDBOX_CREDENTIALS, webhookKey: XERO_SANDBOX_WEBHOOK_KEY }),
    create: ({ estate, ports, tuning }) => {
      // The sandbox sends Xero-signed invoice events to the gateway once it listens (POST /_sandbox/webhooks/send).
      const webhooks = createXeroWebhookSender();
      webhooks.setTarget(documentedGatewayUrl({ ports, tuning }, XERO_WEBHOOK_PATH));
      let sequence = 0;
      const sandbox = createXeroSandbox({
        estate,
        // Each invoice made or changed through the API is sent as Xero sends it.
        onInvoiceSaved: (invoice, eventType) =>
          webhooks.sendLater(JSON.stringify(invoiceEventPayload(invoice, eventType, XERO_SANDBOX_CREDENTIALS.tenantId, (sequence += 1)))),
      });
      return { definition: withSender(sandbox, webhooks), onGatewayOrigin: (origin) => webhooks.setTarget(`${origin}${XERO_WEBHOOK_PATH}`) };
    },
  },
  doctor: xeroDoctor,
  rateLimitHeaders: xeroRateLimitHeaders,
  description: loadXeroSpec,
  serve: ({ connection, resilience }) => {
    const adapter = createXeroAdapter(connection);
    return { ports: { accounting: resilience.wrap<Accounting>('xero', adapter, XERO_POLICIES) }, close: async () => adapter[Symbol.asyncDispose]() };
  },
  // Invoice events in: they carry no data and name Xero's invoice id, the read cache is keyed by our order id, so every
  // cached invoice read is dropped (and the gateway's answers made from them end); the next read asks Xero.
  gatewayPlugins: ({ connection, services, invalidate }) =>
    webhookPluginsOf(connection.webhookKey, services, {
      system: 'xero',
      path: XERO_WEBHOOK_PATH,
      vendor: (key) => xeroWebhook(key, connection.tenantId),
      apply: () => invalidate('findInvoicesByOrderIds'),
    }),
  followers: ({ ports, invalidate }) => ({
    // The order's invoice, as the store holds the order when the job runs: made once, voided on cancellation.
    'xero:upsertOrder': async (job) => {
      const accounting = accountingOf(ports);
      if (!accounting) throw new Error('xero: the accounting port is not served in this process');
      const order = await orderOf(ports, job);
      const customer = (await ports.store!.findCustomersByIds([order.customerId])).get(order.customerId);
      if (!customer) throw new IntegrationError('UPSTREAM_REJECTED', `store: no customer ${order.customerId}`, { system: 'store' });
      await accounting.upsertInvoice({ order, customer, idempotencyKey: versionedKey(job, order.updatedAt) });
      await invalidate('xero', 'findInvoicesByOrderIds', [order.id]);
    },
  }),
});
