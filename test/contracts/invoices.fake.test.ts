import { createFakeAccounting } from '../fakes/accounting';
import { describeInvoicesContract } from './invoices.contract';

describeInvoicesContract('in-memory fake accounting system', async () => {
  const fake = createFakeAccounting();
  return {
    accounting: fake.accounting,
    system: fake.system,
    setFault: async (setting) => fake.faults.set(setting),
    batchReadCalls: async () => fake.faults.count('findInvoicesByOrderIds'),
    stored: async (orderId) =>
      (fake.invoices.get(orderId) ?? []).map((invoice) => ({
        number: invoice.number,
        status: invoice.status,
        totalMinor: invoice.total.minor,
        amountDueMinor: invoice.amountDue.minor,
        currency: invoice.total.currency,
      })),
    pay: async (orderId) => fake.pay(orderId),
    specViolations: async () => [],
    close: async () => undefined,
  };
});
