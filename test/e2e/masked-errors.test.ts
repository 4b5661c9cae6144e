import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { serveGateway, type RunningGateway } from '../../src/gateway/serve-gateway';
import { SUPERGRAPH_FILE } from '../../src/runtime/start-stack';

/**
 * What the gateway does with an error it has no stable code for: the client gets INTERNAL_SERVER_ERROR, no message
 * of substance, no stack, no SQL, and a request id; the gateway's log has the original under that same id.
 * A stand-in for the store's subgraph answers every request with a driver's error, SQL and all.
 */

const LEAKY = 'relation "customers_v2" does not exist: SELECT id, email, password_hash FROM customers_v2 WHERE id = $1';
let subgraph: Server;
let gateway: RunningGateway;
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  subgraph = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data: { customer: null }, errors: [{ message: LEAKY, path: ['customer'], extensions: { code: 'XX000', stacktrace: ['at Pool.query (pg/lib/pool.js:45:11)'] } }] }));
    });
  });
  await new Promise<void>((resolve) => subgraph.listen(0, '127.0.0.1', resolve));
  gateway = await serveGateway({
    supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
    subgraphUrls: { store: `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql` },
    adminToken: 'masked-errors-admin-token-000',
    systems: [],
    logger: pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) }),
  });
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => subgraph?.close(resolve));
});

it('masks an unexpected error for the client and tells the log the whole story under the request id', async () => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'masked-error-request-01' },
    body: JSON.stringify({ query: '{ customer(id: "cus-00001") { id name } }' }),
  });
  const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]).toMatchObject({ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'masked-error-request-01' } });
  expect(JSON.stringify(body)).not.toMatch(/SELECT|customers_v2|password_hash|pool\.js|stacktrace|"masked"/);

  const story = logged.find((line) => line['requestId'] === 'masked-error-request-01');
  expect(story).toMatchObject({ msg: 'masked error', requestId: 'masked-error-request-01' });
  expect(JSON.stringify(story)).toContain('customers_v2');
});
