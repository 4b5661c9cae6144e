import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@redis/client';
import { print, parse } from 'graphql';
import { sha256Hex } from '../../src/gateway/front-door';
import { redisForTests } from '../support/redis';
import { eventually } from '../support/scratch-database';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The gateway's front door, over HTTP as a frontend (or an attacker) meets it: operation limits, batches and body size
 * refused with stable codes before any system is called; automatic persisted queries; trusted documents; production's
 * closed introspection; GET queries as default clients send them, and the CORS allowlist.
 */

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const OPERATIONS = path.join(ROOT, 'test', 'operations');

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(stack: TestStack, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

/** Requests every sandbox has received: a refused request must leave them all unchanged. */
const systemCalls = (stack: TestStack) =>
  Object.values(stack.estate!.sandboxes).reduce((sum, sandbox) => sum + sandbox.stats.snapshot().total, 0);

/**
 * The sandboxes' count once nothing an earlier request started is still running: after a customer is answered, the
 * source-of-truth check reads the followers' copies in the background, and those reads may arrive at any moment.
 */
const settledSystemCalls = async (stack: TestStack) => {
  await eventually('no system call still running', async () => stack.resilience.callsRunning(), (running) => running === 0);
  return systemCalls(stack);
};

const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.['code'];

describe('the demo front door', () => {
  let stack: TestStack;
  let redisUrl: string | undefined;

  beforeAll(async () => {
    redisUrl = await redisForTests();
    stack = await startTestStack(redisUrl ? { REDIS_URL: redisUrl } : {});
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** Segments come from the CRM: had any of these run, the CRM would have been called. */
  const nested = (depth: number) => `{ customers(first: 1) { nodes { ${'orders(first: 1) { nodes { customer { '.repeat(depth)}segment${' } } }'.repeat(depth)} } } }`;

  it.each([
    ['DEPTH_LIMIT_EXCEEDED', { query: nested(5) }],
    ['ALIAS_LIMIT_EXCEEDED', { query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: customer(id: "cus-00001") { segment }`).join(' ')} }` }],
    ['ROOT_FIELD_LIMIT_EXCEEDED', { query: `{ ${Array.from({ length: 16 }, () => 'customer(id: "cus-00001") { segment }').join(' ')} }` }],
    ['COST_LIMIT_EXCEEDED', { query: '{ customers(first: 500) { nodes { segment orders(first: 500) { nodes { id payment { status } } } } } }' }],
    ['COST_LIMIT_EXCEEDED', { query: 'query($n: Int) { customers(first: $n) { nodes { orders(first: $n) { nodes { id shipments { status } } } } } }', variables: { n: 400 } }],
    ['TOKEN_LIMIT_EXCEEDED', { query: `{ customers(first: 1) { nodes { ${'id '.repeat(6_000)} } } }` }],
  ])('refuses %s with a 400, a stable code and the request id, before any system is called', async (code, body) => {
    const before = await settledSystemCalls(stack);
    const answer = await post(stack, body, { 'x-request-id': 'front-door-test-0001' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { message: expect.any(String), extensions: expect.objectContaining({ code, limit: expect.any(Number), requestId: 'front-door-test-0001' }) },
    ]);
    expect(answer.headers.get('x-request-id')).toBe('front-door-test-0001');
    expect(await settledSystemCalls(stack)).toBe(before);
  });

  it('passes every operation the frontend sends, and the README\'s examples', async () => {
    const files = (await import('node:fs')).readdirSync(OPERATIONS).filter((file) => file.endsWith('.graphql'));
    for (const file of files) {
      const query = await readFile(path.join(OPERATIONS, file), 'utf8');
      const answer = await post(stack, { query, variables: { id: 'cus-00001', sku: 'SKU-00001', first: 100 } });
      const refused = (answer.body.errors ?? []).filter((error) => /LIMIT_EXCEEDED/.test(String(error.extensions?.['code'])));
      expect([file, refused]).toEqual([file, []]);
    }
    const readme = '{ customers(first: 5) { nodes { id email name segment orders(first: 3) { nodes { id status total { amount currency } lines { sku quantity item { name onHand } } payment { status } shipments { carrier trackingNumber status } } } } } }';
    const answer = await post(stack, { query: readme });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    const orders = await post(stack, { query: '{ orders(first: 100) { nodes { id customer { name } lines { item { name } } payment { status } shipments { status } } } }' });
    expect(orders.body.errors).toBeUndefined();
  });

  it('takes batches up to the limit, and refuses a longer one (BATCH_LIMIT_EXCEEDED)', async () => {
    const one = { query: '{ customer(id: "cus-00002") { name } }' };
    const batch = await post(stack, Array.from({ length: 10 }, () => one));
    expect(batch.status).toBe(200);
    expect(batch.body).toHaveLength(10);
    // The CRM owns a customer's segment, and with its read cache emptied (a shared Redis cache holds other files'
    // reads too) it has to be asked for one: had the refused batch run, the CRM would have been called; asked alone, it is.
    const unread = { query: '{ customer(id: "cus-00077") { segment } }' };
    await stack.resilience.invalidate('crm', 'findByCustomerIds');
    const before = await settledSystemCalls(stack);
    const tooLong = await post(stack, Array.from({ length: 11 }, () => unread));
    expect([tooLong.status, codeOf(tooLong)]).toEqual([400, 'BATCH_LIMIT_EXCEEDED']);
    expect(await settledSystemCalls(stack)).toBe(before);
    expect((await post(stack, unread)).body.errors).toBeUndefined();
    expect(await settledSystemCalls(stack)).toBeGreaterThan(before);
  });

  it('refuses a body over the size limit (413 PAYLOAD_TOO_LARGE) and one that is not JSON (400 MALFORMED_REQUEST)', async () => {
    const huge = await post(stack, { query: '{ customer(id: "cus-00001") { name } }', variables: { pad: 'x'.repeat(1_100_000) } });
    expect([huge.status, codeOf(huge)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(huge.body.errors?.[0]?.extensions?.['requestId']).toEqual(expect.any(String));
    const broken = await post(stack, '{"query": "{ customer(id: \\"cus-00001\\") { name } }"');
    expect([broken.status, codeOf(broken)]).toEqual([400, 'MALFORMED_REQUEST']);
    expect(JSON.stringify(broken.body)).not.toMatch(/FST_|at \S+:\d+|node_modules/);
  });

  it('automatic persisted queries: the id alone after the document was sent once (kept in Redis when REDIS_URL is set)', async () => {
    // Unique per run: Redis outlives the test, and a document it already knows would not be "not found".
    const query = `query Apq${Date.now()} { customer(id: "cus-00003") { id name } }`;
    const persistedQuery = { version: 1, sha256Hash: sha256Hex(query) };
    const unknown = await post(stack, { extensions: { persistedQuery } });
    expect(codeOf(unknown)).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(stack, { query, extensions: { persistedQuery } });
    expect(registered.body.errors).toBeUndefined();
    const byId = await post(stack, { extensions: { persistedQuery } });
    expect(byId.body).toEqual(registered.body);
    if (redisUrl) {
      const client = createClient({ url: redisUrl });
      await client.connect();
      try {
        expect(await client.keys(`*apq:${persistedQuery.sha256Hash}`)).toHaveLength(1);
      } finally {
        await client.quit();
      }
    }
    // A persisted document is held to the same limits as one sent in full.
    const costly = '{ customers(first: 500) { nodes { orders(first: 500) { nodes { id payment { status } } } } } }';
    const costlyId = { version: 1, sha256Hash: sha256Hex(costly) };
    expect(codeOf(await post(stack, { query: costly, extensions: { persistedQuery: costlyId } }))).toBe('COST_LIMIT_EXCEEDED');
  });

  it('runs a GET query with no content type or preflight header (bearer tokens, no cookie: CSRF prevention is off)', async () => {
    const url = `${stack.gateway.url}?query=${encodeURIComponent('{ customer(id: "cus-00001") { name } }')}`;
    const bare = await fetch(url);
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual({ data: { customer: { name: expect.any(String) } } });
  });

  it('answers no cross-origin caller: CORS is closed unless origins are configured', async () => {
    const preflight = await fetch(stack.gateway.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('introspection is on in the demo (the explorer needs it)', async () => {
    const answer = await post(stack, { query: '{ __schema { queryType { name } } }' });
    expect(answer.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('the production front door: trusted documents, no introspection, an origin allowlist', () => {
  let stack: TestStack;
  let dir: string;
  const ORIGIN = 'https://shop.example.com';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plugboard-trusted-'));
    const file = path.join(dir, 'trusted-documents.json');
    // As a user would: the script builds the allowlist from the frontend's operations.
    const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', 'src/cli/trusted-documents.ts', '--from', OPERATIONS, '--out', file], { cwd: ROOT });
    expect(stdout).toMatch(/trusted documents from/);
    stack = await startTestStack({
      PLUGBOARD_PROFILE: 'production',
      PLUGBOARD_TRUSTED_DOCUMENTS: 'on',
      PLUGBOARD_TRUSTED_DOCUMENTS_FILE: file,
      PLUGBOARD_CORS_ORIGINS: ORIGIN,
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const registered = async () => readFile(path.join(OPERATIONS, 'customer.graphql'), 'utf8');

  it('runs a registered operation by its id, as written or as Apollo Client prints it', async () => {
    const text = (await registered()).trim();
    for (const form of [text, print(parse(text))]) {
      const answer = await post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(form) } }, variables: { id: 'cus-00001' } });
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data).toEqual({ customer: expect.objectContaining({ id: 'cus-00001' }) });
    }
    const inFull = await post(stack, { query: text, variables: { id: 'cus-00001' } });
    expect(inFull.body.errors).toBeUndefined();
  });

  it('refuses anything else: an unregistered document (OPERATION_NOT_TRUSTED), an unknown id (PERSISTED_QUERY_NOT_FOUND)', async () => {
    const before = await settledSystemCalls(stack);
    const other = await post(stack, { query: '{ customer(id: "cus-00001") { email phone } }' });
    expect([other.status, codeOf(other)]).toEqual([400, 'OPERATION_NOT_TRUSTED']);
    const unknown = await post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex('{ nope }') } } });
    expect(codeOf(unknown)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await settledSystemCalls(stack)).toBe(before);
  });

  it('has no introspection and no schema hints in its errors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'plugboard-introspection-'));
    await rm(dir, { recursive: true, force: true });
    // Trusted documents would refuse these anyway; what is checked is the gateway's own answer, so both go in full
    // through a stack without the allowlist.
    const open = await startTestStack({ PLUGBOARD_PROFILE: 'production' });
    try {
      const introspection = await post(open, { query: '{ __schema { queryType { name } } }' });
      expect(introspection.body.data).toBeUndefined();
      expect(codeOf(introspection)).toBe('GRAPHQL_VALIDATION_FAILED');
      const typo = await post(open, { query: '{ customer(id: "cus-00001") { nmae } }' });
      expect(codeOf(typo)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(typo.body.errors?.[0]?.message).not.toMatch(/did you mean/i);
      // A browser opening /graphql gets no explorer where introspection is off.
      const page = await fetch(open.gateway.url, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type')).not.toMatch(/text\/html/);
    } finally {
      await open.close();
    }
  }, 60_000);

  it('answers cross-origin calls from the configured origin only', async () => {
    const ask = (origin: string) =>
      fetch(stack.gateway.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const allowed = await ask(ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const refused = await ask('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
