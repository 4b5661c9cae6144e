import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { formatDecimal, type Order } from '../../src/domain';
import type { SandboxName } from '../../src/estate/start-sandboxes';
import { CustomerSegmentsDocument, InventoryItemDocument, OrderDocument, type OrderQuery } from '../../src/generated/graphql';
import type { FaultSetting } from '../../src/systems/kit/sandbox';
import { generateEstate } from '../../src/systems/kit/seed';
import { startTestStack, type GraphQLBody, type TestStack } from '../support/stack';

/**
 * A system that is down, slow or talking garbage costs only its own fields: the rest of the answer comes back, with
 * errors that carry a stable code and name the system, and nothing of the system's own words or our stack.
 */

type WireError = NonNullable<GraphQLBody<unknown>['errors']>[number];

const TIMEOUT_MS = 1_000;
const estate = generateEstate();
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(
    {},
    {
      systems: {
        crm: {
          timeoutMs: TIMEOUT_MS,
          // Judged after ten attempts (reads retry; each failed attempt counts), and open long enough that it cannot half-open during the test.
          breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 60_000, rollingWindowMs: 60_000 },
        },
        erp: { timeoutMs: TIMEOUT_MS },
      },
    },
  );
});

afterAll(async () => {
  await stack?.close();
});

function run<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables?: V): Promise<GraphQLBody<T>> {
  return stack.query<T>(print(document), variables);
}

function sandbox(name: SandboxName) {
  const found = stack.estate?.sandboxes[name];
  if (!found) throw new Error('the test stack runs without sandboxes');
  return found;
}

/** Runs `body` with the system in a fault mode, and puts it back to normal whatever happens. */
async function withFault<T>(name: SandboxName, fault: FaultSetting, body: () => Promise<T>): Promise<T> {
  sandbox(name).setFault(fault);
  try {
    return await body();
  } finally {
    sandbox(name).setFault({ mode: 'ok' });
  }
}

