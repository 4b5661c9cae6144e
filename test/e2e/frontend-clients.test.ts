import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Client, cacheExchange, fetchExchange } from '@urql/core';
import type { GraphQLClient as GraphQLClientClass } from 'graphql-request' with { 'resolution-mode': 'import' };
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';

// graphql-request ships CommonJS too, but its types only as an ES module: the types come from there, the code from require.
const { GraphQLClient } = require('graphql-request') as { GraphQLClient: typeof GraphQLClientClass };

/**
 * The frontend clients a team is likely to pick, each on its default settings (only the URL and, for a mutation, the
 * bearer token given): a query sent the way that client sends it by default (urql: GET, its `preferGetMethod` is
 * 'within-url-limit'; Apollo Client and graphql-request: POST) and a mutation. What each sent is read from the
 * requests it made through the global fetch, which all three use when given none.
 */
const QUERY = '{ customers(first: 3) { nodes { id name segment } } }';
const MUTATION = (sku: string) => `mutation { adjustInventory(sku: "${sku}", delta: 1, reason: "count") { status owner } }`;

interface Customers {
  customers: { nodes: { id: string; name: string; segment: string | null }[] };
}
interface Adjusted {
  adjustInventory: { status: string; owner: string };
}

let stack: TestStack;
let token: string;
const sent: { method: string; url: string }[] = [];
const realFetch = globalThis.fetch;

beforeAll(async () => {
  stack = await startTestStack();
  token = await mintTestToken({ subject: 'frontend', scopes: ['inventory:write'] });
  globalThis.fetch = (input, init) => {
    const request = new Request(input, init);
    sent.push({ method: request.method, url: request.url });
    return realFetch(input, init);
  };
}, 60_000);
afterAll(async () => {
  globalThis.fetch = realFetch;
  await stack?.close();
});
beforeEach(() => {
  sent.length = 0;
});

/** What a client's query must answer: three customers with their CRM segment, whichever way it was sent. */
function expectCustomers(data: Customers | undefined | null): void {
  expect(data?.customers.nodes).toHaveLength(3);
  expect(data?.customers.nodes.every((customer) => customer.id && customer.name && customer.segment)).toBe(true);
}

describe('frontend clients on their defaults', () => {
  it('Apollo Client 4: a query (POST) and a mutation', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: stack.gateway.url, headers: bearer(token) }),
      cache: new InMemoryCache(),
    });
    const read = await client.query<Customers>({ query: gql(QUERY) });
    expect(read.error).toBeUndefined();
    expectCustomers(read.data);
    const write = await client.mutate<Adjusted>({ mutation: gql(MUTATION('SKU-00031')) });
    expect(write.error).toBeUndefined();
    expect(write.data?.adjustInventory).toEqual({ status: 'APPLIED', owner: 'erp', __typename: 'InventoryReceipt' });
    expect(sent.map((request) => request.method)).toEqual(['POST', 'POST']);
  });

  it('urql (@urql/core 6): a query sent as GET, its default, and a mutation (POST)', async () => {
    const client = new Client({ url: stack.gateway.url, exchanges: [cacheExchange, fetchExchange] });
    const read = await client.query<Customers>(QUERY, {}).toPromise();
    // On failure, say what the gateway answered (CSRF prevention refused urql's GET with a 400 before issue 16).
    expect(read.error?.message).toBeUndefined();
    expectCustomers(read.data);
    const write = await client.mutation<Adjusted>(MUTATION('SKU-00032'), {}, { fetchOptions: { headers: bearer(token) } }).toPromise();
    expect(write.error?.message).toBeUndefined();
    expect(write.data?.adjustInventory).toMatchObject({ status: 'APPLIED', owner: 'erp' });
    expect(sent.map((request) => request.method)).toEqual(['GET', 'POST']);
    expect(new URL(sent[0]?.url ?? '').searchParams.get('query')).toContain('customers(first: 3)');
  });

  it('graphql-request 7: a query (POST) and a mutation', async () => {
    const client = new GraphQLClient(stack.gateway.url);
    expectCustomers(await client.request<Customers>(QUERY));
    const write = await client.request<Adjusted>(MUTATION('SKU-00033'), {}, bearer(token));
    expect(write.adjustInventory).toEqual({ status: 'APPLIED', owner: 'erp' });
    expect(sent.map((request) => request.method)).toEqual(['POST', 'POST']);
  });
});
