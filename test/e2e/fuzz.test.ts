import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connect } from 'node:net';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The abuse suite: 10,000 generated malformed or hostile requests against the running gateway (broken JSON, wrong
 * types, huge strings, deep nesting, alias bombs, invalid variables, unknown operations, odd methods and content
 * types), and at every way into the front door (persisted-query shapes, GET variants with every kind of Accept,
 * batches mixed and nested with an Idempotency-Key, malformed Host headers). None may crash it or get a 5xx; every
 * refusal carries a stable code and the request id; its memory comes back within the bounds of its caches.
 * The generator is seeded: a failure names the request, and the same seed makes it again.
 */

const SEED = 20261127;
const RUNS = 10_000;
const IN_FLIGHT = 16;

/** Every code a client may meet: the gateway's own, Apollo's, and the systems' (README "Error codes"). */
const STABLE_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_INVALID',
  'PERSISTED_QUERY_VERSION_UNSUPPORTED',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'IDEMPOTENCY_KEY_ON_BATCH',
  'METHOD_NOT_ALLOWED',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'SYSTEM_BUSY',
  'REQUEST_TOO_LARGE_FOR_SYSTEM',
  'OPERATION_RESOLUTION_FAILURE',
  'DEPTH_LIMIT_EXCEEDED',
  'ALIAS_LIMIT_EXCEEDED',
  'ROOT_FIELD_LIMIT_EXCEEDED',
  'COST_LIMIT_EXCEEDED',
  'TOKEN_LIMIT_EXCEEDED',
  'BATCH_LIMIT_EXCEEDED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'MALFORMED_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_REJECTED',
  'CIRCUIT_OPEN',
]);

interface Fuzzed {
  readonly kind: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Sent as raw bytes with this Host header (undici refuses some malformed ones before sending). */
  readonly rawHost?: string;
}

/** A document over the cost limit, registered as a persisted query before the run: no way of asking for it may run it. */
const COSTLY = '{ customers(first: 500) { nodes { segment orders(first: 500) { nodes { id payment { status } } } } } }';
const COSTLY_HASH = createHash('sha256').update(COSTLY).digest('hex');
const WRITE = 'mutation { cancelOrder(orderId: "ord-fuzz-000") { status } }';
const FIELDS = ['customer(id: "cus-00001") { id name segment }', 'customers(first: 2) { nodes { id email } }', 'orders(first: 1) { nodes { id status } }', 'inventoryItem(sku: "SKU-00001") { sku onHand }'];
const json = (value: unknown) => JSON.stringify(value);
const post = (kind: string, body: string, contentType = 'application/json'): Fuzzed => ({ kind, method: 'POST', path: '/graphql', headers: { 'content-type': contentType }, body });

const anyJsonValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 5 }));
const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('../../etc/passwd', '%2e%2e%2f', '\r\nX-Injected: 1', '\u0000', 'cus-00001\u202e', '\uFF0E\uFF0E/', '${jndi:ldap://127.0.0.1/a}', "' OR 1=1 --", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
);
const nested = (depth: number) => `{ ${'customers(first: 1) { nodes { orders(first: 1) { nodes { customer { '.repeat(depth)}id${' } } } } }'.repeat(depth)} }`;

