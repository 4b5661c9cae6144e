import type { SandboxDefinition } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import { crmFailureBody } from './answers';
import { seedContacts, type HubSpotContact } from './contacts';
import { createTokenIssuer, type CrmCredentials } from './oauth';
import { createRateLimiter, type RateLimitOptions } from './rate-limit';
import { registerContactRoutes } from './routes';

export type { CrmCredentials } from './oauth';
export type { RateLimitOptions } from './rate-limit';
export { SPEC_VIOLATIONS, type SpecViolation } from './send';

/** The demo app's OAuth client and refresh token, and a private app's token; the sandbox accepts these unless given others. */
export const CRM_SANDBOX_CREDENTIALS: CrmCredentials = {
  clientId: 'plugboard-demo-crm-client',
  clientSecret: 'plugboard-demo-crm-secret',
  refreshToken: 'plugboard-demo-crm-refresh-token',
  privateAppToken: 'pat-eu1-plugboard-demo-crm-private-app-token',
};

/** The custom unique property the one-time portal setup creates (see docs/estate.md). */
export const CUSTOMER_ID_PROPERTY = 'plugboard_customer_id';

export interface CrmSandboxOptions {
  /** Lifetime of an OAuth access token, in seconds. @default 1800 (HubSpot's 30 minutes) */
  readonly tokenTtlSeconds?: number;
  /** The credentials the sandbox accepts. @default CRM_SANDBOX_CREDENTIALS */
  readonly credentials?: CrmCredentials;
  /**
   * The CRM's own clock (ms since the epoch), against which tokens expire and rate-limit windows roll. A test may run
   * it ahead of ours to play a token that expires early (clock skew, a revoked grant). @default Date.now
   */
  readonly clock?: () => number;
  /** HubSpot's burst limit. @default 100 calls per 10 s (a private app on a Free or Starter portal) */
  readonly rateLimit?: RateLimitOptions;
  /** Honour `Idempotency-Key`, which HubSpot ignores (a sandbox convention). @default false */
  readonly honourIdempotencyKey?: boolean;
  /**
   * What a write that moves `lifecyclestage` backwards gets (HubSpot's answer is not documented): the later stage
   * kept and 200, or 400 VALIDATION_ERROR. @default 'keep'
   */
  readonly backwardsStage?: 'keep' | 'refuse';
  /** Whether the one-time setup created `plugboard_customer_id` as a unique property in the portal. @default true */
  readonly customerIdProperty?: boolean;
  /** Told of the properties each write changed on an existing contact (the sandbox's webhook). @default nothing */
  readonly onPropertiesChanged?: (contact: HubSpotContact, changed: Readonly<Record<string, unknown>>, at: number) => void;
}

/**
 * A CRM shaped like HubSpot's CRM v3 objects API: a private app's token or OAuth refresh tokens
 * (`POST /oauth/v1/token`), contacts with HubSpot's properties (`email`, `firstname`, `lastname`, `phone`,
 * `lifecyclestage`, `total_revenue`) plus the unique custom property `plugboard_customer_id`, cursor paging, batch
 * read and batch upsert of up to 100 inputs, lifecycle stages that move forward only, the burst limit and its
 * `X-HubSpot-RateLimit-*` headers, and HubSpot's error bodies. Each behaviour names its source where it is made.
 * Every request and answer is held against HubSpot's reference (zod schemas in reference.ts, each with its source):
 * a request outside it is recorded, an answer outside it (a sandbox defect) is recorded and sent as a 500.
 * Records: `contacts` (by HubSpot id), `contacts-by-customer` (the same contacts, by our customer id),
 * `idempotency-keys` and `spec-violations`.
 */
export function createCrmSandbox(estate: EstateSeed, options: CrmSandboxOptions = {}): SandboxDefinition {
  const ttlSeconds = options.tokenTtlSeconds ?? 1800;
  if (!(ttlSeconds > 0)) throw new RangeError(`crm sandbox: tokenTtlSeconds must be positive, got ${ttlSeconds}`);
  const clock = options.clock ?? (() => Date.now());
  return {
    name: 'crm',
    contentTypes: ['application/x-www-form-urlencoded'],
    failureBody: crmFailureBody,
    routes(app, context) {
      const contacts = context.records.collection<HubSpotContact>('contacts');
      const byCustomer = context.records.collection<HubSpotContact>('contacts-by-customer');
      for (const contact of seedContacts(estate)) {
        contacts.set(contact.id, contact);
        byCustomer.set(contact.properties.plugboard_customer_id as string, contact);
      }
      const credentials = options.credentials ?? CRM_SANDBOX_CREDENTIALS;
      registerContactRoutes(app, context, {
        issuer: createTokenIssuer({ credentials, ttlSeconds, clock }),
        limiter: createRateLimiter(options.rateLimit ?? {}, clock, () => context.rateLimit()),
        clock,
        honourIdempotencyKey: options.honourIdempotencyKey ?? false,
        backwardsStage: options.backwardsStage ?? 'keep',
        idProperties: new Set(options.customerIdProperty === false ? ['email'] : ['email', CUSTOMER_ID_PROPERTY]),
        ...(options.onPropertiesChanged ? { onPropertiesChanged: options.onPropertiesChanged } : {}),
      });
    },
  };
}
