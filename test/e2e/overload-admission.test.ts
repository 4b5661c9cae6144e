import { connect } from 'node:net';
import { eventually } from '../support/scratch-database';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../support/stack';

/**
 * Admission control and the request deadline on the running product: one GraphQL request at a time and no queue,
 * a deadline of 2 s, and an ERP that does not answer. The request held by the ERP is answered 503
 * DEADLINE_EXCEEDED at its deadline (never a hang); a request that comes meanwhile gets 503 OVERLOADED with
 * Retry-After at once; health and metrics answer throughout. A body that never finishes arriving is dropped.
 */

const QUICK_START =
  '{ customers(first: 5) { nodes { id email name segment orders(first: 3) { nodes { id status total { amount currency } lines { sku quantity item { name onHand } } payment { status } shipments { carrier trackingNumber status } } } } } }';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(
    { PLUGBOARD_MAX_REQUESTS: '1', PLUGBOARD_REQUEST_QUEUE: '0', PLUGBOARD_REQUEST_DEADLINE_MS: '2000', PLUGBOARD_BODY_TIMEOUT_MS: '500' },
    { systems: { erp: { timeoutMs: 5_000, retries: 0 } } },
  );
});

afterAll(async () => {
  await stack?.close();
});

const ask = (requestId: string) =>
  fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body: JSON.stringify({ query: QUICK_START }) });

it('sheds a request past the limit at once with 503 OVERLOADED and Retry-After, answers the held one at its deadline, and never holds health', async () => {
  const erp = stack.estate!.sandboxes.erp;
  erp.setFault({ mode: 'slow', delayMs: 60_000 });
  erp.stats.reset();
  const held = ask('held-1');
  // The held request has its place: it is waiting on the ERP.
  await eventually('the held request reaches the ERP', async () => erp.stats.snapshot().faultsInjected, (faults) => faults > 0);

  const shed = await ask('shed-1');
  expect(shed.status).toBe(503);
  expect(shed.headers.get('retry-after')).toBe('1');
  expect(await shed.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'OVERLOADED', requestId: 'shed-1' } }] });
  expect((await fetch(`${stack.gateway.origin}/health/live`)).status).toBe(200);
  expect((await fetch(`${stack.gateway.origin}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).status).toBe(200);

  const late = await held;
  expect(late.status).toBe(503);
  expect(late.headers.get('retry-after')).toBe('1');
  expect(await late.json()).toMatchObject({ errors: [{ extensions: { code: 'DEADLINE_EXCEEDED', requestId: 'held-1' } }] });

  // The place came back with the answer: the next request is served (one that needs no system, since the ERP
  // calls of the held request still run out their own timeout).
  erp.setFault({ mode: 'ok' });
  const next = await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
  expect(next.status).toBe(200);
});

it('drops a request whose body stops half-way, after PLUGBOARD_BODY_TIMEOUT_MS, with 408', async () => {
  const socket = connect(Number(new URL(stack.gateway.origin).port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":"{ __typename');
  // Before, the socket stayed open for Node's 300 s default (jest gives up long before).
  await new Promise((resolve) => socket.once('close', resolve));
  expect(received).toMatch(/^HTTP\/1\.1 408/);
});
