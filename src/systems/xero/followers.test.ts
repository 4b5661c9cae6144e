import type { FollowerJob } from '../kit/define-system';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { xeroSystem } from './index';
import { createXeroAdapter, type XeroAdapter } from './adapter';
import { createXeroSandbox, SPEC_VIOLATIONS, XERO_API_BASE, XERO_SANDBOX_CREDENTIALS, XERO_TOKEN_PATH, type StoredInvoice } from './sandbox';
import { createFakeSiteStore } from '../../../test/fakes/site-store';
import { aCustomer, anOrder } from '../../../test/support/builders';

/** Xero follows the order through the outbox: its `xero:upsertOrder` handler, on the store's fake and Xero's sandbox. */
describe('xero:upsertOrder, the follower job of an order', () => {
  const ada = aCustomer().withEmail('ada@example.com').updatedAt('2026-11-01T10:00:00Z').build();
  const order = anOrder().for(ada).withLine('SKU-LAMP', 2).withStatus('CONFIRMED').updatedAt('2026-11-02T10:00:00Z').build();
  let sandbox: RunningSandbox;
  let accounting: XeroAdapter;

  beforeAll(async () => {
    sandbox = await startSandbox(createXeroSandbox());
    accounting = createXeroAdapter({ ...XERO_SANDBOX_CREDENTIALS, baseUrl: `${sandbox.url}${XERO_API_BASE}`, tokenUrl: `${sandbox.url}${XERO_TOKEN_PATH}` });
  });
  afterAll(async () => {
    await accounting.close();
    await sandbox.close();
  });

  const invoicesOfOrder = (id: string) => [...sandbox.records.collection<StoredInvoice>('invoices').values()].filter((invoice) => invoice.Reference === id);

  it('invoices the order as the store holds it when the job runs, voids it once the order is cancelled, and drops the cached read', async () => {
    const store = createFakeSiteStore({ customers: [ada], orders: [order] });
    const invalidated: string[] = [];
    const handlers = xeroSystem.followers!({
      ports: { store: store.store, accounting },
      invalidate: async (system, operation, keys) => void invalidated.push(...keys.map((key) => `${system}:${operation}:${key}`)),
    });
    const run = (auditId: string) => {
      const job: FollowerJob = { id: `job-${auditId}`, system: 'xero', operation: 'upsertOrder', payload: { orderId: order.id }, idempotencyKey: `${auditId}:xero`, attempts: 1 };
      return handlers['xero:upsertOrder']!(job);
    };

    await run('audit-place');
    await run('audit-place'); // the same job again, its first answer lost: one invoice
    expect(invoicesOfOrder(order.id)).toEqual([
      expect.objectContaining({ InvoiceNumber: order.number, Status: 'AUTHORISED', Type: 'ACCREC', Contact: expect.objectContaining({ Name: ada.name, ContactNumber: ada.id }) }),
    ]);
    expect(invalidated).toEqual([`xero:findInvoicesByOrderIds:${order.id}`, `xero:findInvoicesByOrderIds:${order.id}`]);

    store.orders.set(order.id, { ...order, status: 'CANCELLED', updatedAt: new Date('2026-11-03T10:00:00Z') });
    await run('audit-cancel');
    expect(invoicesOfOrder(order.id).map((invoice) => invoice.Status)).toEqual(['VOIDED']);
    expect([...sandbox.records.collection(SPEC_VIOLATIONS).values()]).toEqual([]);
  });

  it('fails the job (to be retried, then dead-lettered) when the order is not in the store', async () => {
    const store = createFakeSiteStore({ customers: [ada], orders: [] });
    const handlers = xeroSystem.followers!({ ports: { store: store.store, accounting }, invalidate: async () => undefined });
    const job: FollowerJob = { id: 'job-x', system: 'xero', operation: 'upsertOrder', payload: { orderId: 'ord-gone' }, idempotencyKey: 'audit-x:xero', attempts: 1 };
    await expect(handlers['xero:upsertOrder']!(job)).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED', system: 'store' });
  });
});
