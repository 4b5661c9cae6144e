/**
 * Every error code a client can see: the public contract, in one place. The gateway (what it lets through unmasked,
 * the status of a front-door refusal), the subgraphs (how an integration failure is worded), the webhooks, the admin
 * API, the docs (docs/error-codes.md is checked against this list by test/unit/error-codes.test.ts) and the tests
 * read it. A code not here is not public: the gateway masks it as INTERNAL_SERVER_ERROR.
 */

/**
 * Where a client meets a code:
 * - `answer`: an error of a GraphQL answer, from running the operation (the gateway lets these through unmasked);
 * - `front-door`: `/graphql` refusing a request before anything runs, in the GraphQL shape `{errors:[…]}`;
 * - `admin`: the admin API (and `/metrics`, `/admin`), as `{error:{code, message}}`;
 * - `receipt`: a mutation's receipt (`error.code`), the mutation having been answered;
 * - `webhook`: `POST /webhooks/payments`, as `{error:{code, message}}` to the payment gateway;
 * - `subgraph`: a subgraph refusing a request that is not the gateway's (signed requests).
 */
export type ErrorSurface = 'answer' | 'front-door' | 'admin' | 'receipt' | 'webhook' | 'subgraph';

/** One code of the public contract. */
export interface ErrorCodeDefinition {
  /** What happened, in a sentence a client developer can act on. */
  readonly meaning: string;
  /** The HTTP status of an answer that carries it (200: a GraphQL answer, with whatever data could be served). */
  readonly status: number;
  /** Whether the same request, sent again later unchanged, may succeed. */
  readonly retryable: boolean;
  /** What the client (or ops) should do. */
  readonly action: string;
  /** Where it is seen. */
  readonly surfaces: readonly ErrorSurface[];
  /**
   * An integration failure: it comes from a system, carries `extensions.system`, and a subgraph says it as
   * "<system> <says>: <operation> failed".
   */
  readonly system?: { readonly says: string };
}

const RETRY_LATER = 'its fields are null; retry later';
const LIMIT = 'ask for less: fewer items (`first`), fewer levels, or several operations';

