import { capturingLogger, gatewayOver, serveStandIn, type StandIn } from '../support/stand-ins';

/**
 * A gateway told to stop (SIGTERM, a deploy) while a query is half-way through its plan: the query's later fetches
 * still go out, the client gets its whole answer, and nothing is logged as an error. Stand-ins for the store's and
 * the CRM's subgraphs: the store answers slowly, so the stop arrives between the two fetches of the plan.
 */

const STORE_DELAY_MS = 600;
let subgraphs: StandIn;
const fetched: string[] = [];

beforeAll(async () => {
  subgraphs = await serveStandIn(async ({ url, body }) => {
    fetched.push(url);
    if (url === '/crm' && String(body['query']).includes('_entities')) return { body: JSON.stringify({ data: { _entities: [{ __typename: 'Customer', segment: 'LEAD' }] } }) };
    await new Promise((resolve) => setTimeout(resolve, STORE_DELAY_MS));
    return { body: JSON.stringify({ data: { customer: { __typename: 'Customer', id: 'cus-00001', name: 'Ada Lovelace' } } }) };
  });
});

afterAll(async () => {
  await subgraphs?.close();
});

it('answers a query in flight in full, its later fetches included, before it stops', async () => {
  const logged: Record<string, unknown>[] = [];
  const gateway = await gatewayOver({ store: `${subgraphs.origin}/store`, crm: `${subgraphs.origin}/crm` }, capturingLogger(logged));
  const answer = fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ customer(id: "cus-00001") { id name segment } }' }),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as unknown }));
  await new Promise((resolve) => setTimeout(resolve, STORE_DELAY_MS / 3));
  await gateway.close();

  expect(await answer).toEqual({ status: 200, body: { data: { customer: { id: 'cus-00001', name: 'Ada Lovelace', segment: 'LEAD' } } } });
  expect(fetched).toEqual(['/store', '/crm']);
  expect(logged.filter((line) => Number(line['level']) >= 40)).toEqual([]);
});
