import type { SandboxName } from '../../src/estate/start-sandboxes';
import { bearer, mintTestToken } from '../support/tokens';
import { startTestStack, type GraphQLBody, type TestStack } from '../support/stack';

/**
 * Hostile ids through every id argument of the graph: path walks, query and fragment injection, percent-encoded dots,
 * CRLF, NUL, very long ids, Unicode look-alikes of `/` and `.`, a lone surrogate. The gateway keeps answering (never a
 * 5xx), each answer is null / not found or an error with a stable code, and the sandboxes show that no request went
 * anywhere but where it was meant to: only the operations the graph uses, and no record of any system changed.
 */

const HOSTILE: readonly string[] = [
  '../',
  '..',
  '../../_sandbox/faults',
  '..%2f',
  '..%2F..%2Fcrm',
  'cus-00001/../cus-00002',
  'SKU-00001?x=1',
  '?x=1',
  'ord-000001#frag',
  '#frag',
  '%2e%2e',
  '%2e%2e%2f_sandbox',
  'cus-00001\r\nX-Injected: yes',
  '\r\n\r\nGET / HTTP/1.1',
  'ord-000001\u0000',
  '\u0000',
  'x'.repeat(50_000),
  'cus-00001\uFF0F..\uFF0Fcus-00002',
  '\u2024\u2024/',
  '\uFF0E\uFF0E\uFF0F',
  '\uD800',
  "ord-000001' OR '1'='1",
  'SKU-00001,SKU-00002',
];

/** Every code a client may see for these: an input refused, a record not there, a system saying no. */
const STABLE_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'UPSTREAM_REJECTED', 'GRAPHQL_VALIDATION_FAILED']);

const READS: readonly [string, string][] = [
  ['customer(id)', 'query ($id: ID!) { customer(id: $id) { id email segment legacyRecord { email } } }'],
  ['order(id) with its payment and shipments', 'query ($id: ID!) { order(id: $id) { id payment { status } shipments { status } legacyRecord { status } } }'],
  ['inventoryItem(sku)', 'query ($id: String!) { inventoryItem(sku: $id) { sku onHand } }'],
  ['orders(customerId)', 'query ($id: ID!) { orders(customerId: $id, first: 5) { nodes { id } } }'],
  ['receipt(auditId)', 'query ($id: ID!) { receipt(auditId: $id) { status } }'],
];

const RECEIPT = 'status error { code system }';
const WRITES: readonly [string, string, (id: string) => Record<string, unknown>][] = [
  ['updateCustomer(input.id)', `mutation ($input: UpdateCustomerInput!) { updateCustomer(input: $input) { ${RECEIPT} } }`, (id) => ({ input: { id, name: 'Mallory' } })],
  ['cancelOrder(id)', `mutation ($id: ID!) { cancelOrder(id: $id) { ${RECEIPT} } }`, (id) => ({ id })],
  ['updateOrderStatus(id)', `mutation ($id: ID!) { updateOrderStatus(id: $id, status: CONFIRMED) { ${RECEIPT} } }`, (id) => ({ id })],
  ['adjustInventory(sku)', `mutation ($id: String!) { adjustInventory(sku: $id, delta: 5, reason: "hostile id test") { ${RECEIPT} } }`, (id) => ({ id })],
  ['placeOrder(customerId)', `mutation ($id: ID!) { placeOrder(input: { customerId: $id, lines: [{ sku: "SKU-00001", quantity: 1 }] }) { ${RECEIPT} } }`, (id) => ({ id })],
  ['placeOrder(lines.sku)', `mutation ($id: String!) { placeOrder(input: { customerId: "cus-00001", lines: [{ sku: $id, quantity: 1 }] }) { ${RECEIPT} } }`, (id) => ({ id })],
];

const SANDBOXES: readonly SandboxName[] = ['crm', 'erp', 'payments', 'courier-a', 'courier-b', 'legacy'];

/**
 * The only operations the systems may see: looking the item up in the ERP (by its exact code, in a JSON body), and the
 * ERP login. Ids of customers and orders that do not exist never leave the site's store.
 */
