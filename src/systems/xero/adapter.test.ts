import { createXeroAdapter } from './adapter';
import { startSandbox } from '../kit/sandbox';
import { generateEstate } from '../kit/seed';
import {
  createXeroSandbox,
  invoicesOf,
  SPEC_VIOLATIONS,
  XERO_API_BASE,
  XERO_SANDBOX_CREDENTIALS,
  XERO_TOKEN_PATH,
  type StoredInvoice as XeroRecord,
} from './sandbox';
import { describeInvoicesContract, type StoredInvoice } from '../../../test/contracts/invoices.contract';

/** How this test reads Xero's statuses back, written independently of the adapter's mapper. */
const STATUS = { DRAFT: 'DRAFT', SUBMITTED: 'AWAITING_APPROVAL', AUTHORISED: 'AWAITING_PAYMENT', PAID: 'PAID', VOIDED: 'VOIDED' } as const;

describeInvoicesContract('Xero adapter against its sandbox (checked against Xero\'s OpenAPI description)', async () => {
  const sandbox = await startSandbox(createXeroSandbox());
  const { clientId, clientSecret, tenantId } = XERO_SANDBOX_CREDENTIALS;
  const accounting = createXeroAdapter({
    baseUrl: `${sandbox.url}${XERO_API_BASE}`,
    tokenUrl: `${sandbox.url}${XERO_TOKEN_PATH}`,
    clientId,
    clientSecret,
    tenantId,
  });
  const ofOrder = (orderId: string): XeroRecord[] =>
    [...sandbox.records.collection<XeroRecord>('invoices').values()].filter((invoice) => invoice.Reference === orderId);
  const cents = (amount: number): number => Math.round(amount * 100);
  return {
    accounting,
    system: 'xero',
    setFault: async (setting) => sandbox.setFault(setting),
    batchReadCalls: async () => sandbox.stats.snapshot().byOperation['getInvoices'] ?? 0,
    async stored(orderId) {
      return ofOrder(orderId).map((invoice): StoredInvoice => {
        const total = invoice.LineItems.reduce((sum, line) => sum + cents(line.LineAmount), 0);
        const gone = invoice.Status === 'VOIDED' || invoice.Status === 'DELETED';
        return {
          number: invoice.InvoiceNumber,
          status: STATUS[invoice.Status as keyof typeof STATUS],
          totalMinor: total,
          amountDueMinor: gone ? 0 : total - cents(invoice.AmountPaid),
          currency: invoice.CurrencyCode,
        };
      });
    },
    async pay(orderId) {
      for (const invoice of ofOrder(orderId)) invoicesOf(sandbox.records).pay(invoice.InvoiceID, invoice.LineItems.reduce((sum, line) => sum + line.LineAmount, 0));
    },
    specViolations: async () => [...sandbox.records.collection(SPEC_VIOLATIONS).values()],
    async close() {
      await accounting.close();
      await sandbox.close();
    },
  };
});

describe('Xero sandbox: tokens and tenants', () => {
  it('answers a wrong tenant 403 and a missing token 401, which the adapter reads as UPSTREAM_AUTH_FAILED', async () => {
    const sandbox = await startSandbox(createXeroSandbox());
    const { clientId, clientSecret } = XERO_SANDBOX_CREDENTIALS;
    const adapter = createXeroAdapter({
      baseUrl: `${sandbox.url}${XERO_API_BASE}`,
      tokenUrl: `${sandbox.url}${XERO_TOKEN_PATH}`,
      clientId,
      clientSecret,
      tenantId: '00000000-0000-4000-8000-000000000000',
    });
    const wrongSecret = createXeroAdapter({ baseUrl: `${sandbox.url}${XERO_API_BASE}`, tokenUrl: `${sandbox.url}${XERO_TOKEN_PATH}`, clientId, clientSecret: 'nope', tenantId: 'x' });
    try {
      await expect(adapter.findInvoicesByOrderIds(['ord-1'])).rejects.toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', system: 'xero' });
      await expect(wrongSecret.findInvoicesByOrderIds(['ord-1'])).rejects.toMatchObject({ code: 'UPSTREAM_AUTH_FAILED', system: 'xero' });
    } finally {
      await adapter.close();
      await wrongSecret.close();
      await sandbox.close();
    }
  });
});

describe('Xero sandbox seeded from the estate', () => {
  it('holds an invoice per estate order, as the adapter reads it: voided when cancelled, paid when its payment was taken', async () => {
    const estate = generateEstate();
    const sandbox = await startSandbox(createXeroSandbox({ estate }));
    const adapter = createXeroAdapter({ ...XERO_SANDBOX_CREDENTIALS, baseUrl: `${sandbox.url}${XERO_API_BASE}`, tokenUrl: `${sandbox.url}${XERO_TOKEN_PATH}` });
    try {
      const paidIds = new Set(estate.payments.filter((payment) => payment.status === 'SUCCEEDED').map((payment) => payment.orderId));
      const cancelled = estate.orders.find((order) => order.status === 'CANCELLED')!;
      const paid = estate.orders.find((order) => order.status !== 'CANCELLED' && paidIds.has(order.id))!;
      const open = estate.orders.find((order) => order.status !== 'CANCELLED' && !paidIds.has(order.id))!;
      const found = await adapter.findInvoicesByOrderIds([cancelled.id, paid.id, open.id]);
      expect(found.get(cancelled.id)).toMatchObject({ number: cancelled.number, status: 'VOIDED', amountDue: { minor: 0 } });
      expect(found.get(paid.id)).toMatchObject({ number: paid.number, status: 'PAID', amountDue: { minor: 0 }, total: paid.total });
      expect(found.get(open.id)).toMatchObject({ number: open.number, status: 'AWAITING_PAYMENT', amountDue: open.total });
      expect([...sandbox.records.collection(SPEC_VIOLATIONS).values()]).toEqual([]);
    } finally {
      await adapter.close();
      await sandbox.close();
    }
  });
});