export const ERROR_CODES = {
  // Integration failures: adapters translate every vendor error into one of these at the boundary.
  UPSTREAM_UNAVAILABLE: { meaning: 'the system could not be reached, reset the connection or answered 5xx', status: 200, retryable: true, action: RETRY_LATER, surfaces: ['answer', 'receipt'], system: { says: 'is unavailable' } },
  UPSTREAM_TIMEOUT: { meaning: 'the system did not answer within its timeout (`PLUGBOARD_TIMEOUT_MS`)', status: 200, retryable: true, action: RETRY_LATER, surfaces: ['answer', 'receipt'], system: { says: 'did not answer in time' } },
  UPSTREAM_RATE_LIMITED: { meaning: 'the system asked us to slow down; `extensions.retryAfterMs` when it said how long', status: 200, retryable: true, action: 'back off', surfaces: ['answer', 'receipt'], system: { says: 'is rate limiting us' } },
  UPSTREAM_BAD_RESPONSE: { meaning: 'the system answered with something its contract does not allow (malformed or wrong-shaped)', status: 200, retryable: false, action: 'the adapter refused to pass it on; ops look at the system', surfaces: ['answer', 'receipt'], system: { says: 'sent an unexpected answer' } },
  UPSTREAM_AUTH_FAILED: { meaning: 'the system refused our credentials (or our client certificate)', status: 200, retryable: false, action: 'fix the credentials in the environment', surfaces: ['answer', 'receipt'], system: { says: 'refused our credentials' } },
  UPSTREAM_REJECTED: { meaning: 'the system understood the request and refused it (validation, business rule, unknown record)', status: 200, retryable: false, action: 'change the request', surfaces: ['answer', 'receipt'], system: { says: 'refused the request' } },
  CIRCUIT_OPEN: { meaning: 'the breaker for this system and operation is open after repeated failures: the call was not attempted', status: 200, retryable: true, action: 'wait; it closes by itself after a good trial call', surfaces: ['answer', 'receipt'], system: { says: 'is failing (breaker open)' } },
  SYSTEM_BUSY: { meaning: 'our own limit of calls in flight to the system (its bulkhead, `PLUGBOARD_SYSTEM_MAX_CALLS`) was full for longer than `PLUGBOARD_SYSTEM_QUEUE_WAIT_MS`: the system was not asked, and its breaker does not count it', status: 200, retryable: true, action: 'retry shortly; see [overload](overload.md)', surfaces: ['answer', 'receipt'], system: { says: 'was not called: we are busy (our bulkhead is full)' } },
  SYSTEM_NOT_IN_ESTATE: { meaning: 'the product knows this system, but this estate\'s integration map (`schema/integration-map.yaml`) does not declare it: it is not connected, and its fields are null', status: 200, retryable: false, action: 'nothing, if the estate has no such system; else declare it in the map and set its variables ([configuration](configuration.md#systems-outside-the-estate))', surfaces: ['answer', 'receipt'], system: { says: 'is not in this estate' } },
  REQUEST_TOO_LARGE_FOR_SYSTEM: { meaning: 'the system refused a request we built for its size (HTTP 414/431, e.g. a URL past its limit): our defect, logged as ours, never blamed on the system nor counted by its breaker', status: 200, retryable: false, action: 'report it with the request id; ask for fewer items at once meanwhile', surfaces: ['answer', 'receipt'], system: { says: 'was sent a request too large by us' } },

  // Running an operation.
  BAD_USER_INPUT: { meaning: 'an argument is out of range (e.g. `first` outside 1–500; `extensions.argument` names it), text breaks the [input rules](writes.md#input-rules) (`extensions.argument` and `extensions.field` name it), a mutation\'s input is malformed, or an admin API parameter is (400 there)', status: 200, retryable: false, action: 'fix the input', surfaces: ['answer', 'receipt', 'admin'] },
  UNAUTHENTICATED: { meaning: 'no bearer token, or an invalid or expired one (a mutation, or any request with `PLUGBOARD_READS=closed`; `/admin` and `/metrics` without the admin token); 401 at the door and the admin API, 200 in a mutation\'s answer', status: 401, retryable: false, action: 'send `Authorization: Bearer <token>`', surfaces: ['answer', 'front-door', 'admin'] },
  FORBIDDEN: { meaning: 'the token lacks the scope the mutation needs (the message names it)', status: 200, retryable: false, action: 'mint a token with that scope', surfaces: ['answer'] },
  IDEMPOTENCY_KEY_REUSED: { meaning: 'the idempotency key was used for another request of this operation (other arguments, or another caller): nothing was applied ([writes](writes.md))', status: 200, retryable: false, action: 'send a new key (a UUID) for a new request', surfaces: ['answer', 'receipt'] },
  IDEMPOTENCY_KEY_IN_USE: { meaning: 'a copy of this mutation (same operation, idempotency key and caller) is still being applied by another process, after 30 s of waiting for its receipt', status: 200, retryable: true, action: 'send it again later: it answers the receipt', surfaces: ['answer', 'receipt'] },
  NOT_FOUND: { meaning: 'the customer, order or outbox job does not exist (a receipt, 200; the admin API, 404); or no such route (404)', status: 404, retryable: false, action: 'check the id or the path', surfaces: ['receipt', 'admin', 'front-door'] },
  CONFLICT: { meaning: 'the change is not allowed: an order status that cannot move there, an e-mail another customer has', status: 200, retryable: false, action: 'change the request', surfaces: ['receipt'] },
  GRAPHQL_PARSE_FAILED: { meaning: 'the operation is not valid GraphQL', status: 400, retryable: false, action: 'fix the operation', surfaces: ['answer', 'front-door'] },
  GRAPHQL_VALIDATION_FAILED: { meaning: 'the operation is not valid for this schema', status: 400, retryable: false, action: 'fix the operation', surfaces: ['answer', 'front-door'] },
  OPERATION_RESOLUTION_FAILURE: { meaning: '`operationName` names no operation of the document, or the document holds several and none is named', status: 400, retryable: false, action: 'name the operation to run', surfaces: ['answer', 'front-door'] },
  BAD_REQUEST: { meaning: 'the request cannot be read as GraphQL over HTTP: a field of the wrong type, a GET parameter twice, a malformed `Host`', status: 400, retryable: false, action: 'send `{query, variables, operationName}` as JSON', surfaces: ['answer', 'front-door', 'subgraph'] },
  INTERNAL_SERVER_ERROR: { meaning: 'anything unexpected, masked: the gateway\'s log has the original under the request id', status: 200, retryable: false, action: 'look at the gateway\'s logs with the request id', surfaces: ['answer', 'admin'] },

  // The front door: the request is refused before anything runs.
  DEPTH_LIMIT_EXCEEDED: { meaning: 'the operation nests deeper than the front door allows (`extensions.limit`)', status: 400, retryable: false, action: LIMIT, surfaces: ['front-door'] },
  ALIAS_LIMIT_EXCEEDED: { meaning: 'the operation uses more aliases than the front door allows (`extensions.limit`)', status: 400, retryable: false, action: LIMIT, surfaces: ['front-door'] },
  ROOT_FIELD_LIMIT_EXCEEDED: { meaning: 'the operation selects more root fields than the front door allows (`extensions.limit`)', status: 400, retryable: false, action: LIMIT, surfaces: ['front-door'] },
  COST_LIMIT_EXCEEDED: { meaning: 'the operation\'s (or the batch\'s) estimated cost is over the limit (`extensions.limit`, `extensions.cost`)', status: 400, retryable: false, action: LIMIT, surfaces: ['front-door'] },
  TOKEN_LIMIT_EXCEEDED: { meaning: 'the document has more lexical tokens than the parser takes (`extensions.limit`)', status: 400, retryable: false, action: LIMIT, surfaces: ['front-door'] },
  BATCH_LIMIT_EXCEEDED: { meaning: 'a batched request (JSON array) with more operations than `PLUGBOARD_LIMIT_BATCH`, or batching is off', status: 400, retryable: false, action: 'send fewer per batch', surfaces: ['front-door'] },
  IDEMPOTENCY_KEY_ON_BATCH: { meaning: 'an `Idempotency-Key` on a request holding more than one mutation field', status: 400, retryable: false, action: 'send each mutation in its own request with its own key', surfaces: ['front-door'] },
  OVERLOADED: { meaning: 'the gateway is at capacity and did not run the request (`Retry-After`; [overload](overload.md))', status: 503, retryable: true, action: 'retry after the Retry-After delay', surfaces: ['front-door'] },
  DEADLINE_EXCEEDED: { meaning: 'the request found no complete answer within `PLUGBOARD_REQUEST_DEADLINE_MS` (`Retry-After`; a mutation may still land: the same Idempotency-Key gets its receipt)', status: 503, retryable: true, action: 'retry after the Retry-After delay, with the same Idempotency-Key', surfaces: ['front-door'] },
  PAYLOAD_TOO_LARGE: { meaning: 'the request body is larger than the gateway takes', status: 413, retryable: false, action: 'send a smaller request', surfaces: ['front-door'] },
  MALFORMED_REQUEST: { meaning: 'the body is empty, not JSON, or its Content-Length is wrong', status: 400, retryable: false, action: 'send JSON with `content-type: application/json`', surfaces: ['front-door'] },
  UNSUPPORTED_MEDIA_TYPE: { meaning: 'a POST that is not `application/json` (what an HTML form can send never reaches GraphQL)', status: 415, retryable: false, action: 'send `content-type: application/json` (GET queries need no special header)', surfaces: ['front-door'] },
  METHOD_NOT_ALLOWED: { meaning: 'a method `/graphql` does not take, or a mutation by GET', status: 405, retryable: false, action: 'POST mutations; see [the front door](front-door.md)', surfaces: ['front-door'] },
  HEADERS_TOO_LARGE: { meaning: 'the request\'s headers are larger than the gateway reads', status: 431, retryable: false, action: 'send fewer or smaller headers', surfaces: ['front-door'] },
  REQUEST_TIMEOUT: { meaning: 'the request (headers or body) was not received in time', status: 408, retryable: true, action: 'send it again, whole', surfaces: ['front-door'] },
  PERSISTED_QUERY_NOT_FOUND: { meaning: 'the gateway does not know this document id (automatic persisted queries: send the document once with it)', status: 200, retryable: true, action: 'send the document with its hash', surfaces: ['answer', 'front-door'] },
  PERSISTED_QUERY_NOT_SUPPORTED: { meaning: 'persisted queries are off on this gateway (`PLUGBOARD_APQ=off`)', status: 200, retryable: false, action: 'send the document in full', surfaces: ['answer', 'front-door'] },
  PERSISTED_QUERY_INVALID: { meaning: 'a malformed persisted-query extension or `documentId`', status: 400, retryable: false, action: 'send `{ "version": 1, "sha256Hash": "<64 hex digits>" }`', surfaces: ['front-door'] },
  PERSISTED_QUERY_VERSION_UNSUPPORTED: { meaning: 'a persisted-query version other than 1', status: 400, retryable: false, action: 'send `"version": 1`', surfaces: ['front-door'] },
  PERSISTED_QUERY_HASH_MISMATCH: { meaning: 'the `sha256Hash` is not the sha256 of the query sent with it ([front door](front-door.md))', status: 400, retryable: false, action: 'send the sha256 of the document, 64 hex digits', surfaces: ['front-door'] },
  OPERATION_NOT_TRUSTED: { meaning: 'trusted-documents mode: this document is not in the allowlist', status: 400, retryable: false, action: 'register it with `npm run trusted-documents` and deploy the list', surfaces: ['front-door'] },

  // The admin API.
  CUTOVER_REFUSED: { meaning: 'the entity has fewer consecutive clean reconciliation days than `PLUGBOARD_CUTOVER_CLEAN_DAYS` (`cleanDays`, `requiredCleanDays`; `npm run cutover` exits 1)', status: 409, retryable: false, action: 'keep shadow mode on and reconcile daily', surfaces: ['admin'] },
  ALREADY_CUT_OVER: { meaning: 'shadow mode cannot be switched on for an entity already cut over: the legacy shop is no longer written', status: 409, retryable: false, action: 'nothing: the cutover is done', surfaces: ['admin'] },
  NOT_REPLAYABLE: { meaning: 'only a failed or dead outbox job can be replayed (`state` says what it is)', status: 409, retryable: false, action: 'follow the job; it is pending or done', surfaces: ['admin'] },

  // POST /webhooks/payments: every refusal is also an inbound integration_logs row.
  WEBHOOK_SIGNATURE_INVALID: { meaning: 'no signature header, or one that does not match the body and our signing secret or key (forged or altered); answered 401 or 404 instead where the vendor asks for it ([webhooks in](writes.md#webhooks-in-from-every-system-that-pushes))', status: 400, retryable: false, action: 'check the system\'s webhook setting (`PAYMENTS_WEBHOOK_SECRET`, or its own in [configuration](configuration.md)) against the vendor\'s', surfaces: ['webhook'] },
  WEBHOOK_TOO_OLD: { meaning: 'a good signature older than `PLUGBOARD_WEBHOOK_TOLERANCE_S` (the payment gateway\'s), or the 5 minutes its vendor sets', status: 400, retryable: false, action: 'check both clocks; an old captured delivery is refused on purpose', surfaces: ['webhook'] },
  WEBHOOK_FROM_THE_FUTURE: { meaning: 'a good signature dated more than `PLUGBOARD_WEBHOOK_TOLERANCE_S` ahead of our clock', status: 400, retryable: false, action: 'check both clocks', surfaces: ['webhook'] },
  WEBHOOK_REPLAYED: { meaning: 'this exact delivery (event and signature) was accepted before', status: 409, retryable: false, action: 'nothing: it was applied once', surfaces: ['webhook'] },
  WEBHOOK_MALFORMED: { meaning: 'signed, but not JSON or not the shape of an event', status: 400, retryable: false, action: 'look at the row\'s payload', surfaces: ['webhook'] },
  WEBHOOK_TOO_LARGE: { meaning: 'the body is over 1 MiB', status: 413, retryable: false, action: 'nothing: no event is that large', surfaces: ['webhook'] },
  WEBHOOK_NOT_APPLIED: { meaning: 'our database or cache failed while applying it', status: 503, retryable: true, action: 'nothing: the system sends it again', surfaces: ['webhook'] },
  WEBHOOK_UNUSABLE: { meaning: 'signed, but it can never apply (its order id is unusable): acknowledged (200) so that it is not sent again, kept as `unusable`, logged, and told to ops ([writes](writes.md#webhooks))', status: 200, retryable: false, action: 'look at the event at the payment gateway', surfaces: ['webhook'] },

  // A subgraph answers only the gateway.
  GATEWAY_SIGNATURE_MISSING: { meaning: 'a request to a subgraph without the gateway\'s signature', status: 401, retryable: false, action: 'call the gateway, not the subgraph', surfaces: ['subgraph'] },
  GATEWAY_SIGNATURE_INVALID: { meaning: 'a request to a subgraph whose signature does not match (`PLUGBOARD_SUBGRAPH_SECRET` differs)', status: 401, retryable: false, action: 'give the gateway and the subgraphs the same secret', surfaces: ['subgraph'] },
  GATEWAY_SIGNATURE_EXPIRED: { meaning: 'a signed request to a subgraph that is too old (or the clocks differ)', status: 401, retryable: false, action: 'check the clocks', surfaces: ['subgraph'] },
} as const satisfies Record<string, ErrorCodeDefinition>;

/** A code of the public contract. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Every code, in the list's order. */
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

/** The definition of a code, or undefined for a string that is not one. */
export function errorCodeDefinition(code: string): ErrorCodeDefinition | undefined {
  return Object.hasOwn(ERROR_CODES, code) ? (ERROR_CODES as Record<string, ErrorCodeDefinition>)[code] : undefined;
}

/** The codes seen in a place, e.g. `codesSeenIn('answer')`: what the gateway lets through unmasked. */
export function codesSeenIn(surface: ErrorSurface): ErrorCode[] {
  return ERROR_CODE_NAMES.filter((code) => (ERROR_CODES[code].surfaces as readonly ErrorSurface[]).includes(surface));
}

/** The integration failures: the codes an adapter may raise. */
type IntegrationCodes<T> = { [K in keyof T]: T[K] extends { system: object } ? K : never }[keyof T];
export type IntegrationErrorCode = IntegrationCodes<typeof ERROR_CODES>;