const READ_OPERATIONS = { erp: ['common.authenticate', 'product.product.search_read'] } as const;
const WRITE_OPERATIONS = { erp: ['common.authenticate', 'product.product.search', 'product.product.search_read'] } as const;

/** Operations each sandbox counted that are not in `allowed`. */
function unexpectedOperations(allowed: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  return Object.fromEntries(
    SANDBOXES.map((name) => [
      name,
      Object.keys(stack.estate!.sandboxes[name].stats.snapshot().byOperation).filter((operation) => !(allowed[name] ?? []).includes(operation)),
    ]),
  );
}

const NOTHING_UNEXPECTED = Object.fromEntries(SANDBOXES.map((name) => [name, []]));

let stack: TestStack;
let headers: Record<string, string>;

beforeAll(async () => {
  stack = await startTestStack();
  headers = bearer(await mintTestToken({ subject: 'mallory', scopes: ['customers:write', 'orders:write', 'inventory:write'] }));
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/** Everything every system holds, record by record. */
function holdings(): string {
  return JSON.stringify(
    SANDBOXES.map((name) => {
      const records = stack.estate!.sandboxes[name].records;
      return [name, records.names().map((collection) => [collection, [...records.collection(collection).entries()]])];
    }),
  );
}

async function send(query: string, variables: Record<string, unknown>, extra: Record<string, string> = {}) {
  const response = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...extra },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as GraphQLBody<Record<string, unknown>> };
}

/** Null or not found, or a clear error with a stable code; never a 5xx, never our internals. What is wrong, else nothing. */
function problemsOf(answer: Awaited<ReturnType<typeof send>>): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
  for (const error of answer.body.errors ?? []) {
    const code = String(error.extensions?.code);
    if (!STABLE_CODES.has(code)) problems.push(`${code} (${error.message})`);
  }
  if (/node_modules|\bat \S+:\d+|ECONN|SQLITE|syntax error/i.test(answer.text)) problems.push('internals in the answer');
  return problems;
}

const shown = (id: string): string => JSON.stringify(id.length > 40 ? `${id.slice(0, 12)}…(${id.length})` : id);

it('reads: every id argument answers null or a stable code, only the ERP item look-up reaches a system, nothing changes', async () => {
  for (const name of SANDBOXES) stack.estate!.sandboxes[name].stats.reset();
  const before = holdings();
  const problems: string[] = [];
  for (const [field, query] of READS) {
    for (const id of HOSTILE) {
      const answer = await send(query, { id });
      const root = Object.values(answer.body.data ?? {})[0];
      // A lookup of a record that is not there: null (or an empty page), never someone else's record.
      const found = field === 'orders(customerId)' ? (root as { nodes?: unknown[] } | null)?.nodes?.length : root;
      if (found) problems.push(`found ${JSON.stringify(root).slice(0, 80)}`);
      problems.push(...problemsOf(answer).map((problem) => `${field} ${shown(id)}: ${problem}`));
    }
  }
  expect(unexpectedOperations(READ_OPERATIONS)).toEqual(NOTHING_UNEXPECTED);
  expect(holdings()).toBe(before);
  expect(problems).toEqual([]);
});

it('writes: every id argument of the mutations is refused with a stable code, and no system changes', async () => {
  for (const name of SANDBOXES) stack.estate!.sandboxes[name].stats.reset();
  const before = holdings();
  const problems: string[] = [];
  for (const [field, query, variables] of WRITES) {
    for (const id of HOSTILE) {
      const answer = await send(query, variables(id), headers);
      problems.push(...problemsOf(answer).map((problem) => `${field} ${shown(id)}: ${problem}`));
      const receipt = Object.values(answer.body.data ?? {})[0] as { status: string; error: { code: string } | null } | null | undefined;
      if (receipt && (receipt.status !== 'REJECTED' || !STABLE_CODES.has(receipt.error?.code ?? ''))) {
        problems.push(`${field} ${shown(id)}: receipt ${JSON.stringify(receipt)}`);
      }
    }
  }
  expect(unexpectedOperations(WRITE_OPERATIONS)).toEqual(NOTHING_UNEXPECTED);
  expect(holdings()).toBe(before);
  expect(problems).toEqual([]);
});
