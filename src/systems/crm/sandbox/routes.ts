import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../kit/sandbox';
import { hubSpotError, type Answer } from './answers';
import {
  checkProperties,
  findContact,
  nextContactId,
  present,
  propertiesParam,
  uniqueClash,
  isBackwards,
  withoutBackwardsStage,
  type HubSpotContact,
  type PropertyProblem,
} from './contacts';
import type { TokenIssuer } from './oauth';
import type { RateLimiter } from './rate-limit';
import { registerContactList } from './list';
import { createAnswerSender } from './send';
import { upsertContacts } from './upsert';

/**
 * Internal to the CRM sandbox: the HubSpot CRM v3 contacts routes.
 *
 * HubSpot ignores an `Idempotency-Key` header (its API reference names none for CRM objects): a write sent twice is
 * applied twice, and two creates racing for one e-mail give the loser 409 CONFLICT. With `honourIdempotencyKey`
 * (a sandbox convention, on in the shared contract suite only) writes honour it: the first answer to a key is stored
 * with a fingerprint of the request and replayed for every later request with that key, without applying the write
 * again; the same key on a different request is refused (400 VALIDATION_ERROR). Answers refused before the write is
 * looked at (401, 429, and the fault switch's 503) are not stored.
 */

export interface ContactRoutesOptions {
  readonly issuer: TokenIssuer;
  readonly limiter: RateLimiter;
  readonly clock: () => number;
  /** Honour `Idempotency-Key` (HubSpot does not). */
  readonly honourIdempotencyKey: boolean;
  /** What a write that moves `lifecyclestage` backwards gets: kept silently, or refused (400). */
  readonly backwardsStage: 'keep' | 'refuse';
  /** Unique properties that exist in the portal (`email`, and ours once the one-time setup made it). */
  readonly idProperties: ReadonlySet<string>;
  /** Told of the properties a write changed on an existing contact, with their new values: the sandbox's webhook. */
  readonly onPropertiesChanged?: (contact: HubSpotContact, changed: Readonly<Record<string, unknown>>, at: number) => void;
}

/** HubSpot's cap on `inputs` in one batch call. */
const MAX_BATCH_INPUTS = 100;
const BASE = '/crm/v3/objects/contacts';

interface StoredAnswer {
  readonly fingerprint: string;
  readonly answer: Answer;
}


interface ObjectQuery {
  idProperty?: string;
  properties?: string | string[];
}

