import { print } from 'graphql';
import { CustomerSegmentsDocument, type CustomerSegmentsQuery } from '../../src/generated/graphql';
import { generateEstate } from '../../src/sandboxes/seed';
import { startTestStack, type GraphQLBody, type TestStack } from '../support/stack';

/**
 * Stale-if-error: when the CRM fails, the segments it gave before are served from the read cache's longer-lived
 * copy, and the answer says so. By design the answer then has no error (the data is there, only older): the
 * response's `extensions.stale` lists, per system, the keys served from an older copy, as of when, and where in the
 * answer, e.g. `{ system: 'crm', keys: ['cus-00001'], asOf: '2026-…Z', path: 'customers.nodes.@' }`.
 */

interface StaleNotice {
  readonly system: string;
  readonly keys: readonly string[];
  readonly asOf: string;
  readonly path?: string;
}

type Body = GraphQLBody<CustomerSegmentsQuery> & { readonly extensions?: { readonly stale?: readonly StaleNotice[] } };

const estate = generateEstate();
const FIRST = 5;
const customers = estate.customers.slice(0, FIRST);
let stack: TestStack;

beforeAll(async () => {
  // A breaker that cannot open during the test: what is checked here is the stale copy, not the breaker.
  stack = await startTestStack({}, { systems: { crm: { timeoutMs: 1_000, breaker: { errorThresholdPercentage: 100, volumeThreshold: 1_000, resetTimeoutMs: 1_000, rollingWindowMs: 10_000 } } } });
});

afterAll(async () => {
  await stack?.close();
});

const segments = async (): Promise<Body> => (await stack.query(print(CustomerSegmentsDocument), { first: FIRST })) as Body;

function crm() {
  const sandbox = stack.estate?.sandboxes.crm;
  if (!sandbox) throw new Error('the test stack runs without sandboxes');
  return sandbox;
}

it('serves the segments the CRM gave before while it is down, marked stale as of when they were read, then fresh again', async () => {
  const before = new Date();
  const warm = await segments();
  const after = new Date();
  expect(warm.errors).toBeUndefined();
  expect(warm.extensions?.stale).toBeUndefined();
  const expected = customers.map((customer) => ({ id: customer.id, name: customer.name, segment: estate.crm.get(customer.id)?.segment }));
  expect(warm.data?.customers.nodes).toEqual(expected);

  // The fresh copies expire (30 s in the product; dropped here rather than waited for), and the CRM goes down.
  await stack.resilience.invalidate('crm', 'findByCustomerIds');
  crm().setFault({ mode: 'down' });
  try {
    crm().stats.reset();
    const stale = await segments();
    expect(crm().stats.snapshot().total).toBeGreaterThan(0); // the CRM was asked, and failed
    expect(stale.errors).toBeUndefined();
    expect(stale.data?.customers.nodes).toEqual(expected);
    const notices = stale.extensions?.stale ?? [];
    expect(notices).toHaveLength(1);
    const [notice] = notices;
    expect(notice).toMatchObject({ system: 'crm', path: 'customers.nodes.@' });
    expect([...(notice?.keys ?? [])].sort()).toEqual(customers.map((customer) => customer.id).sort());
    const asOf = new Date(notice?.asOf ?? '');
    expect(asOf.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(asOf.getTime()).toBeLessThanOrEqual(after.getTime());
  } finally {
    crm().setFault({ mode: 'ok' });
  }

  const fresh = await segments();
  expect(fresh.errors).toBeUndefined();
  expect(fresh.extensions?.stale).toBeUndefined();
  expect(fresh.data?.customers.nodes).toEqual(expected);
});
