import { print } from 'graphql';
import type { SandboxName } from '../../src/estate/start-sandboxes';
import { InventoryItemDocument, type InventoryItemQuery } from '../../src/generated/graphql';
import { ERP_SANDBOX_CREDENTIALS } from '../../src/systems/erp/sandbox';
import { generateEstate } from '../../src/systems/kit/seed';
import { startTestStack, type GraphQLBody, type TestStack } from '../support/stack';

/**
 * Issue 4's failure modes, over HTTP against the whole stack. Bounds are generous correctness bounds (did it wait
 * for the timeout, or for the slow system?), not benchmarks.
 */

const CRM_TIMEOUT_MS = 1_000;
const ERP_TIMEOUT_MS = 1_000;
const RESET_MS = 500;
const estate = generateEstate();
let stack: TestStack;
/** Each customer's cursor, to read ranges nothing has read yet (so no cached or stale copy can stand in). */
let cursors: string[] = [];

const SEGMENTS = `query Segments($first: Int, $after: String) { customers(first: $first, after: $after) { nodes { id name segment } } }`;
type SegmentsBody = GraphQLBody<{ customers: { nodes: { id: string; name: string; segment: string | null }[] } }>;

beforeAll(async () => {
  stack = await startTestStack(
    {},
    {
      systems: {
        // The breaker opens when 95 in 100 attempts of the last two seconds failed (twenty at least): a CRM that is
        // down opens it within a few reads; a flaky one (half its answers fail, at random) would need 19 failures in
        // its first 20 attempts, about 2 in 100,000, so it stays closed. (At 75% of 10, a coin-flip CRM opened it now
        // and then, and the reads that followed failed fast.) It half-opens after RESET_MS.
        crm: { timeoutMs: CRM_TIMEOUT_MS, breaker: { errorThresholdPercentage: 95, volumeThreshold: 20, resetTimeoutMs: RESET_MS, rollingWindowMs: 2_000 } },
        erp: { timeoutMs: ERP_TIMEOUT_MS, breaker: { errorThresholdPercentage: 50, volumeThreshold: 1_000, resetTimeoutMs: 1_000, rollingWindowMs: 10_000 } },
      },
    },
  );
  const page = await stack.query<{ customers: { edges: { cursor: string }[] } }>(`{ customers(first: 240) { edges { cursor } } }`);
  cursors = page.data?.customers.edges.map((edge) => edge.cursor) ?? [];
  expect(cursors).toHaveLength(estate.customers.length);
});

afterAll(async () => {
  await stack?.close();
});

function sandbox(name: SandboxName) {
  const found = stack.estate?.sandboxes[name];
  if (!found) throw new Error('the test stack runs without sandboxes');
  return found;
}

/** Ten customers from `offset` (0-based), with their segments. */
async function segments(offset: number): Promise<{ body: SegmentsBody; elapsedMs: number }> {
  const started = performance.now();
  const body = (await stack.query(SEGMENTS, { first: 10, after: offset === 0 ? null : cursors[offset - 1] })) as SegmentsBody;
  return { body, elapsedMs: performance.now() - started };
}

