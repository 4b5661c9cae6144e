import type { GraphQLSchema } from 'graphql';
import { createOperationGuard, DEFAULT_LIMITS, type OperationLimits } from './limits';
import { FrontDoorRejection } from './rejection';
import { sha256Hex, type DocumentCache, type TrustedDocuments } from './documents';
import { forApollo, readOperation, readSearch, searchForApollo, type SentOperation } from './operations';

export { buildTrustedDocuments, createDocumentCache, loadTrustedDocuments, sha256Hex, trustedDocumentsOf } from './documents';
export type { DocumentCache, TrustedDocuments } from './documents';
export { DEFAULT_LIMITS, SYSTEM_FIELD_WEIGHTS, createOperationGuard } from './limits';
export type { OperationGuard, OperationLimits } from './limits';
export { FrontDoorRejection } from './rejection';
export { frontDoorFrom } from './settings';
export { installErrorAnswers } from './http-refusals';
export { useFrontDoor, type FrontDoorPlugin, type OpenFrontDoor } from './use-front-door';

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

/** A request as the door reads it: its method, its parsed body (POST) or its URL (GET), and its headers. */
export interface DoorRequest {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What passed the door: the request Apollo is handed, rebuilt from the documents the door checked, and those documents. */
export interface Admitted {
  /** A GET's search string (`?query=…`), or '' for a POST. */
  readonly search: string;
  /** A POST's body (one operation, or a batch); undefined for a GET. */
  readonly body: unknown;
  /** The documents checked, by text: Apollo's run of anything else is refused (see `useFrontDoorCheck`). */
  readonly checked: ReadonlySet<string>;
}

/**
 * The one door every GraphQL request passes before Apollo sees it (and so before any subgraph or system is called),
 * however it arrived (POST, GET, batch, persisted query by id, trusted document): read and normalise the request
 * (malformed fields refused), resolve each document (as sent, from the trusted documents, or from the persisted-query
 * store: Apollo itself resolves nothing by id), check it (trusted documents, the operation limits), then check the
 * request as a whole (its cost summed over its operations; an Idempotency-Key over more than one mutation). A
 * refusal is a {@link FrontDoorRejection}: a GraphQL error response with a stable code and the request id.
 */
export function createFrontDoor(settings: FrontDoorSettings, schema: GraphQLSchema, apqCache: DocumentCache | undefined) {
  const guard = createOperationGuard(schema, settings.limits);
  const trusted = settings.trustedDocuments;
  const apq = settings.apq && !trusted ? apqCache : undefined;

  /** The document of one operation, and whether it is to be remembered by its hash once the request passes. */
  const documentOf = async (sent: SentOperation): Promise<{ query: string; register: boolean }> => {
    if (sent.query !== undefined) {
      if (trusted && !trusted.includes(sent.query)) {
        throw new FrontDoorRejection('OPERATION_NOT_TRUSTED', 'This gateway runs only the operations its frontend registered (trusted documents); send a registered one, or its id.');
      }
      if (sent.hash === undefined) return { query: sent.query, register: false };
      if (!trusted && !apq) throw notSupported();
      if (sha256Hex(sent.query) !== sent.hash) throw new FrontDoorRejection('PERSISTED_QUERY_HASH_MISMATCH', 'The sha256Hash is not the sha256 of the query sent with it.');
      return { query: sent.query, register: apq !== undefined };
    }
    const hash = sent.hash!;
    const found = trusted ? trusted.byHash(hash) : apq ? await apq.get(`apq:${hash}`) : undefined;
    if (!trusted && !apq) throw notSupported();
    if (found === undefined) {
      throw new FrontDoorRejection('PERSISTED_QUERY_NOT_FOUND', trusted ? 'PersistedQueryNotFound: no trusted document has this id.' : 'PersistedQueryNotFound');
    }
    return { query: found, register: false };
  };

  return {
    /** Reads, resolves and checks one HTTP request; throws a {@link FrontDoorRejection} to refuse it. */
    async admit(request: DoorRequest): Promise<Admitted> {
      const isGet = request.method === 'GET' || request.method === 'HEAD';
      const batch = !isGet && Array.isArray(request.body);
      const entries: unknown[] = batch ? (request.body as unknown[]) : [request.body];
      if (batch && (settings.maxBatch <= 1 || entries.length > settings.maxBatch || entries.length === 0)) {
        throw new FrontDoorRejection(
          'BATCH_LIMIT_EXCEEDED',
          settings.maxBatch <= 1 ? 'This gateway does not take batched requests.' : `A batch may hold 1 to ${settings.maxBatch} operations; this one holds ${entries.length}.`,
          { limit: settings.maxBatch },
        );
      }
      const sent = isGet ? [readSearch(new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1 || request.url.length)))] : entries.map(readOperation);
      let cost = 0;
      let mutationFields = 0;
      const resolved: { query: string; register: boolean }[] = [];
      for (const operation of sent) {
        const document = await documentOf(operation);
        const measure = guard.check(document.query, operation.variables, operation.operationName);
        cost += measure.cost;
        mutationFields += measure.mutationFields;
        resolved.push(document);
      }
      if (sent.length > 1 && cost > settings.limits.maxCost) {
        throw new FrontDoorRejection(
          'COST_LIMIT_EXCEEDED',
          `The request's estimated cost is ${cost} over its ${sent.length} operations; at most ${settings.limits.maxCost} is allowed per request. Ask for fewer items or fewer fields, or send fewer operations.`,
          { limit: settings.limits.maxCost, cost },
        );
      }
      if (mutationFields > 1 && request.headers['idempotency-key'] !== undefined) {
        throw new FrontDoorRejection(
          'IDEMPOTENCY_KEY_ON_BATCH',
          `An Idempotency-Key covers one mutation; this request holds ${mutationFields}. Send each mutation in its own request with its own key.`,
        );
      }
      for (const [index, document] of resolved.entries()) {
        if (document.register) await apq!.set(`apq:${sent[index]!.hash!}`, document.query);
      }
      const operations = sent.map((operation, index) => forApollo(operation, resolved[index]!.query));
      return {
        search: isGet ? searchForApollo(operations[0]!) : '',
        body: isGet ? undefined : batch ? operations : operations[0],
        checked: new Set(resolved.map((document) => document.query)),
      };
    },
  };
}

const notSupported = () => new FrontDoorRejection('PERSISTED_QUERY_NOT_SUPPORTED', 'PersistedQueryNotSupported: this gateway takes documents in full (persisted queries are off).');
