import { IntegrationError, type Customer } from '../../../domain';
import { pathOf, validate, type CallSite } from '../../kit/adapter';
import type { CrmClient } from './client';
import { CONTACT_PROPERTIES, CUSTOMER_ID_PROPERTY } from './mapper';
import { anyContactSchema, hubSpotErrorSchema } from './schema';

/**
 * Internal to the CRM adapter: what to do when HubSpot answers an upsert 409 CONFLICT, "Contact already exists.
 * Existing ID: <id>". HubSpot ignores idempotency keys, so this happens when two writes for one new customer race,
 * and when the customer's e-mail is already on a contact made in HubSpot (a form, an import, a person). That contact
 * is adopted: read, given our customer id, and updated with the profile. It is refused instead (UPSTREAM_REJECTED,
 * nothing changed) when it belongs to another of our customers, or when this customer already has a contact of its
 * own (two contacts for one person: a person in HubSpot must merge them).
 */

const CONTACTS = ['crm', 'v3', 'objects', 'contacts'] as const;

const refused = (site: CallSite, reason: string): IntegrationError =>
  new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });

export async function adoptExisting(input: {
  readonly client: CrmClient;
  readonly site: CallSite;
  readonly customer: Customer;
  readonly properties: Record<string, string>;
  readonly idempotencyKey: string;
  /** The 409's body. */
  readonly conflict: unknown;
  readonly signal: AbortSignal | undefined;
}): Promise<unknown> {
  const { client, site, customer, signal } = input;
  const said = hubSpotErrorSchema.safeParse(input.conflict);
  const message = said.success ? (said.data.message ?? '') : '';
  const existingId = /Existing ID: (\d+)/.exec(message)?.[1];
  if (existingId === undefined) throw refused(site, `HubSpot CONFLICT (HTTP 409): ${message.slice(0, 160)}`);

  const read = await client.call({
    operation: site.operation,
    method: 'GET',
    path: `${pathOf(site, ...CONTACTS, existingId)}?${new URLSearchParams({ properties: CONTACT_PROPERTIES.join(',') })}`,
    signal,
  });
  const existing = validate(site, anyContactSchema, read.body);
  const owner = existing.properties.plugboard_customer_id;
  if (owner && owner !== customer.id) {
    throw refused(site, `HubSpot CONFLICT (HTTP 409): the e-mail is on contact ${existingId}, which is customer ${owner}'s`);
  }
  if (!owner) {
    const own = await client.call({
      operation: site.operation,
      method: 'GET',
      path: `${pathOf(site, ...CONTACTS, customer.id)}?${new URLSearchParams({ idProperty: CUSTOMER_ID_PROPERTY })}`,
      accept: [404],
      signal,
    });
    if (own.status !== 404) {
      throw refused(site, `HubSpot CONFLICT (HTTP 409): the e-mail is on contact ${existingId}, and the customer has another contact: merge them in HubSpot`);
    }
  }
  const adopted = await client.call({
    operation: site.operation,
    method: 'PATCH',
    path: pathOf(site, ...CONTACTS, existingId),
    body: { properties: { ...input.properties, [CUSTOMER_ID_PROPERTY]: customer.id } },
    idempotencyKey: `${input.idempotencyKey}:adopt`,
    signal,
  });
  return adopted.body;
}
