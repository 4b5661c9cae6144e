import type { CallOptions, CrmProfile, CustomerDirectory } from '../../../domain';
import { pathOf, validate, type CallSite } from '../../kit/adapter';
import { createCrmClient } from './client';
import {
  CONTACT_PROPERTIES,
  CUSTOMER_ID_PROPERTY,
  LIFECYCLE_STAGE_OF,
  profileFromContact,
  propertiesFromCustomer,
} from './mapper';
import { batchReadSchema, contactSchema } from './schema';

export interface CrmAdapterOptions {
  /** Where the CRM's API answers, e.g. "https://api.hubapi.com". */
  readonly baseUrl: string;
  /** OAuth2 client credentials of our app in the CRM. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The system's name in the integration map; errors carry it. @default 'crm' */
  readonly system?: string;
  /** Customer ids per batch read; HubSpot accepts at most 100. @default 100 */
  readonly batchSize?: number;
  /** The portal's currency, in which HubSpot holds `total_revenue`. @default 'EUR' */
  readonly currency?: string;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
}

const CONTACTS = ['crm', 'v3', 'objects', 'contacts'] as const;
const MAX_BATCH_SIZE = 100;

/**
 * The CRM (HubSpot CRM v3) as our CustomerDirectory: contacts looked up by the unique property
 * `plugboard_customer_id`, profile and segment written with PATCH by that property (create on 404).
 */
export function createCrmAdapter(options: CrmAdapterOptions): CustomerDirectory & AsyncDisposable {
  const system = options.system ?? 'crm';
  const batchSize = options.batchSize ?? MAX_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`crm adapter: batchSize must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
  }
  const currency = options.currency ?? 'EUR';
  const client = createCrmClient({
    system,
    baseUrl: options.baseUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    maxResponseBytes: options.maxResponseBytes,
  });

  const byCustomerId = (site: CallSite, customerId: string): string =>
    `${pathOf(site, ...CONTACTS, customerId)}?${new URLSearchParams({ idProperty: CUSTOMER_ID_PROPERTY })}`;

  const profileOf = (site: CallSite, body: unknown): CrmProfile =>
    profileFromContact(validate(site, contactSchema, body), currency, site);

  return {
    async findByCustomerIds(keys, callOptions?: CallOptions) {
      const site: CallSite = { system, operation: 'findByCustomerIds' };
      const wanted = [...new Set(keys)];
      const chunks: string[][] = [];
      for (let start = 0; start < wanted.length; start += batchSize) {
        chunks.push(wanted.slice(start, start + batchSize));
      }
      const answers = await Promise.all(
        chunks.map((ids) =>
          client.call({
            operation: site.operation,
            method: 'POST',
            path: `${pathOf(site, ...CONTACTS, 'batch', 'read')}?archived=false`,
            body: {
              idProperty: CUSTOMER_ID_PROPERTY,
              properties: CONTACT_PROPERTIES,
              propertiesWithHistory: [],
              inputs: ids.map((id) => ({ id })),
            },
            // 207: some ids were not found; the ones found are in `results` all the same.
            accept: [207],
            signal: callOptions?.signal,
          }),
        ),
      );
      const asked = new Set(wanted);
      const found = new Map<string, CrmProfile>();
      for (const answer of answers) {
        for (const contact of validate(site, batchReadSchema, answer.body).results) {
          const profile = profileFromContact(contact, currency, site);
          if (asked.has(profile.customerId)) found.set(profile.customerId, profile);
        }
      }
      return found;
    },

    async upsertProfile({ customer, idempotencyKey }, callOptions?: CallOptions) {
      const site: CallSite = { system, operation: 'upsertProfile' };
      const properties = propertiesFromCustomer(customer);
      // Two writes under one caller key: each gets its own derived key, so a retry replays both answers.
      const updated = await client.call({
        operation: site.operation,
        method: 'PATCH',
        path: byCustomerId(site, customer.id),
        body: { properties },
        idempotencyKey: `${idempotencyKey}:update`,
        accept: [404],
        signal: callOptions?.signal,
      });
      if (updated.status !== 404) return profileOf(site, updated.body);
      const created = await client.call({
        operation: site.operation,
        method: 'POST',
        path: pathOf(site, ...CONTACTS),
        body: {
          properties: { ...properties, [CUSTOMER_ID_PROPERTY]: customer.id, lifecyclestage: LIFECYCLE_STAGE_OF.LEAD },
        },
        idempotencyKey: `${idempotencyKey}:create`,
        signal: callOptions?.signal,
      });
      return profileOf(site, created.body);
    },

    async updateSegment({ customerId, segment, idempotencyKey }, callOptions?: CallOptions) {
      const site: CallSite = { system, operation: 'updateSegment' };
      const updated = await client.call({
        operation: site.operation,
        method: 'PATCH',
        path: byCustomerId(site, customerId),
        body: { properties: { lifecyclestage: LIFECYCLE_STAGE_OF[segment] } },
        idempotencyKey,
        signal: callOptions?.signal,
      });
      return profileOf(site, updated.body);
    },

    [Symbol.asyncDispose]: () => client.close(),
  };
}
