import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CallRecord } from '../../src/resilience';
import { generateEstate } from '../../src/systems/kit/seed';
import { startTestStack, type TestStack } from '../support/stack';
import { eventually } from '../support/scratch-database';
import { bearer, mintTestToken } from '../support/tokens';

/**
 * The gateway's response cache, as a client sees it: a query asked again within its systems' cache lifetimes is
 * answered without asking any system (not even our store), and what changes in between (a mutation, an invalidated
 * read, a system that fails) is never answered from an older copy.
 */

const ORDERS_PAGE = readFileSync(path.join(__dirname, '..', 'operations', 'orders-page.graphql'), 'utf8');
const CUSTOMER = 'query($id: ID!) { customer(id: $id) { id email segment } }';
const estate = generateEstate();
const customer = estate.customers[7]!;

let stack: TestStack;
const calls: CallRecord[] = [];
/** When the calls were last reset: a call that started before (the store's owner answers, a follower's copy is read for drift afterwards) is not the next request's. */
let since = new Date();
const reset = () => {
  calls.length = 0;
  since = new Date();
};
/** Calls made since the last reset (read-cache hits included). */
const made = () => calls.filter((call) => call.startedAt >= since);
/** What the systems were asked since the last reset: calls that reached a system or our store (read-cache hits left out). */
const asked = () => made().filter((call) => call.outcome !== 'cached').map((call) => `${call.system}.${call.operation}`);

beforeAll(async () => {
  const steady = { breaker: { errorThresholdPercentage: 100, volumeThreshold: 1_000 } };
  stack = await startTestStack({}, { onCall: (call) => calls.push(call), systems: { crm: steady } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

beforeEach(reset);

async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: unknown[]; extensions?: { stale?: unknown[] } };
  return { status: response.status, age: response.headers.get('age'), body };
}

/**
 * Asks until the answer comes from the cache (an `Age` header), at most five times: an answer is not kept while a call
 * made for it still runs, and the customer's e-mail has its followers' copies read for a drift check in the background.
 */
async function cachedAnswer(query: string, variables: Record<string, unknown>) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const answer = await post(query, variables);
    if (answer.age !== null) return answer;
  }
  throw new Error('never answered from the cache');
}

it('answers the same page again without asking any system, with the same data', async () => {
  const first = await post(ORDERS_PAGE, { first: 20 });
  expect(first.body.errors).toBeUndefined();
  expect(asked()).toEqual(expect.arrayContaining(['store.listOrders', 'erp.findItemsBySkus', 'payments.findByOrderIds']));

  reset();
  const second = await post(ORDERS_PAGE, { first: 20 });
  expect(second.body).toEqual(first.body);
  expect(second.age).toBe('0');
  expect(made()).toEqual([]);

  // Other variables are another answer.
  const other = await post(ORDERS_PAGE, { first: 5 });
  expect((other.body.data?.['orders'] as { nodes: unknown[] }).nodes).toHaveLength(5);
  expect(asked()).toContain('store.listOrders');
});

it('runs identical requests that arrive together once: the others are served the answer it keeps', async () => {
  const variables = { first: 7 };
  const answers = await Promise.all(Array.from({ length: 4 }, () => post(ORDERS_PAGE, variables)));
  for (const answer of answers) expect(answer.body).toEqual(answers[0]!.body);
  expect(answers[0]!.body.errors).toBeUndefined();
  expect(asked().filter((call) => call === 'store.listOrders')).toHaveLength(1);
  expect(answers.filter((answer) => answer.age === '0')).toHaveLength(3);
});

it('asks again after a read it used is invalidated (a webhook, a follower sync)', async () => {
  await post(ORDERS_PAGE, { first: 20 });
  reset();
  await post(ORDERS_PAGE, { first: 20 });
  expect(made()).toEqual([]);

  await stack.resilience.invalidate('payments', 'findByOrderIds');
  const again = await post(ORDERS_PAGE, { first: 20 });
  expect(again.body.errors).toBeUndefined();
  expect(asked()).toEqual(expect.arrayContaining(['store.listOrders', 'payments.findByOrderIds']));
});

it('answers what a mutation changed at once', async () => {
  await cachedAnswer(CUSTOMER, { id: customer.id });
  reset();
  const cached = await post(CUSTOMER, { id: customer.id });
  expect(made()).toEqual([]);
  expect(cached.body.data).toEqual({ customer: { id: customer.id, email: customer.email, segment: expect.any(String) } });

  const email = `changed.${customer.id}@example.com`;
  const token = await mintTestToken({ subject: 'alice', scopes: ['customers:write'] });
  const mutation = await post('mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { status } }', { input: { id: customer.id, email } }, bearer(token));
  expect(mutation.body).toEqual({ data: { updateCustomer: { status: 'APPLIED' } } });

  reset();
  const fresh = await post(CUSTOMER, { id: customer.id });
  expect(fresh.body.data).toMatchObject({ customer: { email } });
  expect(asked()).toContain('store.findCustomersByIds');
});

