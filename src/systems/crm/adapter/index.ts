import type { CallOptions, CrmProfile, CustomerDirectory } from '../../../domain';
import { pathOf, validate, type CallSite, type HttpResponse } from '../../kit/adapter';
import { errorFromHubSpot } from './errors';
import { createCrmClient, type CrmAuth } from './client';
import { adoptExisting } from './adopt';
import { CONTACT_PROPERTIES, CUSTOMER_ID_PROPERTY, LIFECYCLE_STAGE_OF, profileFromContact, propertiesFromCustomer } from './mapper';
import { batchReadSchema, batchUpsertSchema, contactSchema } from './schema';

export type { CrmAuth } from './client';

export interface CrmAdapterOptions {
  /** Where the CRM's API answers, e.g. "https://api.hubapi.com". */
  readonly baseUrl: string;
  /** A private app's access token (`pat-…`). Give this, or the three OAuth settings below. */
  readonly accessToken?: string | undefined;
  /** The OAuth app's client id, its secret, and the refresh token its installation in the portal gave. */
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  readonly refreshToken?: string | undefined;
  /** The system's name in the integration map; errors carry it. @default 'crm' */
  readonly system?: string;
  /** Customer ids per batch read; HubSpot accepts at most 100. @default 100 */
  readonly batchSize?: number;
  /** The portal's currency, in which HubSpot holds `total_revenue`. @default 'EUR' */
  readonly currency?: string;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
  /** Our clock, for token lifetimes and rate-limit windows. @default Date.now */
  readonly now?: () => number;
  /** Waits when HubSpot's rate limit says so. @default a timer the call's signal cancels */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

const CONTACTS = ['crm', 'v3', 'objects', 'contacts'] as const;
const MAX_BATCH_SIZE = 100;

/** The auth the options describe: a private app's token, or all three OAuth settings; anything else is refused. */
export function crmAuthOf(options: CrmAdapterOptions): CrmAuth {
  const { accessToken, clientId, clientSecret, refreshToken } = options;
  if (accessToken) return { kind: 'private-app', accessToken };
  if (clientId && clientSecret && refreshToken) return { kind: 'oauth', clientId, clientSecret, refreshToken };
  throw new RangeError(
    'crm adapter: give a private app access token (CRM_ACCESS_TOKEN), or an OAuth client id, client secret and refresh ' +
      'token (CRM_CLIENT_ID, CRM_CLIENT_SECRET, CRM_REFRESH_TOKEN)',
  );
}

/**
 * The CRM (HubSpot CRM v3) as our CustomerDirectory: contacts read and upserted in batches by the unique property
 * `plugboard_customer_id`; a contact that already holds the customer's e-mail is adopted; segments written to
 * `lifecyclestage`, cleared first when HubSpot will not move it backwards.
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
    auth: crmAuthOf(options),
    maxResponseBytes: options.maxResponseBytes,
    now: options.now,
    sleep: options.sleep,
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
      // HubSpot ignores idempotency keys; they are sent for the log, and each write of one operation gets its own.
      const upserted = await client.call({
        operation: site.operation,
        method: 'POST',
        path: pathOf(site, ...CONTACTS, 'batch', 'upsert'),
        body: { inputs: [{ idProperty: CUSTOMER_ID_PROPERTY, id: customer.id, properties }] },
        idempotencyKey: `${idempotencyKey}:upsert`,
        accept: [409],
        signal: callOptions?.signal,
      });
      if (upserted.status !== 409) {
        const [contact] = validate(site, batchUpsertSchema, upserted.body).results;
        return profileFromContact(contact!, currency, site);
      }
      const adopted = await adoptExisting({ client, site, customer, properties, idempotencyKey, conflict: upserted.body, signal: callOptions?.signal });
      return profileOf(site, adopted);
    },

    async updateSegment({ customerId, segment, idempotencyKey }, callOptions?: CallOptions) {
      const site: CallSite = { system, operation: 'updateSegment' };
      /** Sets the stage; answers the profile, or HubSpot's refusal of a stage it will not move to. */
      const write = async (stage: string, key: string): Promise<CrmProfile | HttpResponse> => {
        const updated = await client.call({
          operation: site.operation,
          method: 'PATCH',
          path: byCustomerId(site, customerId),
          body: { properties: { lifecyclestage: stage } },
          idempotencyKey: key,
          accept: [400],
          signal: callOptions?.signal,
        });
        if (updated.status !== 400) return profileOf(site, updated.body);
        if (stage !== '' && /lifecyclestage/i.test(updated.response.text)) return updated.response;
        throw errorFromHubSpot(site, updated.response);
      };
      const stage = LIFECYCLE_STAGE_OF[segment];
      const first = await write(stage, idempotencyKey);
      if ('segment' in first && first.segment === segment) return first;
      // HubSpot kept a later stage (or refused to go back): it moves a contact backwards once its stage was cleared.
      await write('', `${idempotencyKey}:clear`);
      const moved = await write(stage, `${idempotencyKey}:set`);
      if (!('segment' in moved)) throw errorFromHubSpot(site, moved);
      return moved;
    },

    [Symbol.asyncDispose]: () => client.close(),
  };
}
