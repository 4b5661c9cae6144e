import { readFile } from 'node:fs/promises';
import { DEFAULT_FRONT_DOOR, DEFAULT_LIMITS, useFrontDoor } from '../../src/gateway/front-door';
import { serveGateway, type RunningGateway, type ServeGatewayOptions } from '../../src/gateway/serve-gateway';
import { SUPERGRAPH_FILE } from '../../src/runtime/start-stack';
import { serveStandIn, type StandIn, type StandInRequest } from '../support/stand-ins';

/**
 * The front door's limits are per HTTP request: a batch shares one cost allowance (ten operations do not get ten
 * times the limit), and one Idempotency-Key covers one mutation. With reads closed, a caller without a token hears
 * nothing of the limits (no cost, depth or alias figure that would map the schema).
 */

const SUBGRAPHS = ['store', 'writes', 'crm', 'erp', 'payments', 'couriers', 'legacy'];
/** Cost 151 each: customers (1) + 50 nodes x (1 + id + email). */
const PAGE = '{ customers(first: 50) { nodes { id email } } }';
const MUTATION = 'mutation { updateCustomer(input: { id: "cus-00001", name: "Ada" }) { status } }';
const COSTLY = '{ customers(first: 500) { nodes { segment orders(first: 500) { nodes { id payment { status } } } } } }';

let subgraph: StandIn;
const received: StandInRequest[] = [];
let gateway: RunningGateway;
let closed: RunningGateway;

async function serve(extra: Partial<ServeGatewayOptions> = {}): Promise<RunningGateway> {
  return serveGateway({
    supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
    subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, `${subgraph.origin}/${name}`])),
    adminToken: 'door-request-limits-admin-token-0',
    systems: [],
    frontDoor: useFrontDoor({ ...DEFAULT_FRONT_DOOR, limits: { ...DEFAULT_LIMITS, maxCost: 1_000 } }),
    ...extra,
  });
}

type Body = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; body: Body & Body[] }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Body & Body[] };
}
const codeOf = (answer: { body: Body }) => answer.body.errors?.[0]?.extensions?.['code'];

beforeAll(async () => {
  subgraph = await serveStandIn((request) => {
    received.push(request);
    return { body: JSON.stringify({ data: request.url.startsWith('/writes') ? { updateCustomer: { status: 'APPLIED' } } : { customers: { nodes: [] } } }) };
  });
  gateway = await serve();
  closed = await serve({
    authorize: async (authorization) => {
      if (authorization !== 'Bearer reader') throw Object.assign(new Error('a valid bearer token is needed'), { code: 'UNAUTHENTICATED' });
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await closed?.close();
  await subgraph?.close();
});

it('counts the cost of a batch as one request: 6 pages pass, 7 are over the limit of 1,000 and nothing runs', async () => {
  const six = await post(gateway.url, Array.from({ length: 6 }, () => ({ query: PAGE })));
  expect([six.status, six.body.length]).toEqual([200, 6]);
  const before = received.length;
  const seven = await post(gateway.url, Array.from({ length: 7 }, () => ({ query: PAGE })), { 'x-request-id': 'batch-cost-0000001' });
  expect(seven.status).toBe(400);
  expect(seven.body.errors).toEqual([
    { message: expect.stringMatching(/request/), extensions: { code: 'COST_LIMIT_EXCEEDED', limit: 1_000, cost: 7 * 151, requestId: 'batch-cost-0000001' } },
  ]);
  expect(received.length).toBe(before);
});

it('refuses an Idempotency-Key on a request that holds more than one mutation (IDEMPOTENCY_KEY_ON_BATCH), and applies nothing', async () => {
  const before = received.length;
  const batch = await post(gateway.url, [{ query: MUTATION }, { query: MUTATION }], { 'idempotency-key': 'one-key-two-writes' });
  expect([batch.status, codeOf(batch)]).toEqual([400, 'IDEMPOTENCY_KEY_ON_BATCH']);
  const twoFields = await post(gateway.url, { query: `mutation { a: ${MUTATION.slice(11, -2)} b: ${MUTATION.slice(11, -2)} }` }, { 'idempotency-key': 'one-key-two-fields' });
  expect([twoFields.status, codeOf(twoFields)]).toEqual([400, 'IDEMPOTENCY_KEY_ON_BATCH']);
  expect(received.length).toBe(before);
});

it('takes an Idempotency-Key on a batch with one mutation, and a batch of mutations without a key', async () => {
  const oneWrite = await post(gateway.url, [{ query: MUTATION }, { query: PAGE }], { 'idempotency-key': 'one-key-one-write' });
  expect(oneWrite.body.map((result) => result.errors)).toEqual([undefined, undefined]);
  const noKey = await post(gateway.url, [{ query: MUTATION }, { query: MUTATION }]);
  expect(noKey.body.map((result) => result.data)).toEqual([{ updateCustomer: { status: 'APPLIED' } }, { updateCustomer: { status: 'APPLIED' } }]);
});

it('with reads closed, refuses a caller without a token before any limit is measured: no cost, depth or alias figure', async () => {
  const deep = `{ customers(first: 1) { nodes { ${'orders(first: 1) { nodes { customer { '.repeat(6)}id${' } } }'.repeat(6)} } } }`;
  const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: customer(id: "x") { id }`).join(' ')} }`;
  for (const query of [COSTLY, deep, aliases]) {
    const anonymous = await post(closed.url, { query });
    expect([anonymous.status, codeOf(anonymous)]).toEqual([401, 'UNAUTHENTICATED']);
    expect(anonymous.body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) } }]);
    expect(anonymous.body.errors?.[0]?.message).not.toMatch(/cost|limit|depth|alias|\d/i);
  }
  const reader = await post(closed.url, { query: COSTLY }, { authorization: 'Bearer reader' });
  expect([reader.status, codeOf(reader)]).toEqual([400, 'COST_LIMIT_EXCEEDED']);
});