it('never serves a read that arrives after a mutation the answer of one that began before it', async () => {
  const other = estate.customers[11]!;
  const crm = stack.estate?.sandboxes.crm;
  if (!crm) throw new Error('the test stack runs without sandboxes');
  const email = `later.${other.id}@example.com`;
  const token = await mintTestToken({ subject: 'alice', scopes: ['customers:write'] });
  // The CRM slow: the first read waits on it after the store gave it the e-mail of before.
  crm.setFault({ mode: 'slow', delayMs: 1_500 });
  try {
    const before = post(CUSTOMER, { id: other.id });
    // The store has answered the first read (the old e-mail); the CRM is still to answer it.
    await eventually('the first read past the store', async () => asked(), (calls) => calls.includes('store.findCustomersByIds'));
    const mutation = await post('mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { status } }', { input: { id: other.id, email } }, bearer(token));
    expect(mutation.body).toEqual({ data: { updateCustomer: { status: 'APPLIED' } } });
    const after = await post(CUSTOMER, { id: other.id });
    expect(after.body.data).toMatchObject({ customer: { email } });
    expect((await before).body.data).toMatchObject({ customer: { email: other.email } });
  } finally {
    crm.setFault({ mode: 'ok' });
  }
});

it('skips the lookup for Cache-Control: no-cache, and keys answers by who asks', async () => {
  await cachedAnswer(CUSTOMER, { id: customer.id });
  reset();
  await post(CUSTOMER, { id: customer.id }, { 'cache-control': 'no-cache' });
  expect(asked()).toContain('store.findCustomersByIds');

  reset();
  const token = await mintTestToken({ subject: 'bob' });
  await post(CUSTOMER, { id: customer.id }, bearer(token));
  expect(asked()).toContain('store.findCustomersByIds');
});

it('never keeps an answer that carried stale copies or a system error', async () => {
  const crm = stack.estate!.sandboxes.crm;
  await post(CUSTOMER, { id: customer.id });
  await stack.resilience.invalidate('crm', 'findByCustomerIds');
  crm.setFault({ mode: 'down' });
  try {
    const stale = await post(CUSTOMER, { id: customer.id });
    expect(stale.body.extensions?.stale).toEqual([expect.objectContaining({ system: 'crm', keys: [customer.id] })]);
    reset();
    const again = await post(CUSTOMER, { id: customer.id });
    expect(again.body.extensions?.stale).toHaveLength(1);
    expect(asked()).toContain('crm.findByCustomerIds');

    // A customer the CRM never answered for has no stale copy: its segment fails with the CRM named, every time.
    const other = estate.customers[8]!;
    const failed = await post(CUSTOMER, { id: other.id });
    expect(failed.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', system: 'crm' }) })]);
    reset();
    await post(CUSTOMER, { id: other.id });
    expect(asked()).toContain('crm.findByCustomerIds');
  } finally {
    crm.setFault({ mode: 'ok' });
  }
});

it('refuses variables nested too deep to be keyed as any request would be refused, never with a 5xx', async () => {
  const depth = 5_000;
  const response = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"query":"query($id: ID!) { customer(id: $id) { id } }","variables":{"id":${'['.repeat(depth)}1${']'.repeat(depth)}}}`,
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  expect(response.status).toBe(400);
  expect(body.errors?.[0]?.extensions?.code).toEqual(expect.any(String));
});

it('never keeps a write\'s receipt, which the outbox worker changes without a mutation', async () => {
  const token = await mintTestToken({ subject: 'alice', scopes: ['customers:write'] });
  const mutation = await post(
    'mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { status auditId } }',
    { input: { id: customer.id, name: 'Receipt Reader' } },
    bearer(token),
  );
  const { auditId } = (mutation.body.data as { updateCustomer: { auditId: string } }).updateCustomer;
  const RECEIPT = 'query($id: ID!) { receipt(auditId: $id) { status followerJobs { system state } } }';
  const first = await post(RECEIPT, { id: auditId }, bearer(token));
  expect(first.body.errors).toBeUndefined();
  const again = await post(RECEIPT, { id: auditId }, bearer(token));
  // Asked again at once: read anew from our tables, never an older copy (no Age header).
  expect(again.age).toBeNull();
});
