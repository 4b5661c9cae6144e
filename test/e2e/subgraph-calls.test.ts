import { startTestStack, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';

/**
 * The gateway reaches the subgraphs of its own process directly (PLUGBOARD_SUBGRAPH_CALLS=in-process, the default)
 * or over HTTP (`http`, as a gateway of its own does): the client cannot tell which. Both serve the README's query
 * with data from every system, forward the bearer token and the request id, and report stale copies.
 */
const README_QUERY = `{ customers(first: 5) { nodes { id email name segment orders(first: 3) { nodes { id status total { amount currency }
  lines { sku quantity item { name onHand } } payment { status } shipments { carrier trackingNumber status } } } } } }`;

describe.each(['in-process', 'http'])('subgraph calls %s', (mode) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ PLUGBOARD_SUBGRAPH_CALLS: mode });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('answers the README query whole, and a mutation with the client\'s token, under the client\'s request id', async () => {
    const read = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': `subgraph-calls-${mode}` },
      body: JSON.stringify({ query: README_QUERY }),
    });
    const body = (await read.json()) as { data: { customers: { nodes: { segment: string; orders: { nodes: { payment: unknown; shipments: unknown[] }[] } }[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.customers.nodes).toHaveLength(5);
    expect(body.data.customers.nodes.every((node) => node.segment)).toBe(true);
    expect(body.data.customers.nodes.flatMap((node) => node.orders.nodes).some((order) => order.payment && order.shipments.length > 0)).toBe(true);
    await stack.integrationLog.flush();
    const logged = await stack.integrationLog.recent({ adapter: 'crm' });
    expect(logged.some((row) => row.requestId === `subgraph-calls-${mode}`)).toBe(true);

    const token = await mintTestToken({ subject: `calls-${mode}`, scopes: ['inventory:write'] });
    const write = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ query: 'mutation { adjustInventory(sku: "SKU-00021", delta: 1, reason: "count") { status owner } }' }),
    });
    expect(await write.json()).toEqual({ data: { adjustInventory: { status: 'APPLIED', owner: 'erp' } } });

    // Which way the operations went: all in process, or all over HTTP.
    const served = stack.subgraphs.map((service) => service.served());
    const total = (way: 'http' | 'inProcess') => served.reduce((sum, count) => sum + count[way], 0);
    expect(total(mode === 'http' ? 'inProcess' : 'http')).toBe(0);
    expect(served.filter((count) => count[mode === 'http' ? 'http' : 'inProcess'] > 0).length).toBeGreaterThanOrEqual(6);
  });
});
