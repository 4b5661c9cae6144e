import type { SandboxDefinition } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import { crmFailureBody } from './answers';
import { seedContacts, type HubSpotContact } from './contacts';
import { createTokenIssuer, type CrmCredentials } from './oauth';
import { registerContactRoutes } from './routes';

export type { CrmCredentials } from './oauth';

/** The demo app's client credentials; the sandbox accepts these unless given others. */
export const CRM_SANDBOX_CREDENTIALS: CrmCredentials = {
  clientId: 'plugboard-demo-crm-client',
  clientSecret: 'plugboard-demo-crm-secret',
};

export interface CrmSandboxOptions {
  /** Lifetime of an access token, in seconds. @default 1800 (HubSpot's 30 minutes) */
  readonly tokenTtlSeconds?: number;
  /** The client credentials the token endpoint accepts. @default CRM_SANDBOX_CREDENTIALS */
  readonly credentials?: CrmCredentials;
  /**
   * The CRM's own clock (ms since the epoch), against which tokens expire. A test may run it ahead of ours to
   * play a token that expires early (clock skew, a revoked grant). @default Date.now
   */
  readonly clock?: () => number;
}

/**
 * A CRM shaped like HubSpot's CRM v3 objects API: OAuth2 client credentials (`POST /oauth/v1/token`), contacts
 * with HubSpot's properties (`email`, `firstname`, `lastname`, `phone`, `lifecyclestage`, `total_revenue`) plus the
 * unique custom property `plugboard_customer_id`, cursor paging, batch reads of up to 100 inputs, and HubSpot's
 * error bodies. Records: `contacts` (by HubSpot id), `contacts-by-customer` (the same contacts, by our customer id)
 * and `idempotency-keys`. Writes (PATCH, create) honour an `Idempotency-Key` header: a sandbox convention HubSpot
 * does not have, described in routes.ts.
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
      const issuer = createTokenIssuer({ credentials, ttlSeconds, clock });
      registerContactRoutes(app, context, issuer, clock);
    },
  };
}
