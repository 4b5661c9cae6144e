import type { RunningGateway } from '../../src/gateway/serve-gateway';
import { gatewayOver, serveStandIn, type StandIn, type StandInRequest } from '../support/stand-ins';

/**
 * CSRF and the default clients, as raw HTTP: the API authenticates with bearer tokens and reads no cookie, so a GET
 * query runs as urql and graphql-request send it by default (no content type, no preflight header); what CSRF
 * prevention protected against stays refused by other means: a GET never runs a mutation, and a POST a plain HTML
 * form can send (text/plain, urlencoded, multipart) is refused before anything runs.
 */

let subgraph: StandIn;
let gateway: RunningGateway;
const received: StandInRequest[] = [];

beforeAll(async () => {
  subgraph = await serveStandIn((request) => {
    received.push(request);
    return { body: JSON.stringify({ data: { customer: { name: 'Ada' }, updateCustomer: { status: 'APPLIED' } } }) };
  });
  const urls = Object.fromEntries(['store', 'writes', 'crm', 'erp', 'payments', 'couriers', 'legacy'].map((name) => [name, `${subgraph.origin}/${name}`]));
  gateway = await gatewayOver(urls);
});

afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
});

const QUERY = '{ customer(id: "cus-00001") { name } }';
const MUTATION = 'mutation { updateCustomer(input: { id: "cus-00001", name: "Eve" }) { status } }';

it("runs a GET query as urql's and graphql-request's defaults send it: no content type, no preflight header", async () => {
  // urql 6 (preferGetMethod: 'within-url-limit') sends this Accept and nothing else.
  const urqlAccept = 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';
  for (const accept of [urqlAccept, 'application/graphql-response+json, application/json', '*/*']) {
    const response = await fetch(`${gateway.url}?query=${encodeURIComponent(QUERY)}`, { headers: { accept } });
    expect([accept, response.status]).toEqual([accept, 200]);
    expect(await response.json()).toEqual({ data: { customer: { name: 'Ada' } } });
  }
});

it('never runs a mutation sent by GET (405, the documented error shape, nothing sent to the writes subgraph)', async () => {
  const before = received.length;
  const response = await fetch(`${gateway.url}?query=${encodeURIComponent(MUTATION)}`, { headers: { 'x-request-id': 'csrf-get-mutation-01' } });
  expect(response.status).toBe(405);
  const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
  expect(body.errors[0]).toMatchObject({ message: expect.stringMatching(/mutation/), extensions: { code: expect.any(String), requestId: 'csrf-get-mutation-01' } });
  expect(received.length).toBe(before);
});

it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
  'refuses a mutation a plain HTML form could POST (%s): 415, nothing sent to any subgraph',
  async (contentType) => {
    const before = received.length;
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify({ query: MUTATION }) });
    expect(response.status).toBe(415);
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', requestId: expect.any(String) });
    expect(received.length).toBe(before);
  },
);
