import { z } from 'zod';
import type { CustomerDirectory } from '../../domain';
import { defineSystem, definePolicies } from '../kit/define-system';
import { customerOf, versionedKey } from '../kit/followers';
import { createCrmAdapter, type CrmAdapterOptions } from './adapter';
import { CRM_SANDBOX_CREDENTIALS, createCrmSandbox } from './sandbox';

/** Read-cache lifetime of the CRM's reads: segments and lifetime value change slowly. */
const CACHE_TTL_MS = 30_000;

export const CRM_POLICIES = definePolicies<CustomerDirectory>({
  findByCustomerIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS },
  upsertProfile: { kind: 'write' },
  updateSegment: { kind: 'write' },
});

/** The CRM: HubSpot CRM v3 contacts; follows the customer profile, owns segment and lifetime value. */
export const crmSystem = defineSystem<CrmAdapterOptions>({
  name: 'crm',
  kind: 'crm',
  title: 'CRM (HubSpot-style objects API)',
  auth: 'oauth2-client-credentials',
  format: 'json',
  cacheTtlMs: CACHE_TTL_MS,
  settings: {
    CRM_URL: { schema: z.string().url().optional(), doc: 'Base URL of the CRM.', required: true },
    CRM_CLIENT_ID: { schema: z.string().optional(), doc: 'OAuth2 client id for the CRM.', required: true },
    CRM_CLIENT_SECRET: { schema: z.string().optional(), doc: 'OAuth2 client secret for the CRM.', required: true },
  },
  connect: (settings) => ({ baseUrl: settings.get('CRM_URL'), clientId: settings.get('CRM_CLIENT_ID'), clientSecret: settings.get('CRM_CLIENT_SECRET') }),
  environmentOf: (connection) => ({ CRM_URL: connection.baseUrl, CRM_CLIENT_ID: connection.clientId, CRM_CLIENT_SECRET: connection.clientSecret }),
  sandbox: {
    port: 4101,
    connection: (url) => ({ baseUrl: url, ...CRM_SANDBOX_CREDENTIALS }),
    create: ({ estate, tuning }) => ({
      definition: createCrmSandbox(estate, { tokenTtlSeconds: (tuning['crmTokenTtlSeconds'] as number | undefined) ?? 1800 }),
    }),
  },
  serve: ({ connection, resilience }) => {
    const adapter = createCrmAdapter(connection);
    return { ports: { directory: resilience.wrap<CustomerDirectory>('crm', adapter, CRM_POLICIES) }, close: async () => adapter[Symbol.asyncDispose]() };
  },
  followers: ({ ports, invalidate }) => ({
    'crm:upsertProfile': async (job) => {
      const current = await customerOf(ports, job);
      await ports.directory!.upsertProfile({ customer: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await invalidate('crm', 'findByCustomerIds', [current.id]);
    },
  }),
});
