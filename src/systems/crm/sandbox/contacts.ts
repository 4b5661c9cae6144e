import type { CustomerSegment } from '../../../domain';
import type { EstateSeed } from '../../kit/seed';

/**
 * Internal to the CRM sandbox: contacts as HubSpot holds them, seeded from the estate, and the rules HubSpot applies
 * to property writes.
 */

/** A contact in HubSpot's CRM v3 object shape: every property value is a string, or null when unset. */
export interface HubSpotContact {
  readonly id: string;
  properties: Record<string, string | null>;
  readonly createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** HubSpot's default lifecycle stages, in the order a contact normally moves through them. */
export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;

/** How the estate's segments were entered in this CRM when it was set up. */
const STAGE_OF_SEGMENT: Readonly<Record<CustomerSegment, (typeof LIFECYCLE_STAGES)[number]>> = {
  LEAD: 'lead',
  PROSPECT: 'marketingqualifiedlead',
  CUSTOMER: 'customer',
  VIP: 'evangelist',
  CHURNED: 'other',
};

/** Properties a client may set. */
export const WRITABLE_PROPERTIES = new Set([
  'email',
  'firstname',
  'lastname',
  'phone',
  'lifecyclestage',
  'total_revenue',
  'plugboard_customer_id',
]);
/** Properties HubSpot maintains itself. */
const READ_ONLY_PROPERTIES = new Set(['createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_object_id']);
/** Properties whose value identifies one contact: usable as `idProperty`. */
export const UNIQUE_PROPERTIES = new Set(['email', 'plugboard_customer_id']);
/** What HubSpot answers when a read names no properties. */
export const DEFAULT_PROPERTIES = ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'];
/** Answered with every read, asked for or not. */
const ALWAYS_RETURNED = ['createdate', 'hs_object_id', 'lastmodifieddate'];

const FIRST_CONTACT_ID = 1001;

/** Renders minor units as HubSpot's decimal string (integer arithmetic: no float rounding). */
function decimalOf(minor: number): string {
  const abs = Math.abs(minor);
  const cents = String(abs % 100).padStart(2, '0');
  return `${minor < 0 ? '-' : ''}${Math.floor(abs / 100)}.${cents}`;
}

function splitName(name: string): { firstname: string; lastname: string | null } {
  const space = name.indexOf(' ');
  if (space < 0) return { firstname: name, lastname: null };
  return { firstname: name.slice(0, space), lastname: name.slice(space + 1) };
}

/** Projects the estate's customers into contacts: one each, ids from 1001 in customer order. */
export function seedContacts(estate: EstateSeed): HubSpotContact[] {
  return estate.customers.map((customer, index) => {
    const id = String(FIRST_CONTACT_ID + index);
    const facts = estate.crm.get(customer.id);
    const createdAt = customer.createdAt.toISOString();
    const updatedAt = customer.updatedAt.toISOString();
    const { firstname, lastname } = splitName(customer.name);
    return {
      id,
      properties: {
        hs_object_id: id,
        createdate: createdAt,
        lastmodifieddate: updatedAt,
        hs_lastmodifieddate: updatedAt,
        email: customer.email,
        firstname,
        lastname,
        phone: customer.phone,
        lifecyclestage: facts ? STAGE_OF_SEGMENT[facts.segment] : null,
        total_revenue: decimalOf(facts?.lifetimeValueMinor ?? 0),
        plugboard_customer_id: customer.id,
      },
      createdAt,
      updatedAt,
      archived: false,
    };
  });
}

export function nextContactId(contacts: ReadonlyMap<string, HubSpotContact>): string {
  let highest = FIRST_CONTACT_ID - 1;
  for (const id of contacts.keys()) highest = Math.max(highest, Number(id));
  return String(highest + 1);
}

/** The contact as HubSpot answers it: only the properties asked for (null when unset), plus the ones always sent. */
export function present(contact: HubSpotContact, properties: readonly string[] = DEFAULT_PROPERTIES): HubSpotContact {
  const names = new Set([...properties, ...ALWAYS_RETURNED]);
  const shown: Record<string, string | null> = {};
  for (const name of names) {
    if (WRITABLE_PROPERTIES.has(name) || READ_ONLY_PROPERTIES.has(name)) shown[name] = contact.properties[name] ?? null;
  }
  return { ...contact, properties: shown };
}

/** Reads `properties` as HubSpot takes it on the query string: comma-separated, possibly repeated. */
export function propertiesParam(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(',')).map((name) => name.trim());
  return names.filter((name) => name.length > 0);
}