const requests: fc.Arbitrary<Fuzzed> = fc.oneof(
  // Broken JSON: cut off, random bytes, trailing garbage.
  fc.tuple(fc.constantFrom(...FIELDS), fc.nat({ max: 60 })).map(([field, cut]) => post('broken json', json({ query: `{ ${field} }` }).slice(0, cut))),
  fc.string({ unit: 'binary', maxLength: 300 }).map((text) => post('random body', text)),
  fc.string({ maxLength: 50 }).map((tail) => post('trailing garbage', `${json({ query: '{ __typename }' })}${tail}x`)),
  // Wrong types where strings and objects belong.
  fc.record({ query: anyJsonValue, variables: anyJsonValue, operationName: anyJsonValue, extensions: anyJsonValue }).map((body) => post('wrong types', json(body))),
  fc.oneof(fc.constant('[]'), fc.constant('null'), fc.constant('"query"'), fc.constant('123'), fc.constant('{}'), fc.constant('[[]]')).map((body) => post('odd shapes', body)),
  // Huge strings, within and over the body limit.
  fc.oneof({ arbitrary: fc.integer({ min: 10_000, max: 200_000 }), weight: 9 }, { arbitrary: fc.integer({ min: 1_050_000, max: 1_200_000 }), weight: 1 }).map((size) => post('huge string', json({ query: `{ customer(id: "${'x'.repeat(size)}") { id } }` }))),
  fc.integer({ min: 1_000, max: 200_000 }).map((size) => post('huge variables', json({ query: 'query($id: ID!) { customer(id: $id) { id } }', variables: { id: 'y'.repeat(size) } }))),
  // Deep nesting, in the document and in the variables.
  fc.integer({ min: 5, max: 400 }).map((depth) => post('deep document', json({ query: nested(depth) }))),
  fc.integer({ min: 100, max: 5_000 }).map((depth) => post('deep variables', `{"query":"query($id: ID!) { customer(id: $id) { id } }","variables":{"id":${'['.repeat(depth)}1${']'.repeat(depth)}}}`)),
  fc.integer({ min: 50, max: 3_000 }).map((depth) => post('deep braces', json({ query: `${'{'.repeat(depth)}${'}'.repeat(depth)}` }))),
  // Alias bombs and field repetition.
  fc.integer({ min: 31, max: 2_000 }).map((count) => post('alias bomb', json({ query: `{ ${Array.from({ length: count }, (_, i) => `a${i}: customer(id: "cus-00001") { id }`).join(' ')} }` }))),
  fc.integer({ min: 100, max: 3_000 }).map((count) => post('field repetition', json({ query: `{ customer(id: "cus-00001") { ${'id '.repeat(count)} } }` }))),
  fc.integer({ min: 2, max: 40 }).map((count) => post('fragment cycle', json({ query: `{ ...F0 } ${Array.from({ length: count }, (_, i) => `fragment F${i} on Query { ...F${(i + 1) % count} }`).join(' ')}` }))),
  // Invalid variables and operation names.
  fc.record({ id: anyJsonValue, first: anyJsonValue }).map((variables) => post('invalid variables', json({ query: 'query($id: ID!, $first: Int) { customer(id: $id) { id orders(first: $first) { nodes { id } } } }', variables }))),
  fc.string({ maxLength: 30 }).map((name) => post('unknown operation', json({ query: 'query A { __typename } query B { __typename }', operationName: name }))),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 70 }).map((hash) => post('unknown persisted query', json({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }))),
  fc.constantFrom(...FIELDS).chain((field) => hostileText.map((text) => post('hostile literal', json({ query: `{ ${field.replace(/"[^"]*"/, json(text))} }` })))),
  hostileText.map((text) => post('hostile id variable', json({ query: 'query($id: ID!) { customer(id: $id) { id name } order(id: $id) { id } }', variables: { id: text } }))),
  hostileText.map((text) => post('hostile mutation', json({ query: 'mutation($id: ID!) { cancelOrder(orderId: $id) { status } }', variables: { id: text } }))),
  // Batches: empty, long, mixed.
  fc.array(fc.oneof(fc.constant({ query: '{ __typename }' }), anyJsonValue), { maxLength: 30 }).map((batch) => post('batch', json(batch))),
  // Methods, content types, query strings.
  fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql', 'application/json; charset=latin1', 'application/xml').map((type) => post('content type', json({ query: '{ __typename }' }), type)),
  fc.constantFrom<'PUT' | 'DELETE' | 'PATCH'>('PUT', 'DELETE', 'PATCH').map((method): Fuzzed => ({ kind: 'method', method, path: '/graphql', headers: { 'content-type': 'application/json' }, body: json({ query: '{ __typename }' }) })),
  fc.tuple(hostileText, hostileText).map(([query, variables]): Fuzzed => ({
    kind: 'get',
    method: 'GET',
    path: `/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(variables)}&extensions=${encodeURIComponent(variables)}`,
    headers: { 'apollo-require-preflight': 'true' },
  })),
  // Persisted queries: every shape of the extension and of documentId, with and without a document, for a registered
  // costly document and for unknown ones.
  fc.record({ sha256Hash: fc.oneof(anyJsonValue, fc.constant(COSTLY_HASH), fc.constant([COSTLY_HASH]), fc.constant({ 0: COSTLY_HASH }), fc.constant('f'.repeat(100_000)), fc.constant(COSTLY_HASH.toUpperCase())), version: fc.oneof(fc.constant(1), anyJsonValue) }).chain((persistedQuery) =>
    fc.record({ query: fc.option(fc.constantFrom(COSTLY, '{ __typename }', 'query A { __typename } query B { __typename }'), { nil: undefined }), operationName: fc.option(fc.oneof(fc.constantFrom('A', 'B', 'Nope'), anyJsonValue), { nil: undefined }) })
      .map((rest) => post('apq shape', json({ ...rest, extensions: { persistedQuery } })))),
  fc.oneof(anyJsonValue, fc.constant(COSTLY_HASH), fc.constant(`sha256:${COSTLY_HASH}`), fc.constant([COSTLY_HASH])).map((documentId) => post('document id', json({ documentId }))),
  fc.oneof(anyJsonValue, fc.constant('abc')).map((persistedQuery) => post('apq not an object', json({ extensions: { persistedQuery } }))),
  // GET: every kind of Accept, parameters missing, duplicated or not JSON, persisted queries by hash.
  fc.record({
    accept: fc.constantFrom('text/html', 'text/html, application/json', 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8', 'application/json', '*/*', 'application/graphql-response+json', 'image/png', ''),
    params: fc.array(fc.tuple(fc.constantFrom('query', 'variables', 'operationName', 'extensions', 'documentId'), fc.oneof(fc.constantFrom('{ __typename }', COSTLY, json({ persistedQuery: { version: 1, sha256Hash: COSTLY_HASH } }), json({ persistedQuery: { version: 1, sha256Hash: [COSTLY_HASH] } }), '{}', '[', 'null'), fc.string({ maxLength: 20 }))), { maxLength: 5 }),
  }).map(({ accept, params }): Fuzzed => ({
    kind: 'get variant',
    method: 'GET',
    path: `/graphql${params.length ? `?${params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&')}` : '?'}`,
    headers: accept ? { accept } : {},
  })),
  // Batches: queries, mutations and persisted queries mixed, nested arrays, with and without an Idempotency-Key.
  fc.record({
    entries: fc.array(fc.oneof(fc.constant({ query: '{ __typename }' }), fc.constant({ query: WRITE }), fc.constant({ extensions: { persistedQuery: { version: 1, sha256Hash: COSTLY_HASH } } }), fc.constant([{ query: '{ __typename }' }]), fc.constant({ query: COSTLY })), { maxLength: 12 }),
    key: fc.option(fc.constantFrom('fuzz-key-1', ''), { nil: undefined }),
  }).map(({ entries, key }): Fuzzed => ({ ...post('batch mixed', json(entries)), headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) } })),
  // Host headers, well-formed and not.
  fc.oneof(fc.constantFrom('', '%', '[::1', 'a b', 'x:y:z', '[::1]:80', 'localhost:99999999', 'a/b', '..', 'localhost'), fc.string({ maxLength: 30 }).filter((host) => !/[\r\n\0]/.test(host))).map((rawHost): Fuzzed => ({ ...post('host header', json({ query: '{ __typename }' })), rawHost })),
  fc.constantFrom('/graphql?query=%', '/graphql?%%%', '/graphql/../admin/api/systems', '/graphql?query=mutation%7B__typename%7D', '/%2e%2e/graphql').map((path): Fuzzed => ({ kind: 'odd path', method: 'GET', path, headers: { 'apollo-require-preflight': 'true' } })),
);

let stack: TestStack;
let agent: Agent;

beforeAll(async () => {
  stack = await startTestStack();
  agent = new Agent({ connections: IN_FLIGHT, pipelining: 1 });
}, 60_000);
afterAll(async () => {
  await agent?.close();
  await stack?.close();
});

/** The heap after a full collection (V8's gc exposed at run time: jest does not start node with --expose-gc). */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Sends a request as raw bytes (for Host headers undici will not send) and reads the answer. */
async function sendRaw(fuzzed: Fuzzed): Promise<{ status: number; type: string; text: string }> {
  const body = fuzzed.body ?? '';
  const head = [`${fuzzed.method} ${fuzzed.path} HTTP/1.1`, `Host: ${fuzzed.rawHost}`, ...Object.entries(fuzzed.headers).map(([name, value]) => `${name}: ${value}`), `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(new URL(stack.gateway.origin).port), '127.0.0.1', () => socket.write(`${head.join('\r\n')}\r\n\r\n${body}`));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  const [answerHead = '', ...rest] = text.split('\r\n\r\n');
  const chunked = /\r\ntransfer-encoding: chunked/i.test(answerHead);
  const answerBody = rest.join('\r\n\r\n');
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answerHead)?.[1] ?? 0),
    type: /\r\ncontent-type: ([^\r]+)/i.exec(answerHead)?.[1] ?? '',
    text: chunked ? answerBody.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n[\s\S]*$/, '') : answerBody,
  };
}

async function send(fuzzed: Fuzzed): Promise<{ status: number; type: string; text: string }> {
  if (fuzzed.rawHost !== undefined) return sendRaw(fuzzed);
  const response = await request(`${stack.gateway.origin}${fuzzed.path}`, {
    method: fuzzed.method,
    headers: fuzzed.headers,
    ...(fuzzed.body === undefined ? {} : { body: fuzzed.body }),
    dispatcher: agent,
  });
  return { status: response.statusCode, type: String(response.headers['content-type'] ?? ''), text: await response.body.text() };
}

/** What is wrong with one answer, or null: a 5xx, a body that is not JSON, an error without a stable code. */
function problemOf(answer: { status: number; type: string; text: string }): string | null {
  if (answer.status >= 500 || answer.status === 0) return `status ${answer.status}`;
  if (answer.status === 200 && answer.type.startsWith('text/html')) return null; // the explorer's page
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `not JSON (${answer.type}): ${answer.text.slice(0, 120)}`;
  }
  // The admin API's refusals have their own shape: { error: { code } }.
  const adminCode = (body as { error?: { code?: unknown } } | null)?.error?.code;
  if (adminCode !== undefined) {
    const { requestId } = (body as { error: { requestId?: unknown } }).error;
    return STABLE_CODES.has(String(adminCode)) && typeof requestId === 'string' ? null : `admin error without a stable code or request id: ${answer.text.slice(0, 120)}`;
  }
  const results = Array.isArray(body) ? body : [body];
  for (const result of results) {
    const errors = (result as { errors?: { extensions?: { code?: unknown; requestId?: unknown } }[] } | null)?.errors ?? [];
    const unstable = errors.filter((error) => !STABLE_CODES.has(String(error.extensions?.code)) || typeof error.extensions?.requestId !== 'string');
    if (unstable.length > 0) return `error without a stable code or request id: ${JSON.stringify(unstable[0]).slice(0, 200)}`;
  }
  if (answer.status >= 400 && results.every((result) => !(result as { errors?: unknown[] } | null)?.errors?.length)) {
    return `status ${answer.status} without an error: ${answer.text.slice(0, 120)}`;
  }
  return null;
}

/** Sends `count` generated requests (seeded from `seed`), a thousand generated at a time and dropped once sent. */
async function fuzz(seed: number, count: number, tally: { byKind: Map<string, number>; byStatus: Map<number, number>; problems: string[] }): Promise<void> {
  const CHUNK = 1_000;
  for (let chunk = 0; chunk < count / CHUNK; chunk += 1) {
    let generated: Fuzzed[] = fc.sample(requests, { numRuns: CHUNK, seed: seed + chunk });
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < generated.length) {
          const index = chunk * CHUNK + next;
          const fuzzed = generated[next++]!;
          tally.byKind.set(fuzzed.kind, (tally.byKind.get(fuzzed.kind) ?? 0) + 1);
          const answer = await send(fuzzed);
          tally.byStatus.set(answer.status, (tally.byStatus.get(answer.status) ?? 0) + 1);
          const problem = problemOf(answer) ?? (answer.text.includes('"payment"') ? 'the costly persisted document ran' : null);
          if (problem) tally.problems.push(`seed ${seed + chunk} #${index % CHUNK} ${fuzzed.kind} ${fuzzed.method} ${fuzzed.path} ${String(fuzzed.body ?? '').slice(0, 160)} → ${problem}`);
        }
      }),
    );
    generated = [];
  }
}

