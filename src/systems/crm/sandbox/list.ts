import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hubSpotError, type Answer } from './answers';
import { present, propertiesParam, type HubSpotContact } from './contacts';

/** Internal to the CRM sandbox: `GET /crm/v3/objects/contacts`, HubSpot's list of contacts with cursor paging. */

/** HubSpot's cap on `limit` for a list page. */
const MAX_PAGE_LIMIT = 100;
const BASE = '/crm/v3/objects/contacts';

interface ListQuery {
  limit?: string;
  after?: string;
  properties?: string | string[];
  archived?: string;
}

export function registerContactList(
  app: FastifyInstance,
  deps: {
    readonly contacts: ReadonlyMap<string, HubSpotContact>;
    readonly send: (reply: FastifyReply, answer: Answer) => FastifyReply;
    readonly authorised: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
  },
): void {
  const { contacts, send, authorised } = deps;
  app.get<{ Querystring: ListQuery }>(
    BASE,
    { config: { operation: 'contacts.list' }, preHandler: authorised },
    async (request, reply) => {
      const limit = request.query.limit === undefined ? 10 : Number(request.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
        const message = `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`;
        return send(reply, hubSpotError(400, 'VALIDATION_ERROR', message));
      }
      let afterId = 0;
      if (request.query.after !== undefined) {
        afterId = Number(Buffer.from(request.query.after, 'base64url').toString('utf8'));
        if (!Number.isInteger(afterId) || afterId < 0) {
          return send(reply, hubSpotError(400, 'VALIDATION_ERROR', 'after is not a paging cursor this API gave out'));
        }
      }
      const archived = request.query.archived === 'true';
      const properties = propertiesParam(request.query.properties);
      const ordered = [...contacts.values()]
        .filter((contact) => contact.archived === archived && Number(contact.id) > afterId)
        .sort((a, b) => Number(a.id) - Number(b.id));
      const page = ordered.slice(0, limit);
      const last = page.at(-1);
      const after = last && ordered.length > limit ? Buffer.from(last.id).toString('base64url') : undefined;
      const query = new URLSearchParams({ limit: String(limit), ...(after ? { after } : {}) });
      if (properties) query.set('properties', properties.join(','));
      return send(reply, {
        status: 200,
        body: {
          results: page.map((contact) => present(contact, properties)),
          ...(after ? { paging: { next: { after, link: `${BASE}?${query.toString()}` } } } : {}),
        },
      });
    },
  );
}
