import { randomBytes } from 'node:crypto';
import { CustomerEntity, MutationAuditEntity, parseDatabaseUrl } from '../../src/db';
import { generateEstate } from '../../src/systems/kit/seed';
import { testDatabases, type TestDatabase } from '../support/databases';
import { scratchDatabase } from '../support/scratch-database';
import { startTestStack, type GraphQLBody, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';

/**
 * Hostile text through every text argument of the graph (issue 15): control characters, lone surrogates, empty and
 * over-long strings, phone numbers and e-mails that are none. Each is refused at the subgraph's edge as BAD_USER_INPUT
 * naming the argument (and the field within it), with the same answer on SQLite and PostgreSQL, over HTTP 200, and
 * nothing is applied or audited. Query arguments too: an empty customerId, a cursor this graph never gave out.
 */

const estate = generateEstate();
const customer = estate.customers[25]!;
const UPDATE = 'mutation($input: UpdateCustomerInput!, $key: String) { updateCustomer(input: $input, idempotencyKey: $key) { status } }';

/** [what, field, value]: each is refused with `argument: 'input'`, `field: 'input.<field>'`. */
const HOSTILE_PROFILE: readonly (readonly [string, 'name' | 'phone' | 'email', string])[] = [
  ['a NUL in the name', 'name', 'Mallory\u0000'],
  ['a lone surrogate in the name', 'name', 'Mal\uD800lory'],
  ['CR/LF in the name', 'name', 'Mallory\r\nX-Injected: yes'],
  ['a C1 control in the name', 'name', 'Mal\u0085lory'],
  ['an empty name', 'name', ''],
  ['a name of spaces', 'name', '   '],
  ['a name of 201 characters', 'name', 'n'.repeat(201)],
  ['a NUL in the phone', 'phone', '+44 20 7946 0958\u0000'],
  ['CR/LF after the phone', 'phone', '+44 20 7946 0958\r\n'],
  ['a URL as the phone', 'phone', 'https://evil.example/call'],
  ['an empty phone (null clears it)', 'phone', ''],
  ['words as the phone', 'phone', 'call me maybe'],
  ['a phone without its country code', 'phone', '020 7946 0958'],
  ['a lone surrogate as the phone', 'phone', '\uDC00'],
  ['a NUL in the e-mail', 'email', 'mallory\u0000@example.com'],
  ['LF after the e-mail', 'email', 'mallory@example.com\n'],
  ['an e-mail that is none', 'email', 'not-an-email'],
  ['an empty e-mail', 'email', ''],
];

describe.each(testDatabases())('input screened at the edge on $label', (database: TestDatabase) => {
  let stack: TestStack;
  let scratch: { url: string; drop: () => Promise<void> } | undefined;

  beforeAll(async () => {
    const env: Record<string, string> = {};
    if (database.url && parseDatabaseUrl(database.url).dialect === 'postgresql') {
      scratch = await scratchDatabase(database.url, 'input');
      env.DATABASE_URL = scratch.url;
    }
    stack = await startTestStack(env);
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await scratch?.drop();
  });

  async function graphql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLBody<T> };
  }

  /** A token for the refused requests' caller (whose audit rows must stay none), or another's. */
  const writer = async (scope: 'customers:write' | 'orders:write' | 'inventory:write', subject = 'screening-test') => bearer(await mintTestToken({ subject, scopes: [scope] }));
  const audits = () => stack.db.orm.em.fork().count(MutationAuditEntity, { actor: 'screening-test' });

  /** The one error of a refused operation, as the client sees it (the request id aside). */
  function refusal(answer: { status: number; body: GraphQLBody<unknown> }) {
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toHaveLength(1);
    const { requestId: _requestId, serviceName: _serviceName, ...extensions } = answer.body.errors![0]!.extensions ?? {};
    return { message: answer.body.errors![0]!.message, extensions };
  }

  it.each(HOSTILE_PROFILE)('updateCustomer refuses %s: BAD_USER_INPUT naming input.%s, nothing applied', async (_what, field, value) => {
    const before = await stack.db.orm.em.fork().findOneOrFail(CustomerEntity, { id: customer.id });
    const answer = await graphql(UPDATE, { input: { id: customer.id, [field]: value }, key: `screen-${randomBytes(4).toString('hex')}` }, await writer('customers:write'));
    const refused = refusal(answer);
    expect(refused.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'input', field: `input.${field}` });
    expect(refused.message).toMatch(new RegExp(`^input\\.${field}: `));
    expect(answer.body.data ?? null).toBeNull();
    const after = await stack.db.orm.em.fork().findOneOrFail(CustomerEntity, { id: customer.id });
    expect({ name: after.name, phone: after.phone, email: after.email }).toEqual({ name: before.name, phone: before.phone, email: before.email });
    expect(await audits()).toBe(0);
  });

  it('takes what is well formed: an international phone, a name with accents and a character beyond the BMP, and null to clear the phone', async () => {
    const token = await writer('customers:write', 'screening-test-well-formed');
    const applied = await graphql<{ updateCustomer: { status: string } }>(UPDATE, { input: { id: customer.id, name: 'Zoë 😀 Brontë', phone: '+44 20 7946-0958' } }, token);
    expect(applied.body).toEqual({ data: { updateCustomer: { status: 'APPLIED' } } });
    const read = await graphql<{ customer: { name: string; phone: string | null } }>('query($id: ID!) { customer(id: $id) { name phone } }', { id: customer.id });
    expect(read.body.data?.customer).toEqual({ name: 'Zoë 😀 Brontë', phone: '+44 20 7946-0958' });
    const cleared = await graphql(UPDATE, { input: { id: customer.id, phone: null } }, token);
    expect(cleared.body).toEqual({ data: { updateCustomer: { status: 'APPLIED' } } });
  });

  it.each([
    ['adjustInventory', 'a NUL in the reason', 'mutation { adjustInventory(sku: "SKU-00001", delta: 1, reason: "count\\u0000") { status } }', 'inventory:write', 'reason', 'reason'],
    ['adjustInventory', 'an empty SKU', 'mutation { adjustInventory(sku: "", delta: 1, reason: "count") { status } }', 'inventory:write', 'sku', 'sku'],
    // A lone surrogate cannot be written in a GraphQL string literal (the parser refuses it): it comes as a variable.
    ['placeOrder', 'a lone surrogate in a line\'s SKU', 'mutation($sku: String!) { placeOrder(input: { customerId: "cus-00001", lines: [{ sku: $sku, quantity: 1 }] }) { status } }', 'orders:write', 'input', 'input.lines.0.sku'],
    ['placeOrder', 'an empty customerId', 'mutation { placeOrder(input: { customerId: "", lines: [{ sku: "SKU-00001", quantity: 1 }] }) { status } }', 'orders:write', 'input', 'input.customerId'],
    ['placeOrder', 'a country code that is no ISO alpha-2 code', 'mutation { placeOrder(input: { customerId: "cus-00001", lines: [{ sku: "SKU-00001", quantity: 1 }], shipTo: { name: "Ada", line1: "Keizersgracht 1", city: "Amsterdam", region: "NH", postalCode: "1015 CJ", countryCode: "NLD" } }) { status } }', 'orders:write', 'input', 'input.shipTo.countryCode'],
    ['placeOrder', 'a line feed in the address', 'mutation { placeOrder(input: { customerId: "cus-00001", lines: [{ sku: "SKU-00001", quantity: 1 }], shipTo: { name: "Ada\\nBcc: x", line1: "Keizersgracht 1", city: "Amsterdam", region: "NH", postalCode: "1015 CJ", countryCode: "NL" } }) { status } }', 'orders:write', 'input', 'input.shipTo.name'],
    ['placeOrder', 'an address line of 101 characters', `mutation { placeOrder(input: { customerId: "cus-00001", lines: [{ sku: "SKU-00001", quantity: 1 }], shipTo: { name: "Ada", line1: "${'x'.repeat(101)}", city: "Amsterdam", region: "NH", postalCode: "1015 CJ", countryCode: "NL" } }) { status } }`, 'orders:write', 'input', 'input.shipTo.line1'],
    ['placeOrder', 'a payment method that is no pm_ id', 'mutation { placeOrder(input: { customerId: "cus-00001", lines: [{ sku: "SKU-00001", quantity: 1 }], paymentMethod: "tok_visa" }) { status } }', 'orders:write', 'input', 'input.paymentMethod'],
    ['cancelOrder', 'CR/LF in the id', 'mutation { cancelOrder(id: "ord-000001\\r\\n") { status } }', 'orders:write', 'id', 'id'],
    ['updateOrderStatus', 'an id of 65 characters', `mutation { updateOrderStatus(id: "${'o'.repeat(65)}", status: CONFIRMED) { status } }`, 'orders:write', 'id', 'id'],
  ] as const)('%s refuses %s, naming the argument', async (_operation, _what, mutation, scope, argument, field) => {
    const refused = refusal(await graphql(mutation, { sku: 'SKU-\uD800' }, await writer(scope)));
    expect(refused.extensions).toEqual({ code: 'BAD_USER_INPUT', argument, field });
    expect(await audits()).toBe(0);
  });

  it.each([
    ['orders(customerId: "") (it read every customer\'s orders)', 'query { orders(customerId: "", first: 5) { nodes { id } } }', 'customerId'],
    ['orders(customerId) with a NUL', 'query { orders(customerId: "cus-00001\\u0000", first: 5) { nodes { id } } }', 'customerId'],
    ['orders(after) that is no cursor (it was reported as the store failing)', 'query { orders(after: "not-a-cursor", first: 5) { nodes { id } } }', 'after'],
    ['orders(after) with a customers cursor', `query { orders(after: "${Buffer.from(JSON.stringify(['c', 'cus-00001'])).toString('base64url')}") { nodes { id } } }`, 'after'],
    ['customers(after) with an orders cursor', `query { customers(after: "${Buffer.from(JSON.stringify(['o', '2026-01-01T00:00:00.000Z', 'ord-000001'])).toString('base64url')}") { nodes { id } } }`, 'after'],
    ['a customer\'s orders(after) that is no cursor', 'query { customer(id: "cus-00001") { orders(after: "%%%") { nodes { id } } } }', 'after'],
    ['customer(id) with a lone surrogate', 'query($id: ID = "cus-00001") { customer(id: $id) { id } }', 'id'],
    ['order(id) empty', 'query { order(id: "") { id } }', 'id'],
  ])('refuses the query argument of %s: BAD_USER_INPUT naming it', async (_what, query, argument) => {
    const refused = refusal(await graphql(query, { id: 'cus-\uDC00' }));
    expect(refused.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
  });

  it('pages on as before with the cursors it gave out', async () => {
    const first = await graphql<{ orders: { nodes: { id: string }[]; pageInfo: { endCursor: string } } }>('query { orders(first: 2) { nodes { id } pageInfo { endCursor } } }', {});
    const cursor = first.body.data!.orders.pageInfo.endCursor;
    const next = await graphql<{ orders: { nodes: { id: string }[] } }>('query($after: String) { orders(first: 2, after: $after) { nodes { id } } }', { after: cursor });
    expect(next.body.errors).toBeUndefined();
    expect(next.body.data!.orders.nodes).toHaveLength(2);
    expect(next.body.data!.orders.nodes[0]!.id).not.toBe(first.body.data!.orders.nodes[0]!.id);
  });
});
