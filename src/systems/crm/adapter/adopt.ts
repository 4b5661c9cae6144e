import { IntegrationError, type Customer } from '../../../domain';
import { pathOf, validate, type CallSite } from '../../kit/adapter';
import { HubSpotRefusal, type CrmClient } from './client';
import { CONTACT_PROPERTIES, CUSTOMER_ID_PROPERTY } from './mapper';
import { anyContactSchema } from './schema';

/**
 * Internal to the CRM adapter: what to do when HubSpot answers an upsert 409 CONFLICT, "Contact already exists.
 * Existing ID: <id>". HubSpot ignores idempotency keys, so this happens when two writes for one new customer race,
 * and when the customer's e-mail is already on a contact made in HubSpot (a form, an import, a person). That contact
 * is adopted: read, given our customer id, and updated with the profile. It is refused instead (UPSTREAM_REJECTED,
 * nothing changed) when it belongs to another of our customers, or when this customer already has a contact of its
 * own (two contacts for one person: a person in HubSpot must merge them).
 */

const refused = (site: CallSite, reason: string): IntegrationError =>
  new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });

/**
 * An id the SDK will put in a path, checked first: the SDK escapes it (encodeURIComponent) but then parses the URL,
 * which resolves `.` and `..`, so such an id would reach another route. pathOf refuses what escaping cannot make safe.
 */
export function checkedId(site: CallSite, id: string): string {
  pathOf(site, id);
  return id;
}

export async function adoptExisting(input: {
  readonly client: CrmClient;
  readonly site: CallSite;
  readonly customer: Customer;
  readonly properties: Record<string, string>;
  readonly idempotencyKey: string;
  /** HubSpot's 409. */
  readonly conflict: HubSpotRefusal;
  readonly signal: AbortSignal | undefined;
}): Promise<unknown> {
  const { client, site, customer, signal } = input;
  const message = input.conflict.message;
  const existingId = /Existing ID: (\d+)/.exec(message)?.[1];
  if (existingId === undefined) throw refused(site, `HubSpot CONFLICT (HTTP 409): ${message.slice(0, 160)}`);
  const call = { operation: site.operation, signal };

  const read = await client.call(call, ({ basic }) => basic.getById(existingId, [...CONTACT_PROPERTIES]));
  const existing = validate(site, anyContactSchema, read);
  const owner = existing.properties.plugboard_customer_id;
  if (owner && owner !== customer.id) {
    throw refused(site, `HubSpot CONFLICT (HTTP 409): the e-mail is on contact ${existingId}, which is customer ${owner}'s`);
  }
  if (!owner) {
    const own = await client.attempt(call, [404], ({ basic }) =>
      basic.getById(checkedId(site, customer.id), undefined, undefined, undefined, false, CUSTOMER_ID_PROPERTY),
    );
    if (!(own instanceof HubSpotRefusal)) {
      throw refused(site, `HubSpot CONFLICT (HTTP 409): the e-mail is on contact ${existingId}, and the customer has another contact: merge them in HubSpot`);
    }
  }
  return client.call({ ...call, idempotencyKey: `${input.idempotencyKey}:adopt` }, ({ basic }) =>
    basic.update(existingId, { properties: { ...input.properties, [CUSTOMER_ID_PROPERTY]: customer.id } }),
  );
}
