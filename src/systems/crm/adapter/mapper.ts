import { moneyFromDecimal, type CrmProfile, type Customer, type CustomerSegment } from '../../../domain';
import { badResponse, type CallSite } from '../../kit/adapter';
import type { HubSpotContact } from './schema';

/**
 * Internal to the CRM adapter: HubSpot's contact vocabulary <-> ours.
 *
 * Segments live in HubSpot's `lifecyclestage`:
 *
 * | our segment | written as               | read from                                                  |
 * |-------------|--------------------------|------------------------------------------------------------|
 * | LEAD        | lead                     | subscriber, lead, or no stage at all                       |
 * | PROSPECT    | marketingqualifiedlead   | marketingqualifiedlead, salesqualifiedlead, opportunity    |
 * | CUSTOMER    | customer                 | customer                                                   |
 * | VIP         | evangelist               | evangelist                                                 |
 * | CHURNED     | other                    | other                                                      |
 *
 * Lifetime value is `total_revenue`, a decimal in the portal's currency; unset means nothing spent yet. Our single
 * `name` is HubSpot's `firstname` + `lastname`, split at the first space.
 */

/** The custom property that holds our customer id; unique in the portal, so usable as `idProperty`. */
export const CUSTOMER_ID_PROPERTY = 'plugboard_customer_id';

/** The properties every read asks for. */
export const CONTACT_PROPERTIES = [
  CUSTOMER_ID_PROPERTY,
  'email',
  'firstname',
  'lastname',
  'phone',
  'lifecyclestage',
  'total_revenue',
] as const;

export const LIFECYCLE_STAGE_OF: Readonly<Record<CustomerSegment, string>> = {
  LEAD: 'lead',
  PROSPECT: 'marketingqualifiedlead',
  CUSTOMER: 'customer',
  VIP: 'evangelist',
  CHURNED: 'other',
};

const SEGMENT_OF_STAGE: Readonly<Record<string, CustomerSegment>> = {
  subscriber: 'LEAD',
  lead: 'LEAD',
  marketingqualifiedlead: 'PROSPECT',
  salesqualifiedlead: 'PROSPECT',
  opportunity: 'PROSPECT',
  customer: 'CUSTOMER',
  evangelist: 'VIP',
  other: 'CHURNED',
};

const present = (value: string | null | undefined): string | null =>
  value === null || value === undefined || value.trim() === '' ? null : value;

export function profileFromContact(contact: HubSpotContact, currency: string, site: CallSite): CrmProfile {
  const { properties } = contact;
  const stage = present(properties.lifecyclestage);
  const segment = stage === null ? 'LEAD' : SEGMENT_OF_STAGE[stage];
  if (segment === undefined) {
    throw badResponse(site, `contact ${contact.id} has lifecyclestage "${stage}", which no segment maps to`);
  }
  return {
    customerId: properties.plugboard_customer_id,
    crmId: contact.id,
    email: present(properties.email) ?? '',
    name: [present(properties.firstname), present(properties.lastname)].filter((part) => part !== null).join(' '),
    phone: present(properties.phone),
    segment,
    lifetimeValue: moneyFromDecimal(present(properties.total_revenue) ?? '0', currency),
    updatedAt: new Date(contact.updatedAt),
  };
}

/** The profile fields the site owns, as HubSpot properties ('' clears a property in HubSpot). */
export function propertiesFromCustomer(customer: Customer): Record<string, string> {
  const space = customer.name.indexOf(' ');
  return {
    email: customer.email,
    firstname: space < 0 ? customer.name : customer.name.slice(0, space),
    lastname: space < 0 ? '' : customer.name.slice(space + 1),
    phone: customer.phone ?? '',
  };
}
