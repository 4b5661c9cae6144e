import type { CallOptions, CrmProfile, CustomerDirectory } from '../../../domain';
import { validate, type CallSite } from '../../kit/adapter';
import { createCrmClient, HubSpotRefusal, type CrmAuth } from './client';
import { adoptExisting, checkedId } from './adopt';
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
 * The CRM (HubSpot CRM v3, through the official `@hubspot/api-client` SDK) as our CustomerDirectory: contacts read and
 * upserted in batches by the unique property `plugboard_customer_id`; a contact that already holds the customer's
 * e-mail is adopted; segments written to `lifecyclestage`, cleared first when HubSpot will not move it backwards.
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
      // 207 (some ids not found) is an answer to the SDK: the contacts found are in `results` all the same.
      const answers = await Promise.all(
        chunks.map((ids) =>
          client.call({ operation: site.operation, signal: callOptions?.signal }, ({ batch }) =>
            batch.read(
              { idProperty: CUSTOMER_ID_PROPERTY, properties: [...CONTACT_PROPERTIES], propertiesWithHistory: [], inputs: ids.map((id) => ({ id })) },
              false,
            ),
          ),
        ),
      );
      const asked = new Set(wanted);
      const found = new Map<string, CrmProfile>();
      for (const answer of answers) {
        for (const contact of validate(site, batchReadSchema, answer).results) {
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
      const upserted = await client.attempt(
        { operation: site.operation, signal: callOptions?.signal, idempotencyKey: `${idempotencyKey}:upsert` },
        [409],
        ({ batch }) => batch.upsert({ inputs: [{ idProperty: CUSTOMER_ID_PROPERTY, id: customer.id, properties }] }),
      );
      if (!(upserted instanceof HubSpotRefusal)) {
        const [contact] = validate(site, batchUpsertSchema, upserted).results;
        return profileFromContact(contact!, currency, site);
      }
      const adopted = await adoptExisting({ client, site, customer, properties, idempotencyKey, conflict: upserted, signal: callOptions?.signal });
      return profileOf(site, adopted);
    },

    async updateSegment({ customerId, segment, idempotencyKey }, callOptions?: CallOptions) {
      const site: CallSite = { system, operation: 'updateSegment' };
      checkedId(site, customerId);
      /** Sets the stage; answers the profile, or HubSpot's refusal of a stage it will not move to. */
      const write = async (stage: string, key: string): Promise<CrmProfile | HubSpotRefusal> => {
        const updated = await client.attempt(
          { operation: site.operation, signal: callOptions?.signal, idempotencyKey: key },
          [400],
          ({ basic }) => basic.update(customerId, { properties: { lifecyclestage: stage } }, CUSTOMER_ID_PROPERTY),
        );
        if (!(updated instanceof HubSpotRefusal)) return profileOf(site, updated);
        if (stage !== '' && /lifecyclestage/i.test(updated.message)) return updated;
        throw updated.error;
      };
      const stage = LIFECYCLE_STAGE_OF[segment];
      const first = await write(stage, idempotencyKey);
      if (!(first instanceof HubSpotRefusal) && first.segment === segment) return first;
      // HubSpot kept a later stage (or refused to go back): it moves a contact backwards once its stage was cleared.
      await write('', `${idempotencyKey}:clear`);
      const moved = await write(stage, `${idempotencyKey}:set`);
      if (moved instanceof HubSpotRefusal) throw moved.error;
      return moved;
    },

    [Symbol.asyncDispose]: () => client.close(),
  };
}
