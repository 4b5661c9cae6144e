import { Server } from 'node:net';
import { signSubgraphRequest } from '../../src/serve/subgraph-signature';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';

/**
 * Nothing around the door, for the whole product as `npm start` runs it. Embedded (the default), the subgraphs open
 * no port at all: the process listens on the gateway's port and the sandboxes' only. With
 * PLUGBOARD_SUBGRAPH_CALLS=http, each subgraph listens, and refuses what the gateway did not sign; with reads closed
 * it refuses an anonymous query even when signed, while the gateway's own signed calls with the client's token serve.
 */

/** Where this process listens now (every net.Server, the gateway's and sandboxes' fastify servers included). */
function listening(): { address: string; port: number }[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles
    .filter((handle): handle is Server => handle instanceof Server && handle.listening)
    .map((server) => server.address())
    .flatMap((address) => (address && typeof address === 'object' ? [{ address: address.address, port: address.port }] : []));
}
const listeningPorts = () => listening().map(({ port }) => port);
const portOf = (url: string) => Number(new URL(url).port);

describe('embedded (PLUGBOARD_SUBGRAPH_CALLS=in-process, the default of npm start)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('opens no subgraph port: only the gateway and the sandboxes listen, and the subgraphs still serve', async () => {
    const before = new Set(listeningPorts());
    const expected = [portOf(stack.gateway.url), ...Object.values(stack.estate!.sandboxes).map((sandbox) => portOf(sandbox.url))];
    expect([...before].sort()).toEqual([...new Set(expected)].sort());
    expect(stack.subgraphs.map((service) => service.url)).toEqual(stack.subgraphs.map(() => undefined));
    expect(stack.parts.filter((part) => part.part === 'subgraph').every((part) => part.url === '(in process, no port)')).toBe(true);

    const body = await stack.query<{ customers: { nodes: { segment: string }[] } }>('{ customers(first: 2) { nodes { id segment } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data?.customers.nodes.every((node) => node.segment)).toBe(true);
  });
});

describe('over HTTP with reads closed, the gateway facing the network (PLUGBOARD_SUBGRAPH_CALLS=http, PLUGBOARD_READS=closed, HOST=0.0.0.0)', () => {
  const SECRET = 'subgraph-door-stack-secret-0123456789abcdef';
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ HOST: '0.0.0.0', PLUGBOARD_SUBGRAPH_CALLS: 'http', PLUGBOARD_READS: 'closed', PLUGBOARD_SUBGRAPH_SECRET: SECRET });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const QUERY = JSON.stringify({ query: '{ customers(first: 2) { nodes { id email phone } } }' });
  const storeUrl = () => stack.subgraphs.find((service) => service.name === 'store')!.url!;
  const post = async (url: string, headers: Record<string, string>) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: QUERY });
    return { status: response.status, text: await response.text() };
  };

  it('only the gateway faces the network: the subgraphs and the sandboxes (fault switches) keep loopback', () => {
    const gatewayPort = portOf(stack.gateway.url);
    const internal = [...stack.subgraphs.map((service) => service.url!), ...Object.values(stack.estate!.sandboxes).map((sandbox) => sandbox.url)];
    const where = new Map(listening().map(({ address, port }) => [port, address]));
    expect(['0.0.0.0', '::']).toContain(where.get(gatewayPort));
    expect(internal.map((url) => where.get(portOf(url)))).toEqual(internal.map(() => '127.0.0.1'));
  });

  it('a subgraph port refuses an unsigned request, even with a valid token', async () => {
    const token = await mintTestToken({ subject: 'door-stack' });
    const answer = await post(storeUrl(), bearer(token));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toMatchObject({ errors: [{ extensions: { code: 'GATEWAY_SIGNATURE_MISSING' } }] });
    expect(answer.text).not.toContain('@');
  });

  it('refuses an anonymous query even when signed, and serves a signed one with a valid token', async () => {
    const anonymous = await post(storeUrl(), signSubgraphRequest(SECRET, QUERY));
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text)).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(anonymous.text).not.toContain('@');

    const token = await mintTestToken({ subject: 'door-stack' });
    const served = await post(storeUrl(), { ...signSubgraphRequest(SECRET, QUERY), ...bearer(token) });
    expect(served.status).toBe(200);
    expect(JSON.parse(served.text).data.customers.nodes).toHaveLength(2);
  });

  it('the gateway signs its own calls: a client with a token gets the whole answer through it', async () => {
    const token = await mintTestToken({ subject: 'door-stack' });
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ query: '{ customers(first: 2) { nodes { id segment } } }' }),
    });
    const body = (await response.json()) as { data?: { customers: { nodes: { segment: string }[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.customers.nodes.every((node) => node.segment)).toBe(true);
    expect(stack.subgraphs.find((service) => service.name === 'crm')!.served().http).toBeGreaterThan(0);
  });
});
