import { hubSpotError, type Answer } from './answers';
import {
  checkProperties,
  findContact,
  nextContactId,
  present,
  uniqueClash,
  withoutBackwardsStage,
  type HubSpotContact,
  type PropertyProblem,
} from './contacts';

/**
 * Internal to the CRM sandbox: `POST /crm/v3/objects/contacts/batch/upsert`, "Create or update a batch of contacts
 * by unique property values" (HubSpot developer docs, CRM API "Contacts", batch upsert). Each input names an
 * `idProperty` (a unique property: ours must have been created in the portal first), the `id` (its value) and
 * `properties`; a contact with that value is updated, otherwise one is created with it. At most 100 inputs. An input
 * whose e-mail another contact holds fails the batch with 409 CONFLICT, "Contact already exists. Existing ID: <id>",
 * and nothing is applied.
 */

export interface UpsertStore {
  readonly contacts: Map<string, HubSpotContact>;
  readonly byCustomer: Map<string, HubSpotContact>;
  /** Unique properties that exist in this portal. */
  readonly idProperties: ReadonlySet<string>;
  readonly now: () => string;
  readonly invalid: (problems: readonly PropertyProblem[]) => Answer;
  readonly conflict: (property: string, existing: HubSpotContact) => Answer;
  /** Marks a contact modified; `before` is what its properties were, so that the changed ones can be told. */
  readonly touch: (contact: HubSpotContact, before: Readonly<Record<string, unknown>>) => void;
  readonly reindex: (contact: HubSpotContact, previousCustomerId: string | null | undefined) => void;
}

interface UpsertInput {
  readonly idProperty: string;
  readonly id: string;
  readonly properties: unknown;
}

const MAX_INPUTS = 100;

const isInput = (input: unknown): input is UpsertInput => {
  const candidate = input as Partial<UpsertInput> | null;
  return typeof candidate?.id === 'string' && typeof candidate.idProperty === 'string';
};

export function upsertContacts(body: unknown, store: UpsertStore): Answer {
  const inputs = (body as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs) || !inputs.every(isInput)) {
    return hubSpotError(400, 'VALIDATION_ERROR', 'inputs must be a list of {"idProperty", "id", "properties"}');
  }
  if (inputs.length > MAX_INPUTS) {
    return hubSpotError(400, 'VALIDATION_ERROR', `Too many inputs: ${inputs.length}. The limit is ${MAX_INPUTS}.`, {
      context: { limit: [String(MAX_INPUTS)] },
    });
  }
  // Everything is checked before anything is applied: a refused batch changes nothing.
  const planned: { input: UpsertInput; existing: HubSpotContact | undefined; values: Record<string, string | null> }[] = [];
  for (const input of inputs) {
    if (!store.idProperties.has(input.idProperty)) {
      return hubSpotError(400, 'VALIDATION_ERROR', `Unable to perform upsert by unknown unique property ${input.idProperty}`, {
        context: { idProperty: [input.idProperty] },
      });
    }
    const checked = checkProperties(input.properties);
    if ('problems' in checked) return store.invalid(checked.problems);
    const existing = findContact(store.contacts, store.byCustomer, input.id, input.idProperty);
    const values = { ...checked.values, [input.idProperty]: input.id };
    const clash = uniqueClash(store.contacts, values, existing);
    if (clash) return store.conflict(clash.property, clash.existing);
    planned.push({ input, existing, values });
  }
  const startedAt = store.now();
  const results = planned.map(({ existing, values }) => {
    if (existing) {
      const previousCustomerId = existing.properties.plugboard_customer_id;
      const before = { ...existing.properties };
      Object.assign(existing.properties, withoutBackwardsStage(existing.properties.lifecyclestage, values));
      store.touch(existing, before);
      store.reindex(existing, previousCustomerId);
      return { ...present(existing, Object.keys(existing.properties)), new: false };
    }
    const id = nextContactId(store.contacts);
    const now = store.now();
    const contact: HubSpotContact = {
      id,
      properties: { hs_object_id: id, createdate: now, lastmodifieddate: now, hs_lastmodifieddate: now, ...values },
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    store.contacts.set(id, contact);
    store.reindex(contact, undefined);
    return { ...present(contact, Object.keys(contact.properties)), new: true };
  });
  return { status: 200, body: { status: 'COMPLETE', results, startedAt, completedAt: store.now() } };
}
