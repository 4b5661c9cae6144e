import { codesSeenIn } from '../../src/domain';
import type { RunningGateway } from '../../src/gateway/serve-gateway';
import { capturingLogger, gatewayOver, serveStandIn, type StandIn } from '../support/stand-ins';

/**
 * What the gateway does with an error it has no stable code for: the client gets INTERNAL_SERVER_ERROR, no message
 * of substance, no stack, no SQL, and a request id; the gateway's log has the original under that same id.
 * A stand-in for the store's subgraph answers every request with a driver's error, SQL and all; one for the ERP's
 * answers an error it masked itself (its own log has the original).
 */

const LEAKY = 'relation "customers_v2" does not exist: SELECT id, email, password_hash FROM customers_v2 WHERE id = $1';
let subgraph: StandIn;
let gateway: RunningGateway;
const logged: Record<string, unknown>[] = [];

/** The codes an answer may carry as they are (the list of error codes), and one the list does not hold. */
const PUBLIC_CODES = codesSeenIn('answer').filter((code) => code !== 'INTERNAL_SERVER_ERROR');
const UNLISTED = 'SOME_VENDOR_CODE';
const EVERY_CODE_SKU = 'SKU-EVERY-CODE';

/** What the writes subgraph says of a copy of a mutation another gateway replica is still applying. */
const KEY_IN_USE = 'a request with this idempotency key has been applied elsewhere since 2026-11-27T18:00:00.000Z and is not finished: send it again later for its receipt';

beforeAll(async () => {
  subgraph = await serveStandIn(({ url, body }) => ({
    body: url.startsWith('/erp') && JSON.stringify(body).includes(EVERY_CODE_SKU)
      ? JSON.stringify({ data: { inventoryItem: null }, errors: [...PUBLIC_CODES, UNLISTED].map((code) => ({ message: `said with ${code}`, path: ['inventoryItem'], extensions: { code } })) })
      : url.startsWith('/erp')
      ? JSON.stringify({ data: { inventoryItem: null }, errors: [{ message: 'Internal error', path: ['inventoryItem'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }] })
      : url.startsWith('/writes')
      ? JSON.stringify({ data: { updateCustomer: null }, errors: [{ message: KEY_IN_USE, path: ['updateCustomer'], extensions: { code: 'IDEMPOTENCY_KEY_IN_USE' } }] })
      : JSON.stringify({ data: { customer: null }, errors: [{ message: LEAKY, path: ['customer'], extensions: { code: 'XX000', stacktrace: ['at Pool.query (pg/lib/pool.js:45:11)'] } }] }),
  }));
  gateway = await gatewayOver({ store: `${subgraph.origin}/store`, writes: `${subgraph.origin}/writes`, erp: `${subgraph.origin}/erp` }, capturingLogger(logged));
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

it('passes a stable code of the write path through as it is: IDEMPOTENCY_KEY_IN_USE, with its message', async () => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer stand-in', 'idempotency-key': 'key-in-use-01' },
    body: JSON.stringify({ query: 'mutation { updateCustomer(input: { id: "cus-00001", name: "A" }) { status } }' }),
  });
  const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]).toMatchObject({ message: KEY_IN_USE, extensions: { code: 'IDEMPOTENCY_KEY_IN_USE' } });
});

it('logs an error a subgraph masked itself with the subgraph named and the request id, and a batch entry\'s with the same id', async () => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'masked-error-request-02' },
    body: JSON.stringify([{ query: '{ inventoryItem(sku: "SKU-00001") { sku } }' }, { query: '{ customer(id: "cus-00001") { id } }' }]),
  });
  const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] }[];
  expect(body.map((result) => result.errors[0]?.extensions)).toEqual([
    { code: 'INTERNAL_SERVER_ERROR', requestId: 'masked-error-request-02' },
    { code: 'INTERNAL_SERVER_ERROR', requestId: 'masked-error-request-02' },
  ]);
  const stories = logged.filter((line) => line['requestId'] === 'masked-error-request-02' && line['msg'] === 'masked error');
  expect(stories).toHaveLength(2);
  expect(stories.find((line) => line['subgraph'] === 'erp')).toMatchObject({ note: expect.stringMatching(/erp subgraph/), path: ['inventoryItem'] });
  expect(JSON.stringify(stories.find((line) => line['subgraph'] === 'store'))).toContain('customers_v2');
});

it('lets through, as they are, the codes the list of error codes says an answer carries, and masks any other', async () => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'every-listed-code-01' },
    body: JSON.stringify({ query: `{ inventoryItem(sku: "${EVERY_CODE_SKU}") { sku } }` }),
  });
  const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
  expect(PUBLIC_CODES.length).toBeGreaterThan(15);
  expect(body.errors.map((error) => [error.extensions['code'], error.message])).toEqual([
    ...PUBLIC_CODES.map((code) => [code, `said with ${code}`]),
    ['INTERNAL_SERVER_ERROR', 'Internal error'],
  ]);
});