/** An error a client may see: a code from our list, the system, and a sentence; no stack, no vendor body. */
function expectClean(errors: readonly WireError[], system: string): void {
  for (const error of errors) {
    expect(error.extensions?.system).toBe(system);
    expect(Object.keys(error.extensions ?? {}).filter((key) => !['code', 'system', 'serviceName', 'retryAfterMs', 'requestId'].includes(key))).toEqual([]);
    // The request id finds the whole story in the logs.
    expect(error.extensions?.requestId).toMatch(/^[\w.:-]{8,}$/);
    expect(error.message).toMatch(new RegExp(`^${system} [a-z ()]+: \\w+ failed$`));
    const said = [error.message, ...Object.values(error.extensions ?? {}).map(String)].join('\n');
    expect(said).not.toMatch(/node_modules|\bat \S+:\d+|ECONN|socket|jsonrpc|[{<]/i);
  }
}

/** An order whose SKUs nothing has read yet (so no cached copy can stand in for the ERP), with a payment. */
function freshOrder(taken: Set<string>): Order {
  const order = estate.orders.find(
    (candidate) =>
      candidate.status === 'DELIVERED' &&
      candidate.lines.length >= 2 &&
      candidate.lines.every((line) => !taken.has(line.sku)),
  );
  if (!order) throw new Error('the estate has no order left with unread SKUs');
  for (const line of order.lines) taken.add(line.sku);
  return order;
}

/** What the store, the payment gateway and the couriers answered for the order, while the ERP failed. */
function expectEverythingButItems(order: OrderQuery['order'], seeded: Order): void {
  expect(order).toMatchObject({
    id: seeded.id,
    number: seeded.number,
    status: seeded.status,
    total: { amount: formatDecimal(seeded.total), currency: 'EUR' },
    customer: { id: seeded.customerId },
    payment: { status: 'SUCCEEDED' },
  });
  expect(order?.shipments?.length).toBeGreaterThan(0);
  expect(order?.lines.map((line) => [line.sku, line.quantity, line.unitPrice.amount])).toEqual(
    seeded.lines.map((line) => [line.sku, line.quantity, formatDecimal(line.unitPrice)]),
  );
  // The ERP's own fields are null, each with its error.
  expect(order?.lines.map((line) => [line.item?.name, line.item?.onHand])).toEqual(seeded.lines.map(() => [null, null]));
}

const usedSkus = new Set<string>();

describe('the CRM is down', () => {
  it('answers names from the store, segment null, and an error per segment naming the crm', async () => {
    const body = await withFault('crm', { mode: 'down' }, () => run(CustomerSegmentsDocument, { first: 10 }));

    expect(body.data?.customers.nodes).toEqual(
      estate.customers.slice(0, 10).map((customer) => ({ id: customer.id, name: customer.name, segment: null })),
    );
    const errors = body.errors ?? [];
    expect(errors.map((error) => error.path)).toEqual(estate.customers.slice(0, 10).map((_, index) => ['customers', 'nodes', index, 'segment']));
    expect(new Set(errors.map((error) => error.extensions?.code))).toEqual(new Set(['UPSTREAM_UNAVAILABLE']));
    expectClean(errors, 'crm');
  });

  it('answers segments again once the CRM is back', async () => {
    const body = await run(CustomerSegmentsDocument, { first: 10 });
    expect(body.errors).toBeUndefined();
    expect(body.data?.customers.nodes.map((customer) => customer.segment)).toEqual(
      estate.customers.slice(0, 10).map((customer) => estate.crm.get(customer.id)?.segment),
    );
  });
});

describe('the ERP sends garbage', () => {
  it('answers the order without its item details, with UPSTREAM_BAD_RESPONSE naming the erp, for both kinds of garbage', async () => {
    // The ERP adapter signs in once; do that while the ERP is well, so that what breaks below is the item read.
    const warmUp = await run(InventoryItemDocument, { sku: 'SKU-00001' });
    expect(warmUp.errors).toBeUndefined();
    usedSkus.add('SKU-00001');

    // The sandbox alternates between a body cut off half-way and a well-formed body of the wrong shape.
    for (const seeded of [freshOrder(usedSkus), freshOrder(usedSkus)]) {
      const body = await withFault('erp', { mode: 'garbage' }, () => run(OrderDocument, { id: seeded.id }));
      expectEverythingButItems(body.data?.order ?? null, seeded);
      const errors = body.errors ?? [];
      expect(errors.length).toBeGreaterThanOrEqual(seeded.lines.length);
      expect(new Set(errors.map((error) => error.extensions?.code))).toEqual(new Set(['UPSTREAM_BAD_RESPONSE']));
      expect(errors.every((error) => error.path?.slice(0, 2).join('.') === 'order.lines' && error.path[3] === 'item')).toBe(true);
      expectClean(errors, 'erp');
      for (const line of seeded.lines) expect(JSON.stringify(errors)).not.toContain(estate.items.find((item) => item.sku === line.sku)?.name);
    }
  });
});

describe('the ERP is slow', () => {
  it('gives up on the ERP after its timeout and answers the rest with UPSTREAM_TIMEOUT naming the erp', async () => {
    const seeded = freshOrder(usedSkus);
    const { body, elapsedMs } = await withFault('erp', { mode: 'slow', delayMs: 30_000 }, async () => {
      const started = performance.now();
      const answer = await run(OrderDocument, { id: seeded.id });
      return { body: answer, elapsedMs: performance.now() - started };
    });

    // A correctness bound, not a benchmark: it waited for the ERP up to its timeout (timers may fire a hair early),
    // then gave up long before the ERP, holding its answer for 30 s, would have answered.
    expect(elapsedMs).toBeGreaterThan(TIMEOUT_MS * 0.9);
    expect(elapsedMs).toBeLessThan(5_000);
    expectEverythingButItems(body.data?.order ?? null, seeded);
    const errors = body.errors ?? [];
    expect(new Set(errors.map((error) => error.extensions?.code))).toEqual(new Set(['UPSTREAM_TIMEOUT']));
    expectClean(errors, 'erp');
  });
});

describe('the CRM keeps failing', () => {
  it('opens its breaker: CIRCUIT_OPEN naming the crm, without calling it, while the store still answers', async () => {
    const crm = sandbox('crm');
    const seen: string[] = [];
    await withFault('crm', { mode: 'down' }, async () => {
      for (let attempt = 0; attempt < 10 && !seen.includes('CIRCUIT_OPEN'); attempt += 1) {
        crm.stats.reset();
        // The first ten segments were read above; the next ten never were, so no cached copy can stand in for them.
        const body = await run(CustomerSegmentsDocument, { first: 20 });
        const nodes = body.data?.customers.nodes ?? [];
        expect(nodes.map((customer) => customer.name)).toEqual(estate.customers.slice(0, 20).map((customer) => customer.name));
        expect(nodes.slice(10).map((customer) => customer.segment)).toEqual(Array<null>(10).fill(null));
        const errors = body.errors ?? [];
        expect(errors.every((error) => error.path?.join('.').match(/^customers\.nodes\.\d+\.segment$/))).toBe(true);
        expect(errors.map((error) => error.path?.[2]).filter((index) => Number(index) >= 10)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
        const codes = new Set(errors.map((error) => String(error.extensions?.code)));
        expect(codes.size).toBe(1);
        seen.push(...codes);
        expectClean(errors, 'crm');
        if (codes.has('CIRCUIT_OPEN')) expect(crm.stats.snapshot().total).toBe(0);
      }
    });
    expect(seen.at(-1)).toBe('CIRCUIT_OPEN');
    expect(seen.slice(0, -1).every((code) => code === 'UPSTREAM_UNAVAILABLE')).toBe(true);
  });

  it('still answers the segments it holds in its read cache', async () => {
    const body = await withFault('crm', { mode: 'down' }, () => run(CustomerSegmentsDocument, { first: 20 }));
    expect(body.data?.customers.nodes.slice(0, 10).map((customer) => customer.segment)).toEqual(
      estate.customers.slice(0, 10).map((customer) => estate.crm.get(customer.id)?.segment),
    );
  });
});
