import type { RunningGateway } from '../../src/gateway/serve-gateway';
import { capturingLogger, gatewayOver, serveStandIn, type StandIn } from '../support/stand-ins';

/**
 * What the gateway does with an error it has no stable code for: the client gets INTERNAL_SERVER_ERROR, no message
 * of substance, no stack, no SQL, and a request id; the gateway's log has the original under that same id.
 * A stand-in for the store's subgraph answers every request with a driver's error, SQL and all.
 */

const LEAKY = 'relation "customers_v2" does not exist: SELECT id, email, password_hash FROM customers_v2 WHERE id = $1';
let subgraph: StandIn;
let gateway: RunningGateway;
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  subgraph = await serveStandIn(() => ({
    body: JSON.stringify({ data: { customer: null }, errors: [{ message: LEAKY, path: ['customer'], extensions: { code: 'XX000', stacktrace: ['at Pool.query (pg/lib/pool.js:45:11)'] } }] }),
  }));
  gateway = await gatewayOver({ store: `${subgraph.origin}/graphql` }, capturingLogger(logged));
});

afterAll(async () => {
  await gateway?.close();
  await subgraph?.close();
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
