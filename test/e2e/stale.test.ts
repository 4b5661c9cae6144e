import { print } from 'graphql';
import { CustomerSegmentsDocument, type CustomerSegmentsQuery } from '../../src/generated/graphql';
import { CustomerEntity, DriftEntity } from '../../src/db';
import type { SandboxName } from '../../src/estate/start-sandboxes';
import { generateEstate } from '../../src/systems/kit/seed';
import { eventually } from '../support/scratch-database';
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
  // Breakers that cannot open during the test: what is checked here is the stale copy, not the breaker.
  const steady = { breaker: { errorThresholdPercentage: 100, volumeThreshold: 1_000 } };
  stack = await startTestStack({}, { systems: { crm: steady, 'courier-b': steady } });
});

afterAll(async () => {
  await stack?.close();
});

const segments = async (): Promise<Body> => (await stack.query(print(CustomerSegmentsDocument), { first: FIRST })) as Body;

function sandbox(name: SandboxName) {
  const found = stack.estate?.sandboxes[name];
  if (!found) throw new Error('the test stack runs without sandboxes');
  return found;
}
const crm = () => sandbox('crm');

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

it('serves a courier\'s last answer while it is down, marked stale and naming that courier', async () => {
  const order = estate.orders.find((candidate) => estate.shipments.some((shipment) => shipment.orderId === candidate.id && shipment.carrier === 'courier-b'))!;
  const SHIPMENTS = 'query($id: ID!) { order(id: $id) { id shipments { carrier trackingNumber } } }';
  type ShipmentsBody = GraphQLBody<{ order: { shipments: { carrier: string; trackingNumber: string }[] } }> & { extensions?: { stale?: StaleNotice[] } };
  const warm = (await stack.query(SHIPMENTS, { id: order.id })) as ShipmentsBody;
  expect(warm.errors).toBeUndefined();
  expect(warm.data?.order.shipments.map((shipment) => shipment.carrier)).toContain('courier-b');

  await stack.resilience.invalidate('courier-b', 'findByOrderIds');
  sandbox('courier-b').setFault({ mode: 'down' });
  try {
    const stale = (await stack.query(SHIPMENTS, { id: order.id })) as ShipmentsBody;
    expect(stale.errors).toBeUndefined();
    expect(stale.data).toEqual(warm.data);
    expect(stale.extensions?.stale).toEqual([expect.objectContaining({ system: 'courier-b', keys: [order.id] })]);
  } finally {
    sandbox('courier-b').setFault({ mode: 'ok' });
  }
});

it('does not record drift from a follower\'s stale copy: only what the follower holds now counts', async () => {
  const customer = estate.customers[40]!;
  const EMAIL = 'query($id: ID!) { customer(id: $id) { id email segment } }';
  const driftAt = (followerSystem: string) => () => stack.db.orm.em.fork().find(DriftEntity, { entity: 'Customer', entityId: customer.id, field: 'email', followerSystem });
  const drift = driftAt('crm');
  // The CRM's copy is read (and cached) while it agrees with the store.
  expect((await stack.query(EMAIL, { id: customer.id })).errors).toBeUndefined();
  // The store's e-mail changes behind the CRM's back (no follower sync): the CRM now really differs.
  const changed = `changed.in.store.${customer.id}@example.com`;
  await stack.db.orm.em.fork().nativeUpdate(CustomerEntity, { id: customer.id }, { email: changed });
  await stack.resilience.invalidate('crm', 'findByCustomerIds');

  sandbox('crm').setFault({ mode: 'down' });
  try {
    const stale = (await stack.query(EMAIL, { id: customer.id })) as Body;
    expect(stale.errors).toBeUndefined();
    expect((stale.data as unknown as { customer: { email: string } }).customer.email).toBe(changed);
    // The same read checked the ERP's copy (up, and really different) in the same background pass: once that drift
    // is recorded, the check of the CRM's old copy has had its turn too, and left nothing.
    await eventually('the ERP\'s drift to be recorded', driftAt('erp'), (rows) => rows.length > 0);
    expect(await drift()).toEqual([]);
  } finally {
    sandbox('crm').setFault({ mode: 'ok' });
  }

  // The CRM back: what it holds now differs from the owner's value, and that is drift.
  await stack.resilience.invalidate('crm', 'findByCustomerIds');
  expect((await stack.query(EMAIL, { id: customer.id })).errors).toBeUndefined();
  const [row] = await eventually('the drift to be recorded', drift, (rows) => rows.length > 0);
  expect(row).toMatchObject({ ownerSystem: 'store', ownerValue: changed, followerSystem: 'crm', followerValue: customer.email });
});
