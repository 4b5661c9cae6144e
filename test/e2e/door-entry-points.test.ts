import { readFile } from 'node:fs/promises';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../../src/gateway/create-gateway';
import { DEFAULT_FRONT_DOOR, sha256Hex, trustedDocumentsOf, useFrontDoor, type FrontDoorSettings } from '../../src/gateway/front-door';
import { serveGateway, type RunningGateway } from '../../src/gateway/serve-gateway';
import { SUPERGRAPH_FILE } from '../../src/runtime/start-stack';
import { serveStandIn, type StandIn, type StandInRequest } from '../support/stand-ins';

/**
 * One door (issue 15): every document Apollo runs passed the front door first, however it arrived: POST, GET,
 * batch, automatic persisted query by hash (POST and GET), documentId, trusted document. A plugin counts what Apollo
 * executes and whether the door checked it for that request; the ways around the door that were found (an APQ hash
 * that is not a string, a GET that looks like the explorer's) are refused with stable codes and run nothing.
 */

const SUBGRAPHS = ['store', 'writes', 'crm', 'erp', 'payments', 'couriers', 'legacy'];
/** A query the stand-in answers, and one far over the cost limit (the 6.5 million). */
const QUERY = '{ customer(id: "cus-00001") { name } }';
const COSTLY = '{ customers(first: 500) { nodes { segment orders(first: 500) { nodes { id payment { status } } } } } }';

let subgraph: StandIn;
const received: StandInRequest[] = [];
/** What Apollo executed, and how much of it the door had checked for that very request. */
const executed = { all: 0, checked: 0 };

const watch: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async executionDidStart({ source, contextValue }) {
        executed.all += 1;
        if (contextValue.checkedDocuments?.has(source)) executed.checked += 1;
      },
    };
  },
};

async function gateway(frontDoor: FrontDoorSettings, introspection = true): Promise<RunningGateway> {
  return serveGateway({
    supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
    subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, `${subgraph.origin}/${name}`])),
    adminToken: 'door-entry-points-admin-token-00',
    systems: [],
    frontDoor: useFrontDoor(frontDoor),
    introspection,
    apolloPlugins: [watch],
  });
}

type Body = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function send(url: string, init: RequestInit = {}): Promise<{ status: number; body: Body & Body[] }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Body & Body[] };
}

