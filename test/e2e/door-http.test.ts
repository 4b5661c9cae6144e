import { connect } from 'node:net';
import type { RunningGateway } from '../../src/gateway/serve-gateway';
import { gatewayOver, serveStandIn, type StandIn } from '../support/stand-ins';

/**
 * Refusals at the HTTP level, before GraphQL, sent as raw bytes (fetch would not send a malformed Host): each is a
 * 4xx with the documented shape, a stable code and a request id, never a 500.
 */

let subgraph: StandIn;
let gateway: RunningGateway;

beforeAll(async () => {
  subgraph = await serveStandIn(() => ({ body: JSON.stringify({ data: { customer: { name: 'Ada' } } }) }));
  gateway = await gatewayOver({ store: `${subgraph.origin}/store` });
});

afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
});

/** Sends raw bytes and reads the first answer: its status, its x-request-id header and its parsed JSON body. */
async function raw(bytes: string): Promise<{ status: number; requestIdHeader: string | undefined; body: unknown }> {
  const port = Number(new URL(gateway.origin).port);
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const requestIdHeader = /\r\nx-request-id: ([^\r]+)/i.exec(head)?.[1];
  const bodyText = rest.join('\r\n\r\n');
  // A chunked answer: the JSON sits between the chunk sizes.
  const json = /^[0-9a-f]+\r\n/i.test(bodyText) ? bodyText.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n[\s\S]*$/, '') : bodyText;
  return { status, requestIdHeader, body: JSON.parse(json.slice(0, json.lastIndexOf('}') + 1)) as unknown };
}

const graphqlShape = (code: string) => ({ errors: [{ message: expect.any(String), extensions: { code, requestId: expect.any(String) } }] });
const QUERY_BODY = JSON.stringify({ query: '{ customer(id: "cus-00001") { name } }' });
const postWith = (host: string) =>
  `POST /graphql HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(QUERY_BODY)}\r\nConnection: close\r\n\r\n${QUERY_BODY}`;

it.each(['', '%', '[::1', 'a b', 'a/b', 'x:y:z'])('refuses a malformed Host header (%j) with 400 BAD_REQUEST in the documented shape', async (host) => {
  const answer = await raw(postWith(host));
  expect(answer.status).toBe(400);
  expect(answer.body).toEqual(graphqlShape('BAD_REQUEST'));
});

it('serves well-formed Host headers: a name, a name with a port, IPv4, IPv6', async () => {
  for (const host of ['localhost', 'shop.example.com:8443', '127.0.0.1:4000', '[::1]:4000']) {
    const answer = await raw(postWith(host));
    expect([host, answer.status, answer.body]).toEqual([host, 200, { data: { customer: { name: 'Ada' } } }]);
  }
});

it('answers headers too large with 431 in the documented shape', async () => {
  const answer = await raw(`GET /graphql HTTP/1.1\r\nHost: localhost\r\nX-Pad: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
  expect(answer.status).toBe(431);
  expect(answer.body).toEqual(graphqlShape('HEADERS_TOO_LARGE'));
  expect(answer.requestIdHeader).toBe((answer.body as { errors: { extensions: { requestId: string } }[] }).errors[0]!.extensions.requestId);
});

it('answers an unknown route with 404 NOT_FOUND and a method /graphql does not take with 405, in the documented shapes', async () => {
  const missing = await raw('GET /nope HTTP/1.1\r\nHost: localhost\r\nx-request-id: http-refusal-0001\r\nConnection: close\r\n\r\n');
  expect([missing.status, missing.body]).toEqual([404, { error: { code: 'NOT_FOUND', message: expect.any(String), requestId: 'http-refusal-0001' } }]);
  const put = await raw(`PUT /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${QUERY_BODY.length}\r\nConnection: close\r\n\r\n${QUERY_BODY}`);
  expect([put.status, put.body]).toEqual([405, graphqlShape('METHOD_NOT_ALLOWED')]);
});

it('answers a body that does not match its Content-Length in the documented shape', async () => {
  // Content-Length says 5: the JSON is cut, and what follows is not a request the parser can read.
  const short = await raw(`POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n${QUERY_BODY}`);
  expect([short.status, short.body]).toEqual([400, graphqlShape('MALFORMED_REQUEST')]);
  const garbage = await raw('GARBAGE\r\n\r\n');
  expect([garbage.status, garbage.body]).toEqual([400, graphqlShape('MALFORMED_REQUEST')]);
});

it("does not hand out its query plan to a client that asks with Apollo's experimental header", async () => {
  // Apollo Gateway shows the plan (subgraph names, their operations) to any request carrying this header unless it
  // runs with NODE_ENV=production, which the product does not need set: createGateway turns it off.
  const bytes =
    `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nApollo-Query-Plan-Experimental: true\r\n` +
    `Apollo-Query-Plan-Experimental-Format: internal\r\nContent-Length: ${Buffer.byteLength(QUERY_BODY)}\r\nConnection: close\r\n\r\n${QUERY_BODY}`;
  const answer = await raw(bytes);
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ data: { customer: { name: 'Ada' } } });
});
