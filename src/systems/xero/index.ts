import { z } from 'zod';
import { IntegrationError, type Accounting } from '../../domain';
import { defineSystem, definePolicies, type Connection } from '../kit/define-system';
import { xeroDoctor } from './doctor';
import { xeroRateLimitHeaders } from './rate-limit-headers';
import { loadXeroSpec } from './sandbox/spec';
import { orderOf, versionedKey } from '../kit/followers';
import { createXeroAdapter, type XeroAdapterOptions } from './adapter';
import { createXeroSandbox, XERO_API_BASE, XERO_SANDBOX_CREDENTIALS, XERO_TOKEN_PATH } from './sandbox';

export type { XeroAdapter, XeroAdapterOptions } from './adapter';

/** Read-cache lifetime of invoice reads: a payment shows within this. */
const CACHE_TTL_MS = 30_000;

export const XERO_POLICIES = definePolicies<Accounting>({
  findInvoicesByOrderIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS },
  upsertInvoice: { kind: 'write' },
});

/** How the adapter reaches Xero: the Accounting API's base, the identity server's token URL, a custom connection. */
export type XeroConnection = Connection & XeroAdapterOptions & { readonly tokenUrl: string };

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
  },
  connect: (settings) => ({
    baseUrl: settings.get('XERO_URL'),
    tokenUrl: settings.get('XERO_TOKEN_URL'),
    clientId: settings.get('XERO_CLIENT_ID'),
    clientSecret: settings.get('XERO_CLIENT_SECRET'),
    tenantId: settings.get('XERO_TENANT_ID'),
  }),
  environmentOf: (connection) => ({
    XERO_URL: connection.baseUrl,
    XERO_TOKEN_URL: connection.tokenUrl,
    XERO_CLIENT_ID: connection.clientId,
    XERO_CLIENT_SECRET: connection.clientSecret,
    XERO_TENANT_ID: connection.tenantId,
  }),
  sandbox: {
    port: 4107,
    connection: (url) => ({ baseUrl: `${url}${XERO_API_BASE}`, tokenUrl: `${url}${XERO_TOKEN_PATH}`, ...XERO_SANDBOX_CREDENTIALS }),
    create: ({ estate }) => ({ definition: createXeroSandbox({ estate }) }),
  },
  doctor: xeroDoctor,
  rateLimitHeaders: xeroRateLimitHeaders,
  description: loadXeroSpec,
  serve: ({ connection, resilience }) => {
    const adapter = createXeroAdapter(connection);
    return { ports: { accounting: resilience.wrap<Accounting>('xero', adapter, XERO_POLICIES) }, close: async () => adapter[Symbol.asyncDispose]() };
  },
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
