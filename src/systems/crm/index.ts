import { z } from 'zod';
import type { CustomerDirectory } from '../../domain';
import { defineSystem, definePolicies } from '../kit/define-system';
import { crmDoctor } from './doctor';
import { crmRateLimitHeaders } from './rate-limit-headers';
import { customerOf, versionedKey } from '../kit/followers';
import { createCrmAdapter, crmAuthOf, type CrmAdapterOptions } from './adapter';
import { CRM_SANDBOX_CREDENTIALS, createCrmSandbox } from './sandbox';
import { createCrmWebhookSender, propertyChangeEvents } from './sandbox/webhooks';
import { CRM_WEBHOOK_PATH, crmWebhook } from './webhook';
import { documentedGatewayUrl, withSender } from '../../webhooks/sandbox-sender';
import { webhookPluginsOf } from '../../webhooks';

/** The connection to the CRM: with the client secret its webhooks are signed with, when they are taken. */
export type CrmConnection = CrmAdapterOptions & {
  /** The HubSpot app's client secret its webhook deliveries are signed with; without one, no CRM webhooks are taken. */
  readonly webhookSecret?: string;
};

/** Read-cache lifetime of the CRM's reads: segments and lifetime value change slowly. */
const CACHE_TTL_MS = 30_000;

export const CRM_POLICIES = definePolicies<CustomerDirectory>({
  findByCustomerIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS },
  upsertProfile: { kind: 'write' },
  updateSegment: { kind: 'write' },
});

/** The CRM: HubSpot CRM v3 contacts (a private app's token, or OAuth refresh tokens); follows the customer profile, owns segment and lifetime value. */
export const crmSystem = defineSystem<CrmConnection>({
  name: 'crm',
  kind: 'crm',
  title: 'CRM (HubSpot CRM v3 contacts)',
  auth: 'oauth2-refresh-token',
  format: 'json',
  imitates: { latencyMs: [80, 250], vendor: 'HubSpot', api: 'HubSpot CRM API v3 (contacts: batch read and upsert by a unique property)', reference: 'https://developers.hubspot.com/docs/api/crm/contacts', batchLimit: { keys: 100, source: 'https://developers.hubspot.com/docs/api/crm/contacts (Batch read: 100 inputs a request)' } },
  subgraph: { name: 'crm', port: 4002 },
  cacheTtlMs: CACHE_TTL_MS,
  settings: {
    CRM_URL: { schema: z.string().url().optional(), doc: 'Base URL of the CRM (HubSpot: https://api.hubapi.com).', required: true },
    CRM_ACCESS_TOKEN: { schema: z.string().optional(), doc: "A HubSpot private app's access token; or give the three OAuth settings." },
    CRM_CLIENT_ID: { schema: z.string().optional(), doc: "The HubSpot OAuth app's client id (with CRM_CLIENT_SECRET and CRM_REFRESH_TOKEN)." },
    CRM_CLIENT_SECRET: { schema: z.string().optional(), doc: "The HubSpot OAuth app's client secret." },
    CRM_REFRESH_TOKEN: { schema: z.string().optional(), doc: "The refresh token the OAuth app's installation in the portal gave." },
    CRM_WEBHOOK_SECRET: {
      schema: z.string().min(1).optional(),
      doc: "The client secret of the HubSpot app whose webhook subscriptions (contact.propertyChange) send to POST /webhooks/crm (X-HubSpot-Signature-v3). Unset with PLUGBOARD_SANDBOXES=off: no endpoint (404).",
    },
  },
  connect: (settings) => {
    const connection = {
      baseUrl: settings.get('CRM_URL'),
      accessToken: settings.get('CRM_ACCESS_TOKEN'),
      clientId: settings.get('CRM_CLIENT_ID'),
      clientSecret: settings.get('CRM_CLIENT_SECRET'),
      refreshToken: settings.get('CRM_REFRESH_TOKEN'),
    };
    crmAuthOf(connection);
    const webhookSecret = settings.get<string | undefined>('CRM_WEBHOOK_SECRET');
    return { ...connection, ...(webhookSecret ? { webhookSecret } : {}) };
  },
  environmentOf: (connection) => {
    const entries = {
      CRM_URL: connection.baseUrl,
      CRM_ACCESS_TOKEN: connection.accessToken,
      CRM_CLIENT_ID: connection.clientId,
      CRM_CLIENT_SECRET: connection.clientSecret,
      CRM_REFRESH_TOKEN: connection.refreshToken,
      CRM_WEBHOOK_SECRET: connection.webhookSecret,
    };
    return Object.fromEntries(Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined));
  },
  sandbox: {
    port: 4101,
    // The demo takes the OAuth route, so that its token endpoint and renewals are exercised.
    connection: (url) => {
      const { clientId, clientSecret, refreshToken } = CRM_SANDBOX_CREDENTIALS;
      // HubSpot signs an app's webhooks with the app's client secret.
      return { baseUrl: url, clientId, clientSecret, refreshToken, webhookSecret: clientSecret };
    },
    create: ({ estate, tuning, ports }) => {
      // The sandbox sends HubSpot-signed contact events to the gateway once it listens (POST /_sandbox/webhooks/send).
      const webhooks = createCrmWebhookSender(CRM_SANDBOX_CREDENTIALS.clientSecret);
      webhooks.setTarget(documentedGatewayUrl({ ports, tuning }, CRM_WEBHOOK_PATH));
      // HubSpot's event ids are large numbers; these never repeat across restarts of a kept data directory.
      let eventId = Date.now() * 1000;
      const definition = createCrmSandbox(estate, {
        // Each property a write changes is sent as HubSpot sends it (up to 100 events a delivery).
        onPropertiesChanged: (contact, changed, at) =>
          webhooks.sendLater(JSON.stringify(propertyChangeEvents(contact.id, changed, at, () => (eventId += 1)).slice(0, 100))),
        tokenTtlSeconds: (tuning['crmTokenTtlSeconds'] as number | undefined) ?? 1800,
        // The demo page and the benchmark read far more than 100 calls per 10 s from one process; HubSpot's own
        // limit is the sandbox's default, and its tests (src/systems/crm/adapter.test.ts) run against it.
        rateLimit: { max: 100_000 },
      });
      return { definition: withSender(definition, webhooks), onGatewayOrigin: (origin) => webhooks.setTarget(`${origin}${CRM_WEBHOOK_PATH}`) };
    },
  },
  doctor: crmDoctor,
  rateLimitHeaders: crmRateLimitHeaders,
  serve: ({ connection, resilience }) => {
    const adapter = createCrmAdapter(connection);
    return { ports: { directory: resilience.wrap<CustomerDirectory>('crm', adapter, CRM_POLICIES) }, close: async () => adapter[Symbol.asyncDispose]() };
  },
  // Contact changes in: the event names HubSpot's contact id, the read cache is keyed by ours, so every cached read of
  // the CRM is dropped (and the gateway's answers made from them end).
  gatewayPlugins: ({ connection, services, invalidate }) =>
    webhookPluginsOf(connection.webhookSecret, services, { system: 'crm', path: CRM_WEBHOOK_PATH, vendor: crmWebhook, apply: () => invalidate('findByCustomerIds') }),
  followers: ({ ports, invalidate }) => ({
    'crm:upsertProfile': async (job) => {
      const current = await customerOf(ports, job);
      await ports.directory!.upsertProfile({ customer: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await invalidate('crm', 'findByCustomerIds', [current.id]);
    },
  }),
});
