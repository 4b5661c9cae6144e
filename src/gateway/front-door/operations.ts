import { FrontDoorRejection } from './rejection';

/**
 * One GraphQL operation as the front door reads it from a request (a POST body or an entry of a batch, or a GET's
 * search parameters), with every field of the right type: what is not is refused here, with a stable code, so
 * that nothing the door did not understand can reach Apollo. Internal to the front door.
 */
export interface SentOperation {
  readonly query: string | undefined;
  readonly variables: Record<string, unknown> | undefined;
  readonly operationName: string | undefined;
  /** The request's extensions without `persistedQuery` (the door resolves that itself). */
  readonly extensions: Record<string, unknown> | undefined;
  /** The sha256 (lowercase hex) of the document asked for by id: APQ's `persistedQuery.sha256Hash` or `documentId`. */
  readonly hash: string | undefined;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const DOCUMENT_ID = /^(?:sha256:)?([0-9a-f]{64})$/i;

const badRequest = (message: string) => new FrontDoorRejection('BAD_REQUEST', message);
const invalidPersisted = (message: string) => new FrontDoorRejection('PERSISTED_QUERY_INVALID', message);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** One operation of a POST body (or of a batch). */
export function readOperation(sent: unknown): SentOperation {
  if (!isObject(sent)) throw badRequest('Each operation must be a JSON object with a `query` (or a persisted query id).');
  const { query, variables, operationName, extensions, documentId } = sent;
  if (query !== undefined && query !== null && typeof query !== 'string') throw badRequest('`query` must be a string.');
  if (variables !== undefined && variables !== null && !isObject(variables)) throw badRequest('`variables` must be a JSON object.');
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') throw badRequest('`operationName` must be a string.');
  if (extensions !== undefined && extensions !== null && !isObject(extensions)) throw badRequest('`extensions` must be a JSON object.');
  const { persistedQuery, ...otherExtensions } = extensions ?? {};
  const hash = hashOf(persistedQuery, documentId);
  if ((query === undefined || query === null || query === '') && hash === undefined) {
    throw badRequest('GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.');
  }
  return {
    query: typeof query === 'string' && query !== '' ? query : undefined,
    variables: variables ?? undefined,
    operationName: operationName ?? undefined,
    extensions: Object.keys(otherExtensions).length > 0 ? otherExtensions : undefined,
    hash,
  };
}

/** The operation of a GET: each parameter at most once, JSON where JSON belongs. */
export function readSearch(search: URLSearchParams): SentOperation {
  const one = (name: string): string | undefined => {
    const values = search.getAll(name);
    if (values.length > 1) throw badRequest(`The parameter \`${name}\` is given ${values.length} times; give it once.`);
    return values[0];
  };
  const json = (name: string): unknown => {
    const value = one(name);
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw badRequest(`The parameter \`${name}\` is not valid JSON.`);
    }
  };
  return readOperation({ query: one('query'), operationName: one('operationName'), variables: json('variables'), extensions: json('extensions'), documentId: one('documentId') });
}

/** The id of a persisted document, from APQ's extension or a trusted document's `documentId`, checked for form. */
function hashOf(persistedQuery: unknown, documentId: unknown): string | undefined {
  let hash: string | undefined;
  if (persistedQuery !== undefined && persistedQuery !== null) {
    if (!isObject(persistedQuery)) throw invalidPersisted('`extensions.persistedQuery` must be an object: { "version": 1, "sha256Hash": "<64 hex digits>" }.');
    if (persistedQuery['version'] !== 1) {
      throw new FrontDoorRejection('PERSISTED_QUERY_VERSION_UNSUPPORTED', 'Only version 1 of persisted queries is supported: send `"version": 1`.');
    }
    const sha = persistedQuery['sha256Hash'];
    if (typeof sha !== 'string' || !HEX_SHA256.test(sha)) throw invalidPersisted('`extensions.persistedQuery.sha256Hash` must be a string of 64 hex digits (the sha256 of the document).');
    hash = sha.toLowerCase();
  }
  if (documentId !== undefined && documentId !== null) {
    const match = typeof documentId === 'string' ? DOCUMENT_ID.exec(documentId) : null;
    if (!match) throw invalidPersisted('`documentId` must be "sha256:" followed by 64 hex digits (the sha256 of the document).');
    const id = match[1]!.toLowerCase();
    if (hash !== undefined && hash !== id) throw invalidPersisted('`documentId` and `extensions.persistedQuery.sha256Hash` name different documents: send one.');
    hash = id;
  }
  return hash;
}

/** What Apollo is handed for one operation: the document the door resolved and checked, nothing by id. */
export function forApollo(sent: SentOperation, query: string): Record<string, unknown> {
  return {
    query,
    ...(sent.variables ? { variables: sent.variables } : {}),
    ...(sent.operationName !== undefined ? { operationName: sent.operationName } : {}),
    ...(sent.extensions ? { extensions: sent.extensions } : {}),
  };
}

/** The same as GET search parameters (a GET stays a GET: Apollo then refuses a mutation sent by it). */
export function searchForApollo(operation: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(operation)) search.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  return `?${search.toString()}`;
}
