import { createFakeAccounting } from '../fakes/accounting';
import { describeInvoicesContract } from './invoices.contract';

describeInvoicesContract('in-memory fake accounting system', async () => {
  const fake = createFakeAccounting();
  return {
    accounting: fake.accounting,
    system: fake.system,
    setFault: async (setting) => fake.faults.set(setting),
    batchReadCalls: async () => fake.faults.count('findInvoices'),
    async stored(orderId) {
      const invoice = fake.invoices.get(orderId);
      return invoice
        ? [{ number: invoice.number, status: invoice.status, totalMinor: invoice.total.minor, amountDueMinor: invoice.amountDue.minor, currency: invoice.total.currency }]
        : [];
    },
    pay: async (orderId) => fake.pay(orderId),
    // A fake has no wire to hold to the vendor's description: that half of the contract is the sandbox's.
    specViolations: async () => [],
    close: async () => undefined,
  };
});
