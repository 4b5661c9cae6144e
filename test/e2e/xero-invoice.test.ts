import { generateEstate } from '../../src/systems/kit/seed';
import { SPEC_VIOLATIONS, type StoredInvoice } from '../../src/systems/xero/sandbox';
import { startTestStack, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';
import { eventually } from '../support/scratch-database';

/**
 * Xero, added as one folder, end to end on the whole product: a placed order is invoiced in Xero by its follower job
 * (through the outbox), `Order.invoice` reads it through the gateway, and a cancelled order's invoice is voided.
 */
const estate = generateEstate();

interface OrderReceipt {
  status: string;
  followerJobs: { system: string; operation: string }[];
  order: { id: string; number: string; total: { amount: string; currency: string } } | null;
}

describe('an invoice per placed order, in Xero', () => {
  let stack: TestStack;
  let token: string;

  beforeAll(async () => {
    stack = await startTestStack();
    token = await mintTestToken({ subject: 'xero-e2e', scopes: ['orders:write'] });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const mutate = async <T>(query: string, variables: Record<string, unknown>, key: string): Promise<T> => {
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token), 'idempotency-key': key },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data!;
  };
  const invoiceOf = async (orderId: string) => {
    const body = await stack.query<{ order: { invoice: { number: string; status: string; amountDue: { amount: string; currency: string } } | null } }>(
      'query($id: ID!) { order(id: $id) { invoice { number status amountDue { amount currency } } } }',
      { id: orderId },
    );
    expect(body.errors).toBeUndefined();
    return body.data!.order.invoice;
  };
  const outboxIdle = () =>
    eventually('the outbox to be idle', () => stack.writePath.outbox.counts(), (counts) => !counts.pending && !counts.running && !counts.failed, 20_000);

  it('serves the invoices the organisation already holds for the estate\'s orders, one read for a page of them', async () => {
    const xero = stack.estate!.sandboxes['xero']!;
    const before = xero.stats.snapshot().byOperation['getInvoices'] ?? 0;
    const body = await stack.query<{ orders: { nodes: { number: string; invoice: { number: string } | null }[] } }>('{ orders(first: 20) { nodes { number invoice { number } } } }');
    expect(body.errors).toBeUndefined();
    const nodes = body.data!.orders.nodes;
    expect(nodes).toHaveLength(20);
    for (const node of nodes) expect(node.invoice?.number).toBe(node.number);
    expect((xero.stats.snapshot().byOperation['getInvoices'] ?? 0) - before).toBe(1);
  });

  it('queues the invoice with the order, serves it as Order.invoice, and voids it when the order is cancelled', async () => {
    const customer = estate.customers[41]!;
    const placed = (
      await mutate<{ placeOrder: OrderReceipt }>(
        'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { status followerJobs { system operation } order { id number total { amount currency } } } }',
        { input: { customerId: customer.id, lines: [{ sku: 'SKU-00011', quantity: 2 }] } },
        'xero-e2e-place-1',
      )
    ).placeOrder;
    expect(placed.status).toBe('APPLIED');
    expect(placed.followerJobs).toContainEqual({ system: 'xero', operation: 'upsertOrder' });
    const order = placed.order!;

    await outboxIdle();
    expect(await invoiceOf(order.id)).toEqual({ number: order.number, status: 'AWAITING_PAYMENT', amountDue: order.total });

    const cancelled = (await mutate<{ cancelOrder: OrderReceipt }>('mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: order.id }, 'xero-e2e-cancel-1')).cancelOrder;
    expect(cancelled.status).toBe('APPLIED');
    await outboxIdle();
    const xero = stack.estate!.sandboxes['xero']!;
    expect([...xero.records.collection<StoredInvoice>('invoices').values()].filter((invoice) => invoice.Reference === order.id).map((invoice) => invoice.Status)).toEqual(['VOIDED']);
    // The read cache was dropped by the follower job: the graph shows the voided invoice at once.
    expect(await invoiceOf(order.id)).toEqual({ number: order.number, status: 'VOIDED', amountDue: { amount: '0.00', currency: order.total.currency } });
    expect([...xero.records.collection(SPEC_VIOLATIONS).values()]).toEqual([]);
  });
});
