import type { IncomingHttpHeaders } from 'node:http';
import type { RunningGateway } from '../../src/gateway/serve-gateway';
import { gatewayOver, serveStandIn, type StandIn } from '../support/stand-ins';

/**
 * The gateway's HTTP path to a subgraph that runs elsewhere (`npm run gateway`): what it sends (the operation as JSON,
 * the client's token and request id) and what a client sees when the subgraph answers something that is not GraphQL.
 * A stand-in for the store's subgraph answers as each test sets it.
 */

type Answer = { status: number; contentType: string; body: string };
let answer: Answer;
const received: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
let subgraph: StandIn;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  subgraph = await serveStandIn(({ headers, body }) => {
    received.push({ headers, body });
    return answer;
  });
  gateway = await gatewayOver({ store: `${subgraph.origin}/graphql` });
});

afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
});

beforeEach(() => {
  received.length = 0;
});

const ask = async (requestId: string) => {
  const response = await fetch(gateway!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer client-token-7', 'x-request-id': requestId },
    body: JSON.stringify({ query: 'query One($id: ID!) { customer(id: $id) { id name } }', variables: { id: 'cus-00001' } }),
  });
  return (await response.json()) as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] };
};

it('sends the operation as JSON with the client\'s token and request id, and answers what the subgraph answered', async () => {
  answer = { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ data: { customer: { id: 'cus-00001', name: 'Ada' } } }) };
  const body = await ask('subgraph-http-ok-01');
  expect(body).toEqual({ data: { customer: { id: 'cus-00001', name: 'Ada' } } });
  expect(received).toHaveLength(1);
  expect(received[0]!.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer client-token-7', 'x-request-id': 'subgraph-http-ok-01' });
  expect(received[0]!.body).toMatchObject({ variables: { id: 'cus-00001' } });
  expect(String(received[0]!.body['query'])).toContain('customer(id:$id)');
});

it.each([
  ['a 502 with an HTML page', { status: 502, contentType: 'text/html', body: '<html><body>Bad Gateway: upstream 10.0.0.9 refused</body></html>' }],
  ['a 200 that is not JSON', { status: 200, contentType: 'text/plain', body: 'OK (internal host db-7.corp)' }],
  ['a 200 whose JSON is not an object', { status: 200, contentType: 'application/json', body: '"db-7.corp is down"' }],
])('masks %s: INTERNAL_SERVER_ERROR and the request id, none of the body', async (_name, given) => {
  answer = given;
  const body = await ask('subgraph-http-bad-01');
  expect(body.errors?.[0]).toMatchObject({ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'subgraph-http-bad-01' } });
  expect(JSON.stringify(body)).not.toMatch(/10\.0\.0\.9|db-7|corp|html/i);
});

it('passes a 401 from the subgraph on as UNAUTHENTICATED', async () => {
  answer = { status: 401, contentType: 'application/json', body: JSON.stringify({ errors: [{ message: 'who are you?' }] }) };
  const body = await ask('subgraph-http-401-01');
  expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', requestId: 'subgraph-http-401-01' });
});

it('closes its keep-alive connections to the subgraph when it stops', async () => {
  answer = { status: 200, contentType: 'application/json', body: JSON.stringify({ data: { customer: null } }) };
  await ask('subgraph-http-close-01');
  const open = () => subgraph.connections();
  expect(await open()).toBeGreaterThan(0);
  await gateway!.close();
  gateway = undefined;
  // Left open, an idle connection would live on for the pool's 30 s keep-alive.
  const until = Date.now() + 2_000;
  while ((await open()) > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await open()).toBe(0);
});