const post = (gatewayUrl: string, body: unknown, headers: Record<string, string> = {}) =>
  send(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const get = (gatewayUrl: string, params: Record<string, string>, headers: Record<string, string> = {}) => send(`${gatewayUrl}?${new URLSearchParams(params)}`, { headers });
const codeOf = (answer: { body: Body }) => answer.body.errors?.[0]?.extensions?.['code'];
const apq = (query: string) => ({ version: 1, sha256Hash: sha256Hex(query) });

let open: RunningGateway;
let trusted: RunningGateway;
let production: RunningGateway;

beforeAll(async () => {
  subgraph = await serveStandIn((request) => {
    received.push(request);
    return { body: JSON.stringify({ data: { customer: { name: 'Ada' } } }) };
  });
  open = await gateway(DEFAULT_FRONT_DOOR);
  trusted = await gateway({ ...DEFAULT_FRONT_DOOR, trustedDocuments: trustedDocumentsOf({ [sha256Hex(QUERY)]: QUERY, [sha256Hex(COSTLY)]: COSTLY }) });
  production = await gateway(DEFAULT_FRONT_DOOR, false);
});

afterAll(async () => {
  await Promise.all([open, trusted, production].map((running) => running?.close()));
  await subgraph?.close();
});

it('the door sees every document Apollo runs: POST, GET, batch, APQ by hash (POST and GET), documentId, trusted documents', async () => {
  const before = { ...executed };
  const answers = [
    await post(open.url, { query: QUERY }),
    await get(open.url, { query: QUERY }),
    await post(open.url, { query: QUERY, extensions: { persistedQuery: apq(QUERY) } }),
    await post(open.url, { extensions: { persistedQuery: apq(QUERY) } }),
    await get(open.url, { extensions: JSON.stringify({ persistedQuery: apq(QUERY) }) }),
    await get(open.url, { extensions: JSON.stringify({ persistedQuery: apq(QUERY) }) }, { accept: 'text/html, application/json' }),
    await post(open.url, { documentId: `sha256:${sha256Hex(QUERY)}` }),
    await post(trusted.url, { extensions: { persistedQuery: apq(QUERY) } }),
    await get(trusted.url, { documentId: `sha256:${sha256Hex(QUERY)}` }),
    await post(trusted.url, { query: QUERY }),
  ];
  for (const answer of answers) expect(answer.body).toEqual({ data: { customer: { name: 'Ada' } } });
  const batch = await post(open.url, [{ query: QUERY }, { extensions: { persistedQuery: apq(QUERY) } }, { query: QUERY }]);
  expect(batch.body).toHaveLength(3);
  expect(executed.all - before.all).toBe(answers.length + 3);
  expect(executed.checked - before.checked).toBe(executed.all - before.all);
});

it.each([
  ['a hash in an array', { extensions: { persistedQuery: { version: 1, sha256Hash: [sha256Hex(COSTLY)] } } }, 'PERSISTED_QUERY_INVALID'],
  ['a hash in an array, an unknown operationName', { operationName: 'Nope', extensions: { persistedQuery: { version: 1, sha256Hash: [sha256Hex(COSTLY)] } } }, 'PERSISTED_QUERY_INVALID'],
  ['a hash in an object', { extensions: { persistedQuery: { version: 1, sha256Hash: { 0: sha256Hex(COSTLY) } } } }, 'PERSISTED_QUERY_INVALID'],
  ['a hash that is not 64 hex digits', { extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }, 'PERSISTED_QUERY_INVALID'],
  ['a persistedQuery that is a string', { extensions: { persistedQuery: sha256Hex(COSTLY) } }, 'PERSISTED_QUERY_INVALID'],
  ['version 2', { extensions: { persistedQuery: { version: 2, sha256Hash: sha256Hex(COSTLY) } } }, 'PERSISTED_QUERY_VERSION_UNSUPPORTED'],
  ['a documentId that is an array', { documentId: [sha256Hex(COSTLY)] }, 'PERSISTED_QUERY_INVALID'],
  ['a hash that is not the query\'s', { query: QUERY, extensions: { persistedQuery: apq(COSTLY) } }, 'PERSISTED_QUERY_HASH_MISMATCH'],
])('a registered costly document asked for by %s is refused with a stable code (400) and never runs', async (_name, body, code) => {
  // The costly document is a trusted one: had the door let the request by, Apollo would find it and run it.
  for (const running of [trusted, open]) {
    const before = { received: received.length, executed: executed.all };
    const answer = await post(running.url, body, { 'x-request-id': 'door-bypass-000001' });
    expect([answer.status, codeOf(answer)]).toEqual([400, code]);
    expect(answer.body.errors?.[0]?.extensions?.['requestId']).toBe('door-bypass-000001');
    expect([received.length, executed.all]).toEqual([before.received, before.executed]);
  }
});

it('answers the client mistakes of persisted queries with their own codes, never INTERNAL_SERVER_ERROR', async () => {
  const unknown = await post(open.url, { extensions: { persistedQuery: apq('{ never { sent } }') } });
  expect([unknown.status, codeOf(unknown), unknown.body.errors?.[0]?.message]).toEqual([200, 'PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound']);
  const twice = await get(open.url, { query: QUERY }).then(() => send(`${open.url}?query=${encodeURIComponent(QUERY)}&query=${encodeURIComponent(COSTLY)}`));
  expect([twice.status, codeOf(twice)]).toEqual([400, 'BAD_REQUEST']);
  const badJson = await send(`${open.url}?extensions=%7Bnope`);
  expect([badJson.status, codeOf(badJson)]).toEqual([400, 'BAD_REQUEST']);
});

it('a GET that looks like a browser (Accept: text/html and JSON) with a persisted query by hash passes the door where the explorer is off', async () => {
  const before = executed.all;
  await post(production.url, { query: COSTLY, extensions: { persistedQuery: apq(COSTLY) } });
  const byHash = await get(production.url, { extensions: JSON.stringify({ persistedQuery: apq(COSTLY) }) }, { accept: 'text/html, application/json;q=0.9' });
  // The costly document was never registered (the door refused it), and by hash it is checked all the same.
  expect([byHash.status, codeOf(byHash)]).toEqual([200, 'PERSISTED_QUERY_NOT_FOUND']);
  const inFull = await get(production.url, { query: COSTLY }, { accept: 'text/html, application/json;q=0.9' });
  expect([inFull.status, codeOf(inFull)]).toEqual([400, 'COST_LIMIT_EXCEEDED']);
  expect(executed.all).toBe(before);
});

it('where the explorer is on, a browser still gets the page only when it asks for no operation', async () => {
  const page = await fetch(open.url, { headers: { accept: 'text/html' } });
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  const costly = await get(open.url, { extensions: JSON.stringify({ persistedQuery: apq(COSTLY) }) }, { accept: 'text/html' });
  expect(codeOf(costly)).toBe('PERSISTED_QUERY_NOT_FOUND');
});

it('has one door that is not optional: a gateway given no front door refuses to start, and serves nothing', async () => {
  const options = {
    supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
    subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, `${subgraph.origin}/${name}`])),
    adminToken: 'door-entry-points-admin-token-00',
    systems: [],
  };
  // A JavaScript caller (or a cast) can leave it out; the compiler refuses it (frontDoor is required).
  await expect(serveGateway(options as unknown as Parameters<typeof serveGateway>[0])).rejects.toThrow(/without its front door: pass frontDoor: useFrontDoor/);
  await expect(serveGateway({ ...options, frontDoor: DEFAULT_FRONT_DOOR } as unknown as Parameters<typeof serveGateway>[0])).rejects.toThrow(/front door/);
});