async function item(sku: string): Promise<{ body: GraphQLBody<InventoryItemQuery>; elapsedMs: number }> {
  const started = performance.now();
  const body = await stack.query<InventoryItemQuery>(print(InventoryItemDocument), { sku });
  return { body, elapsedMs: performance.now() - started };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const crmErrors = (body: SegmentsBody) => (body.errors ?? []).filter((error) => error.extensions?.system === 'crm');

describe('the CRM is flaky', () => {
  it('answers most reads whole: a failed attempt is retried within the timeout', async () => {
    sandbox('crm').setFault({ mode: 'flaky', probability: 0.5 });
    const outcomes: boolean[] = [];
    try {
      // Twenty ranges of ten customers nobody has read: each read reaches the CRM.
      for (let query = 0; query < 20; query += 1) {
        const { body } = await segments(query * 10);
        expect(body.data?.customers.nodes.map((node) => node.name)).toEqual(estate.customers.slice(query * 10, query * 10 + 10).map((customer) => customer.name));
        // A retried attempt stays inside the timeout: none of the answer's errors is a timeout.
        expect(crmErrors(body).filter((error) => error.extensions?.code === 'UPSTREAM_TIMEOUT')).toEqual([]);
        outcomes.push(crmErrors(body).length === 0);
      }
    } finally {
      sandbox('crm').setFault({ mode: 'ok' });
    }
    process.stdout.write(`flaky CRM: ${outcomes.filter(Boolean).length} of ${outcomes.length} reads whole\n`);
    expect(stack.resilience.breakerStates()).toContainEqual({ system: 'crm', operation: 'findByCustomerIds', state: 'closed' });
    // Without retries about half would fail; with two retries about one in eight.
    expect(outcomes.filter(Boolean).length).toBeGreaterThanOrEqual(16);
  });
});

describe('the CRM is down', () => {
  const offset = 200; // a range the flaky reads above did not touch
  const expectStoreFields = (body: SegmentsBody) =>
    expect(body.data?.customers.nodes.map((node) => [node.id, node.name, node.segment])).toEqual(
      estate.customers.slice(offset, offset + 10).map((customer) => [customer.id, customer.name, null]),
    );

  afterAll(() => sandbox('crm').setFault({ mode: 'ok' }));

  it('answers within its timeout with the store\'s fields and an error naming the crm', async () => {
    sandbox('crm').setFault({ mode: 'down' });
    const { body } = await segments(offset);
    expectStoreFields(body);
    const errors = crmErrors(body);
    expect(errors).toHaveLength(10);
    // Unavailable, not a timeout: the refused connection is reported as it happens, with no wait for the CRM's timeout
    // (a clock here would measure the machine's load as much as the gateway).
    expect(new Set(errors.map((error) => error.extensions?.code))).toEqual(new Set(['UPSTREAM_UNAVAILABLE']));
  });

  it('fails fast once the breaker is open, without calling the CRM', async () => {
    const open = () => stack.resilience.breakerStates().some((state) => state.system === 'crm' && state.state === 'open');
    for (let tries = 0; tries < 20 && !open(); tries += 1) await segments(offset);
    expect(open()).toBe(true);
    sandbox('crm').stats.reset();
    const timings: number[] = [];
    for (let round = 0; round < 7; round += 1) {
      const { body, elapsedMs } = await segments(offset);
      expectStoreFields(body);
      expect(new Set(crmErrors(body).map((error) => error.extensions?.code))).toEqual(new Set(['CIRCUIT_OPEN']));
      timings.push(elapsedMs);
    }
    // Seven rounds of ten customers reach the CRM at most once: a background drift check still retrying from before
    // the breaker opened, or the breaker's single half-open trial; never one call per request.
    expect(sandbox('crm').stats.snapshot().total).toBeLessThanOrEqual(1);
    // The whole gateway round trip (gateway, store, crm subgraph), measured several times: the median is the figure.
    process.stdout.write(`breaker-open round trips (ms): ${timings.map((ms) => ms.toFixed(1)).join(', ')}; median ${median(timings).toFixed(1)}\n`);
    // That an open breaker answers without waiting on the CRM is proven above by the CRM's own count (it was not
    // asked); the time is printed, not asserted: on a loaded machine it measures the load (the < 50 ms target belongs
    // to `npm run bench`).
  });

  it('closes the breaker by itself once the CRM is back', async () => {
    sandbox('crm').setFault({ mode: 'ok' });
    let body: SegmentsBody | undefined;
    // After RESET_MS the breaker lets one trial through; the first read after that closes it.
    for (let tries = 0; tries < 40; tries += 1) {
      ({ body } = await segments(offset));
      if (crmErrors(body).length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, RESET_MS / 5));
    }
    expect(body?.errors).toBeUndefined();
    expect(body?.data?.customers.nodes.map((node) => node.segment)).toEqual(
      estate.customers.slice(offset, offset + 10).map((customer) => estate.crm.get(customer.id)?.segment),
    );
    expect(stack.resilience.breakerStates()).toContainEqual({ system: 'crm', operation: 'findByCustomerIds', state: 'closed' });
  });
});

describe('the ERP', () => {
  beforeAll(async () => {
    // The ERP adapter signs in once: do it while the ERP is well, so that what fails below is the item read.
    const { body } = await item(estate.items[0]!.sku);
    expect(body.errors).toBeUndefined();
  });

  it('is slow (30 s): no request waits longer than its timeout', async () => {
    sandbox('erp').setFault({ mode: 'slow', delayMs: 30_000 });
    try {
      const answers = await Promise.all(estate.items.slice(1, 4).map((seeded) => item(seeded.sku)));
      for (const { body, elapsedMs } of answers) {
        expect(elapsedMs).toBeGreaterThan(ERP_TIMEOUT_MS * 0.9);
        expect(elapsedMs).toBeLessThan(ERP_TIMEOUT_MS + 1_000);
        expect(body.errors?.map((error) => [error.extensions?.code, error.extensions?.system])).toEqual([['UPSTREAM_TIMEOUT', 'erp']]);
      }
    } finally {
      sandbox('erp').setFault({ mode: 'ok' });
    }
  });

  it('sends garbage: UPSTREAM_BAD_RESPONSE naming the erp, a readable reason and a redacted payload in the integration log, and the gateway serves on', async () => {
    const seeded = estate.items.slice(10, 12);
    sandbox('erp').setFault({ mode: 'garbage' });
    try {
      // The sandbox alternates between a body cut off half-way and a well-formed body of the wrong shape.
      for (const { sku } of seeded) {
        const { body } = await item(sku);
        expect(body.data?.inventoryItem ?? null).toBeNull();
        expect(body.errors?.map((error) => [error.extensions?.code, error.extensions?.system])).toEqual([['UPSTREAM_BAD_RESPONSE', 'erp']]);
      }
    } finally {
      sandbox('erp').setFault({ mode: 'ok' });
    }

    await stack.integrationLog.flush();
    const rows = (await stack.integrationLog.recent({ adapter: 'erp', outcome: 'error' })).filter((row) => row.errorCode === 'UPSTREAM_BAD_RESPONSE');
    expect(rows.length).toBeGreaterThanOrEqual(seeded.length);
    for (const row of rows) {
      expect(row.reason).toMatch(/malformed|unexpected payload: \S+/i);
      expect(row.payload).not.toBeUndefined();
      expect(row.payload).not.toBeNull();
      const kept = JSON.stringify(row.payload);
      expect(kept).not.toContain(ERP_SANDBOX_CREDENTIALS.apiKey);
      expect(kept.length).toBeLessThan(20_000);
    }

    const after = await item(seeded[0]!.sku);
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data?.inventoryItem).toMatchObject({ sku: seeded[0]!.sku, name: seeded[0]!.name });
  });
});