it(`survives ${RUNS.toLocaleString('en')} hostile requests: no crash, no 5xx, a stable code on every refusal, memory back to baseline`, async () => {
  // Warm up with well-formed requests, so that the baseline includes what a working gateway keeps anyway.
  for (let i = 0; i < 200; i += 1) await send(post('warm-up', json({ query: `{ ${FIELDS[i % FIELDS.length]} }` })));
  // The costly document registered under its hash the way Apollo once would have (the door refuses to register it):
  // what the fuzzer's persisted-query shapes aim at.
  await stack.gateway.persistedQueries?.set(`apq:${COSTLY_HASH}`, COSTLY);
  const baseline = heapAfterGc();

  const tally = { byKind: new Map<string, number>(), byStatus: new Map<number, number>(), problems: [] as string[] };
  // Two halves with different seeds: the first fills the bounded caches (documents Apollo has validated, query plans,
  // persisted queries, the front door's verdicts); the second must not grow the heap further (nothing leaks).
  await fuzz(SEED, RUNS / 2, tally);
  const half = heapAfterGc();
  await fuzz(SEED + 1_000, RUNS / 2, tally);

  // Still serving, and its memory back where it was after the first half.
  const alive = await send(post('after', json({ query: '{ customer(id: "cus-00001") { id name } }' })));
  expect(alive.status).toBe(200);
  const after = heapAfterGc();
  const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
  process.stdout.write(
    `fuzz (seed ${SEED}): ${RUNS} requests; kinds ${JSON.stringify(Object.fromEntries(tally.byKind))}; statuses ${JSON.stringify(Object.fromEntries(tally.byStatus))}; ` +
      `heap after gc: ${mb(baseline)} MB before, ${mb(half)} MB after ${RUNS / 2}, ${mb(after)} MB after ${RUNS}\n`,
  );
  expect(tally.problems.slice(0, 20)).toEqual([]);
  expect(tally.byKind.size).toBeGreaterThanOrEqual(28);
  // What stays is what the bounded caches hold (Apollo's validated documents and the gateway's query plans, 30 MiB
  // each by their own measure of a document, which undercounts its tokens; the front door's verdicts 8 MiB; persisted
  // queries 16 MiB; the read cache 20,000 entries): after either half the heap is within them. (How the growth splits
  // between the halves depends on when V8 collects: it is printed, not asserted.)
  expect(half - baseline).toBeLessThan(160 * 1_048_576);
  expect(after - baseline).toBeLessThan(160 * 1_048_576);
}, 300_000);