export interface PropertyProblem {
  readonly name: string;
  readonly error:
    | 'PROPERTY_DOESNT_EXIST'
    | 'READ_ONLY_VALUE'
    | 'INVALID_OPTION'
    | 'INVALID_EMAIL'
    | 'INVALID_DECIMAL'
    | 'INVALID_VALUE';
  readonly message: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Checks the `properties` of a write the way HubSpot does and answers the values to store ('' clears a property,
 * stored as null), or the problems found.
 */
export function checkProperties(
  input: unknown,
): { readonly values: Record<string, string | null> } | { readonly problems: readonly PropertyProblem[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { problems: [{ name: 'properties', error: 'INVALID_VALUE', message: 'properties must be an object' }] };
  }
  const values: Record<string, string | null> = {};
  const problems: PropertyProblem[] = [];
  for (const [name, raw] of Object.entries(input)) {
    if (READ_ONLY_PROPERTIES.has(name)) {
      const message = `${name} is a read only property; its value cannot be set.`;
      problems.push({ name, error: 'READ_ONLY_VALUE', message });
      continue;
    }
    if (!WRITABLE_PROPERTIES.has(name)) {
      problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      continue;
    }
    if (raw !== null && typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      problems.push({ name, error: 'INVALID_VALUE', message: `${name} must be a string, a number or a boolean` });
      continue;
    }
    const value = raw === null || String(raw).trim() === '' ? null : String(raw).trim();
    if (value !== null && name === 'lifecyclestage' && !(LIFECYCLE_STAGES as readonly string[]).includes(value)) {
      problems.push({
        name,
        error: 'INVALID_OPTION',
        message: `${value} was not one of the allowed options: [${LIFECYCLE_STAGES.join(', ')}]`,
      });
      continue;
    }
    if (value !== null && name === 'email' && !EMAIL.test(value)) {
      problems.push({ name, error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` });
      continue;
    }
    if (value !== null && name === 'total_revenue' && !DECIMAL.test(value)) {
      problems.push({ name, error: 'INVALID_DECIMAL', message: `${value} is not a valid decimal` });
      continue;
    }
    values[name] = name === 'email' && value !== null ? value.toLowerCase() : value;
  }
  return problems.length > 0 ? { problems } : { values };
}

/** Finds a contact by its id, or by a unique property's value when `idProperty` names one. */
export function findContact(
  contacts: ReadonlyMap<string, HubSpotContact>,
  byCustomer: ReadonlyMap<string, HubSpotContact>,
  id: string,
  idProperty: string | undefined,
): HubSpotContact | undefined {
  if (idProperty === undefined || idProperty === 'hs_object_id') return contacts.get(id);
  if (idProperty === 'plugboard_customer_id') return byCustomer.get(id);
  if (idProperty === 'email') {
    const email = id.toLowerCase();
    for (const contact of contacts.values()) if (contact.properties.email === email) return contact;
  }
  return undefined;
}

/** The contact other than `self` that already holds one of the unique values in `values`, if any. */
export function uniqueClash(
  contacts: ReadonlyMap<string, HubSpotContact>,
  values: Record<string, string | null>,
  self?: HubSpotContact,
): { readonly property: string; readonly existing: HubSpotContact } | undefined {
  for (const property of UNIQUE_PROPERTIES) {
    const value = values[property];
    if (value === undefined || value === null) continue;
    for (const contact of contacts.values()) {
      if (contact !== self && contact.properties[property] === value) return { property, existing: contact };
    }
  }
  return undefined;
}

/**
 * HubSpot moves `lifecyclestage` forward only: a value earlier in the stage order than the one the contact holds is
 * not applied; to move a contact back, its stage must be cleared first (''), then set. Source: HubSpot developer docs,
 * CRM API "Contacts" guide, "Update contacts" (developers.hubspot.com/docs/guides/api/crm/objects/contacts). What the
 * API answers to such a write is not documented there; the sandbox answers 200 with the stage it kept, or (option
 * `backwardsStage: 'refuse'`) 400 VALIDATION_ERROR naming the property: the adapter must cope with either.
 */
export function withoutBackwardsStage(
  current: string | null | undefined,
  values: Record<string, string | null>,
): Record<string, string | null> {
  if (!isBackwards(current, values)) return values;
  const { lifecyclestage: _dropped, ...kept } = values;
  return kept;
}

/** Whether `values` would move the contact's stage backwards. */
export function isBackwards(current: string | null | undefined, values: Record<string, string | null>): boolean {
  const wanted = values.lifecyclestage;
  if (wanted === undefined || wanted === null || current === null || current === undefined) return false;
  const order = LIFECYCLE_STAGES as readonly string[];
  return order.indexOf(wanted) < order.indexOf(current);
}