export function registerContactRoutes(
  app: FastifyInstance,
  context: SandboxContext,
  options: ContactRoutesOptions,
): void {
  const { issuer, limiter, clock } = options;
  const contacts = context.records.collection<HubSpotContact>('contacts');
  const byCustomer = context.records.collection<HubSpotContact>('contacts-by-customer');
  const idempotency = context.records.collection<StoredAnswer>('idempotency-keys');

  const send = createAnswerSender(context);

  const authorised = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const refusal = issuer.refuse(request.headers.authorization);
    if (refusal) return send(reply, refusal);
    const { headers, refusal: overLimit } = limiter.take(issuer.kindOf(request.headers.authorization));
    reply.headers(headers);
    return overLimit ? send(reply, overLimit) : undefined;
  };

  const once = (request: FastifyRequest, reply: FastifyReply, write: () => Answer): FastifyReply => {
    const header = request.headers['idempotency-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key) return send(reply, write());
    const fingerprint = `${request.method} ${request.url} ${JSON.stringify(request.body ?? null)}`;
    const stored = idempotency.get(key);
    if (!options.honourIdempotencyKey) {
      // Like HubSpot, the write is applied whatever the key; the window still shows the last answer to each key sent.
      const answer = write();
      idempotency.set(key, { fingerprint, answer });
      return send(reply, answer);
    }
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        return send(
          reply,
          hubSpotError(400, 'VALIDATION_ERROR', 'This Idempotency-Key was already used with a different request.'),
        );
      }
      return send(reply.header('idempotent-replayed', 'true'), stored.answer);
    }
    const answer = write();
    idempotency.set(key, { fingerprint, answer });
    return send(reply, answer);
  };

  const invalidProperties = (problems: readonly PropertyProblem[]): Answer => {
    const verdicts = problems.map(({ message, error, name }) => ({ isValid: false, message, error, name }));
    return hubSpotError(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(verdicts)}`, {
      errors: problems.map(({ message, error, name }) => ({ message, code: error, context: { propertyName: [name] } })),
    });
  };

  const badIdProperty = (idProperty: string | undefined): Answer | undefined =>
    idProperty === undefined || idProperty === 'hs_object_id' || options.idProperties.has(idProperty) ? undefined
    : hubSpotError(400, 'VALIDATION_ERROR', `Unable to perform lookup by non-unique 0-1 property ${idProperty}`);

  const conflict = (property: string, existing: HubSpotContact): Answer =>
    hubSpotError(
      409,
      'CONFLICT',
      property === 'email' ?
        `Contact already exists. Existing ID: ${existing.id}`
      : `A contact with this ${property} already exists. Existing ID: ${existing.id}`,
    );

  const touch = (contact: HubSpotContact, before: Readonly<Record<string, unknown>>): void => {
    const at = clock();
    const now = new Date(at).toISOString();
    contact.updatedAt = now;
    contact.properties.lastmodifieddate = now;
    contact.properties.hs_lastmodifieddate = now;
    const changed = Object.fromEntries(
      Object.entries(contact.properties).filter(([name, value]) => !name.endsWith('lastmodifieddate') && before[name] !== value),
    );
    if (Object.keys(changed).length > 0) options.onPropertiesChanged?.(contact, changed, at);
  };

  const reindex = (contact: HubSpotContact, previousCustomerId: string | null | undefined): void => {
    if (previousCustomerId && byCustomer.get(previousCustomerId) === contact) byCustomer.delete(previousCustomerId);
    const customerId = contact.properties.plugboard_customer_id;
    if (customerId) byCustomer.set(customerId, contact);
  };

  app.post<{ Body: unknown }>(
    '/oauth/v1/token',
    { config: { operation: 'oauth.token' } },
    async (request, reply) => send(reply, issuer.issue(request.body)),
  );

  registerContactList(app, { contacts, send, authorised });

  app.get<{ Params: { contactId: string }; Querystring: ObjectQuery }>(
    `${BASE}/:contactId`,
    { config: { operation: 'contacts.get' }, preHandler: authorised },
    async (request, reply) => {
      const { idProperty } = request.query;
      const refused = badIdProperty(idProperty);
      if (refused) return send(reply, refused);
      const contact = findContact(contacts, byCustomer, request.params.contactId, idProperty);
      if (!contact || contact.archived) {
        return send(reply, hubSpotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', {
          context: { id: [request.params.contactId] },
        }));
      }
      return send(reply, { status: 200, body: present(contact, propertiesParam(request.query.properties)) });
    },
  );

  app.post<{ Body: unknown }>(
    `${BASE}/batch/read`,
    { config: { operation: 'contacts.batchRead' }, preHandler: authorised },
    async (request, reply) => {
      const body = request.body as { inputs?: unknown; properties?: unknown; idProperty?: unknown } | null;
      const inputs = body?.inputs;
      const isInput = (input: unknown): boolean => typeof (input as { id?: unknown } | null)?.id === 'string';
      if (!Array.isArray(inputs) || !inputs.every(isInput)) {
        return send(reply, hubSpotError(400, 'VALIDATION_ERROR', 'inputs must be a list of {"id": "<string>"}'));
      }
      if (inputs.length > MAX_BATCH_INPUTS) {
        const message = `Too many inputs: ${inputs.length}. The limit is ${MAX_BATCH_INPUTS}.`;
        const context = { limit: [String(MAX_BATCH_INPUTS)] };
        return send(reply, hubSpotError(400, 'VALIDATION_ERROR', message, { context }));
      }
      const idProperty = typeof body?.idProperty === 'string' ? body.idProperty : undefined;
      const refused = badIdProperty(idProperty);
      if (refused) return send(reply, refused);
      const properties =
        Array.isArray(body?.properties) ? body.properties.filter((name) => typeof name === 'string') : undefined;
      const startedAt = new Date(clock()).toISOString();
      const ids = [...new Set(inputs.map((input) => (input as { id: string }).id))];
      const results: HubSpotContact[] = [];
      const missing: string[] = [];
      for (const id of ids) {
        const contact = findContact(contacts, byCustomer, id, idProperty);
        if (contact && !contact.archived) results.push(present(contact, properties));
        else missing.push(id);
      }
      const completedAt = new Date(clock()).toISOString();
      if (missing.length === 0) {
        return send(reply, { status: 200, body: { status: 'COMPLETE', results, startedAt, completedAt } });
      }
      // Like HubSpot: 207 Multi-Status, the records found plus one error naming the ids that were not.
      return send(reply, {
        status: 207,
        body: {
          status: 'COMPLETE',
          results,
          numErrors: 1,
          errors: [{
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
            context: { ids: missing },
          }],
          startedAt,
          completedAt,
        },
      });
    },
  );

  app.patch<{ Params: { contactId: string }; Querystring: ObjectQuery; Body: unknown }>(
    `${BASE}/:contactId`,
    { config: { operation: 'contacts.update' }, preHandler: authorised },
    async (request, reply) =>
      once(request, reply, () => {
        const { idProperty } = request.query;
        const refused = badIdProperty(idProperty);
        if (refused) return refused;
        const contact = findContact(contacts, byCustomer, request.params.contactId, idProperty);
        if (!contact || contact.archived) return hubSpotError(404, 'OBJECT_NOT_FOUND', 'resource not found');
        const checked = checkProperties((request.body as { properties?: unknown } | null)?.properties);
        if ('problems' in checked) return invalidProperties(checked.problems);
        const clash = uniqueClash(contacts, checked.values, contact);
        if (clash) return conflict(clash.property, clash.existing);
        const previousCustomerId = contact.properties.plugboard_customer_id;
        if (options.backwardsStage === 'refuse' && isBackwards(contact.properties.lifecyclestage, checked.values)) {
          const message = `${checked.values.lifecyclestage} is earlier than the contact's lifecyclestage; clear it first`;
          return invalidProperties([{ name: 'lifecyclestage', error: 'INVALID_OPTION', message }]);
        }
        const before = { ...contact.properties };
        Object.assign(contact.properties, withoutBackwardsStage(contact.properties.lifecyclestage, checked.values));
        touch(contact, before);
        reindex(contact, previousCustomerId);
        return { status: 200, body: present(contact, Object.keys(contact.properties)) };
      }),
  );

  app.post<{ Body: unknown }>(
    `${BASE}/batch/upsert`,
    { config: { operation: 'contacts.batchUpsert' }, preHandler: authorised },
    async (request, reply) =>
      once(request, reply, () =>
        upsertContacts(request.body, {
          contacts,
          byCustomer,
          idProperties: options.idProperties,
          now: () => new Date(clock()).toISOString(),
          invalid: invalidProperties,
          conflict,
          touch,
          reindex,
        }),
      ),
  );

  app.post<{ Body: unknown }>(
    BASE,
    { config: { operation: 'contacts.create' }, preHandler: authorised },
    async (request, reply) =>
      once(request, reply, () => {
        const checked = checkProperties((request.body as { properties?: unknown } | null)?.properties);
        if ('problems' in checked) return invalidProperties(checked.problems);
        const clash = uniqueClash(contacts, checked.values);
        if (clash) return conflict(clash.property, clash.existing);
        const id = nextContactId(contacts);
        const now = new Date(clock()).toISOString();
        const contact: HubSpotContact = {
          id,
          properties: {
            hs_object_id: id,
            createdate: now,
            lastmodifieddate: now,
            hs_lastmodifieddate: now,
            ...checked.values,
          },
          createdAt: now,
          updatedAt: now,
          archived: false,
        };
        contacts.set(id, contact);
        reindex(contact, undefined);
        return { status: 201, body: present(contact, Object.keys(contact.properties)) };
      }),
  );
}
