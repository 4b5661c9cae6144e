import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { createOperationGuard, DEFAULT_LIMITS, type OperationLimits } from './limits';
import { FrontDoorRejection } from './rejection';
import type { DocumentCache, TrustedDocuments } from './documents';

export { buildTrustedDocuments, createDocumentCache, loadTrustedDocuments, sha256Hex, trustedDocumentsOf } from './documents';
export type { DocumentCache, TrustedDocuments } from './documents';
export { DEFAULT_LIMITS, SYSTEM_FIELD_WEIGHTS, createOperationGuard } from './limits';
export type { OperationGuard, OperationLimits } from './limits';
export { FrontDoorRejection } from './rejection';
export { frontDoorFrom } from './settings';

/** What the gateway's front door lets in. */
export interface FrontDoorSettings {
  readonly limits: OperationLimits;
  /** Operations in one batched request (a JSON array); 1 turns batching off. */
  readonly maxBatch: number;
  /** Bytes of a request body. */
  readonly maxBodyBytes: number;
  /** Automatic persisted queries (hash first, the document once when the gateway does not know it). */
  readonly apq: boolean;
  /** When set, only these documents run (trusted-documents mode); automatic persisted queries are then off. */
  readonly trustedDocuments?: TrustedDocuments;
}

export const DEFAULT_FRONT_DOOR: FrontDoorSettings = { limits: DEFAULT_LIMITS, maxBatch: 10, maxBodyBytes: 1_048_576, apq: true };

/** One GraphQL request as sent over HTTP (a POST body, or a GET's search parameters). */
interface Sent {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
  documentId?: unknown;
}

/**
 * The checks every GraphQL request passes before Apollo sees it (and so before any subgraph or system is called):
 * batch length, trusted documents, and the operation limits of each operation. A refusal is a GraphQL error
 * response with a stable code and the request id.
 */
export function createFrontDoor(settings: FrontDoorSettings, schema: GraphQLSchema, apqCache: DocumentCache | undefined) {
  const guard = createOperationGuard(schema, settings.limits);
  const trusted = settings.trustedDocuments;

  /** The document of one request: as sent, from the trusted documents, or from the persisted-query cache. */
  const documentOf = async (sent: Sent): Promise<{ query: string | undefined; fromTrusted: boolean }> => {
    const query = typeof sent.query === 'string' ? sent.query : undefined;
    const hash = hashOf(sent);
    if (trusted) {
      if (query !== undefined) {
        if (!trusted.includes(query)) throw new FrontDoorRejection('OPERATION_NOT_TRUSTED', 'This gateway runs only the operations its frontend registered (trusted documents); send a registered one, or its id.');
        return { query, fromTrusted: false };
      }
      if (hash === undefined) return { query: undefined, fromTrusted: false };
      const found = trusted.byHash(hash);
      if (found === undefined) throw new FrontDoorRejection('PERSISTED_QUERY_NOT_FOUND', 'No trusted document has this id.', {}, 200);
      return { query: found, fromTrusted: true };
    }
    if (query === undefined && hash !== undefined && settings.apq && apqCache) {
      return { query: await apqCache.get(`apq:${hash}`), fromTrusted: false };
    }
    return { query, fromTrusted: false };
  };

  const checkOne = async (sent: Sent): Promise<string | undefined> => {
    const { query, fromTrusted } = await documentOf(sent);
    if (query !== undefined) {
      const variables = sent.variables !== null && typeof sent.variables === 'object' && !Array.isArray(sent.variables) ? (sent.variables as Record<string, unknown>) : undefined;
      guard.check(query, variables, typeof sent.operationName === 'string' ? sent.operationName : undefined);
    }
    return fromTrusted ? query : undefined;
  };

  return {
    /** A fastify preHandler for the GraphQL route. */
    async preHandler(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      try {
        if (request.method === 'GET') {
          const search = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1 || request.url.length));
          const sent: Sent = {
            query: search.get('query') ?? undefined,
            variables: parseJsonParam(search.get('variables')),
            operationName: search.get('operationName') ?? undefined,
            extensions: parseJsonParam(search.get('extensions')),
            documentId: search.get('documentId') ?? undefined,
          };
          const resolved = await checkOne(sent);
          if (resolved !== undefined) {
            // The trusted document's text goes to Apollo in place of its id.
            search.set('query', resolved);
            search.delete('extensions');
            search.delete('documentId');
            request.raw.url = `${request.url.split('?')[0]}?${search.toString()}`;
          }
          return;
        }
        if (request.method !== 'POST') return;
        const body = request.body;
        const batch = Array.isArray(body) ? body : [body];
        if (Array.isArray(body) && (settings.maxBatch <= 1 || body.length > settings.maxBatch)) {
          throw new FrontDoorRejection(
            'BATCH_LIMIT_EXCEEDED',
            settings.maxBatch <= 1 ? 'This gateway does not take batched requests.' : `A batch may hold at most ${settings.maxBatch} operations; this one holds ${body.length}.`,
            { limit: settings.maxBatch },
          );
        }
        for (const sent of batch) {
          if (sent === null || typeof sent !== 'object') continue; // Apollo answers a body that is not an object
          const resolved = await checkOne(sent as Sent);
          if (resolved !== undefined) {
            const entry = sent as Sent & Record<string, unknown>;
            entry.query = resolved;
            delete entry['documentId'];
            if (entry.extensions && typeof entry.extensions === 'object') delete (entry.extensions as Record<string, unknown>)['persistedQuery'];
          }
        }
      } catch (error) {
        if (!(error instanceof FrontDoorRejection)) throw error;
        return void reply.code(error.status).type('application/json; charset=utf-8').send(error.toBody(request.id));
      }
    },
  };
}

function hashOf(sent: Sent): string | undefined {
  const persisted = (sent.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  if (persisted && typeof persisted.sha256Hash === 'string') return persisted.sha256Hash.toLowerCase();
  if (typeof sent.documentId === 'string') return sent.documentId.replace(/^sha256:/, '').toLowerCase();
  return undefined;
}

function parseJsonParam(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined; // Apollo answers a malformed parameter with its own 400
  }
}

/** What fastify's own refusals (body too large, not JSON, wrong content type) become: a stable code, no internals. */
const FASTIFY_REFUSALS: Readonly<Record<string, { status: number; code: string; message: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than this gateway takes.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the request as application/json.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_REQUEST', message: 'The request body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_REQUEST', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'MALFORMED_REQUEST', message: 'The Content-Length does not match the body.' },
};

/**
 * Answers every error the HTTP layer meets with a stable code and the request id, never a stack or an internal
 * message: GraphQL's error shape on /graphql, the admin API's shape elsewhere. The full error goes to the log.
 */
export function installErrorAnswers(app: FastifyInstance, log: (fields: Record<string, unknown>, message: string) => void): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = FASTIFY_REFUSALS[error.code];
    const isJsonSyntax = error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message));
    const answer = known ?? (isJsonSyntax ? FASTIFY_REFUSALS.FST_ERR_CTP_INVALID_JSON_BODY! : undefined);
    const status = answer?.status ?? (error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500);
    const code = answer?.code ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR');
    const message = answer?.message ?? (status < 500 ? 'The request could not be read.' : 'Internal error');
    if (status >= 500) log({ requestId: request.id, url: request.url.split('?')[0], err: error }, 'request failed');
    const onGraphql = request.url.split('?')[0] === '/graphql';
    return reply
      .code(status)
      .type('application/json; charset=utf-8')
      .send(onGraphql ? { errors: [{ message, extensions: { code, requestId: request.id } }] } : { error: { code, message, requestId: request.id } });
  });
}
