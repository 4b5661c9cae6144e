import { z } from 'zod';
import type { LegacyStore } from '../../domain';
import { defineSystem, definePolicies } from '../kit/define-system';
import { legacyDoctor } from './doctor';
import { customerOf, orderOf, versionedKey } from '../kit/followers';
import { createLegacyAdapter, type LegacyAdapterOptions } from './adapter';
import { createLegacySandbox, LEGACY_SANDBOX_CREDENTIALS } from './sandbox';

/** Read-cache lifetime of the legacy shop's reads: it is only compared against, never served first. */
const CACHE_TTL_MS = 60_000;

export const LEGACY_POLICIES = definePolicies<LegacyStore>({
  findCustomersByIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS },
  findOrdersByIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS },
  // Reconciliation reads a day's changes as they are now: never from a cache.
  listCustomersChangedOn: { kind: 'read' },
  listOrdersChangedOn: { kind: 'read' },
  saveCustomer: { kind: 'write' },
  saveOrder: { kind: 'write' },
});

/** The legacy shop being replaced: a WooCommerce store, through its REST API v3, for shadow mode and reconciliation. */
export const legacySystem = defineSystem<LegacyAdapterOptions>({
  name: 'legacy',
  kind: 'legacy-store',
  title: 'Legacy store (being replaced)',
  auth: 'basic',
  format: 'json',
  imitates: {
    latencyMs: [100, 300],
    vendor: 'WooCommerce',
    api: 'WooCommerce REST API v3 (/wp-json/wc/v3: customers and orders; REST API key over HTTPS as HTTP Basic)',
    reference: 'https://woocommerce.github.io/woocommerce-rest-api-docs/',
  },
  subgraph: { name: 'legacy', port: 4006 },
  cacheTtlMs: CACHE_TTL_MS,
  settings: {
    LEGACY_URL: { schema: z.string().url().optional(), doc: 'URL of the legacy WooCommerce shop (its REST API answers below it, at /wp-json/wc/v3); HTTPS.', required: true },
    LEGACY_USERNAME: { schema: z.string().optional(), doc: 'Consumer key (ck_...) of a WooCommerce REST API key (read/write for shadow mode), sent as the HTTP Basic user.', required: true },
    LEGACY_PASSWORD: { schema: z.string().optional(), doc: 'Consumer secret (cs_...) of that REST API key, sent as the HTTP Basic password.', required: true },
  },
  connect: (settings) => ({ baseUrl: settings.get('LEGACY_URL'), username: settings.get('LEGACY_USERNAME'), password: settings.get('LEGACY_PASSWORD') }),
  environmentOf: (connection) => ({ LEGACY_URL: connection.baseUrl, LEGACY_USERNAME: connection.username, LEGACY_PASSWORD: connection.password }),
  sandbox: {
    port: 4106,
    connection: (url) => ({ baseUrl: url, ...LEGACY_SANDBOX_CREDENTIALS }),
    create: ({ estate }) => ({ definition: createLegacySandbox(estate) }),
  },
  doctor: legacyDoctor,
  serve: ({ connection, resilience }) => {
    const adapter = createLegacyAdapter(connection);
    return { ports: { legacy: resilience.wrap<LegacyStore>('legacy', adapter, LEGACY_POLICIES) }, close: async () => adapter[Symbol.asyncDispose]() };
  },
  // Shadow mode: the legacy shop gets the site's record as it stands, stamped with the site's change time.
  followers: ({ ports, invalidate }) => ({
    'legacy:saveCustomer': async (job) => {
      const current = await customerOf(ports, job);
      await ports.legacy!.saveCustomer({ customer: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await invalidate('legacy', 'findCustomersByIds', [current.id]);
    },
    'legacy:saveOrder': async (job) => {
      const current = await orderOf(ports, job);
      await ports.legacy!.saveOrder({ order: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await invalidate('legacy', 'findOrdersByIds', [current.id]);
    },
  }),
});
