import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { serveGateway } from '../../src/gateway/serve-gateway';
import { SUPERGRAPH_FILE } from '../../src/runtime/start-stack';

/**
 * A gateway told to stop (SIGTERM, a deploy) while a query is half-way through its plan: the query's later fetches
 * still go out, the client gets its whole answer, and nothing is logged as an error. Stand-ins for the store's and
 * the CRM's subgraphs: the store answers slowly, so the stop arrives between the two fetches of the plan.
 */

const STORE_DELAY_MS = 600;
let subgraphs: Server;
const fetched: string[] = [];

beforeAll(async () => {
  subgraphs = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { query } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string };
      const reply = (body: unknown) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      fetched.push(request.url ?? '');
      if (request.url === '/crm' && query.includes('_entities')) return reply({ data: { _entities: [{ __typename: 'Customer', segment: 'LEAD' }] } });
      setTimeout(() => reply({ data: { customer: { __typename: 'Customer', id: 'cus-00001', name: 'Ada Lovelace' } } }), STORE_DELAY_MS);
    });
  });
  await new Promise<void>((resolve) => subgraphs.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => subgraphs?.close(resolve));
});

it('answers a query in flight in full, its later fetches included, before it stops', async () => {
  const origin = `http://127.0.0.1:${(subgraphs.address() as AddressInfo).port}`;
  const logged: Record<string, unknown>[] = [];
  const gateway = await serveGateway({
    supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
    subgraphUrls: { store: `${origin}/store`, crm: `${origin}/crm` },
    adminToken: 'graceful-stop-admin-token-000',
    systems: [],
    logger: pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) }),
  });
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
