import { IntegrationError, money, type Accounting, type Customer, type Invoice, type Order } from '../../src/domain';
import { createFaultSwitch, type FaultSwitchOptions } from './fault-switch';

/** What the fake holds: every invoice it made, by order id (voided ones too), and the customers' payments. */
export interface FakeAccounting {
  readonly accounting: Accounting;
  readonly system: string;
  readonly faults: ReturnType<typeof createFaultSwitch>;
  readonly invoices: Map<string, Invoice[]>;
  /** The customer pays the order's live invoice in full. */
  pay(orderId: string): void;
}

/**
 * An in-memory accounting system: one invoice per order, made by the first upsert, voided when the order is
 * cancelled, refused to be voided once paid; a repeated upsert (same key or not) changes nothing.
 */
export function createFakeAccounting(options: Partial<FaultSwitchOptions> = {}): FakeAccounting {
  const system = options.system ?? 'xero';
  const faults = createFaultSwitch({ ...options, system });
  const invoices = new Map<string, Invoice[]>();
  let numbered = 0;
  const live = (orderId: string): Invoice | undefined => (invoices.get(orderId) ?? []).find((invoice) => invoice.status !== 'VOIDED') ?? invoices.get(orderId)?.at(-1);
  const put = (invoice: Invoice): Invoice => {
    invoices.set(invoice.orderId, [...(invoices.get(invoice.orderId) ?? []).filter((held) => held.invoiceId !== invoice.invoiceId), invoice]);
    return invoice;
  };

  const accounting: Accounting = {
    async findInvoicesByOrderIds(orderIds, callOptions) {
      await faults.enter('findInvoicesByOrderIds', callOptions?.signal);
      const found = new Map<string, Invoice>();
      for (const id of new Set(orderIds)) {
        const invoice = live(id);
        if (invoice) found.set(id, invoice);
      }
      return found;
    },
    async upsertInvoice(input: { order: Order; customer: Customer; idempotencyKey: string }, callOptions) {
      await faults.enter('upsertInvoice', callOptions?.signal);
      const { order } = input;
      const held = live(order.id);
      if (order.status !== 'CANCELLED') {
        if (held && held.status !== 'VOIDED') return held;
        numbered += 1;
        return put({ orderId: order.id, invoiceId: `fake-invoice-${numbered}`, number: order.number, status: 'AWAITING_PAYMENT', total: order.total, amountDue: order.total, updatedAt: new Date() });
      }
      if (!held || held.status === 'VOIDED') return held ?? null;
      if (held.amountDue.minor < held.total.minor) {
        throw new IntegrationError('UPSTREAM_REJECTED', `${system}: invoice ${held.number} has a payment and cannot be voided`, { system, operation: 'upsertInvoice' });
      }
      return put({ ...held, status: 'VOIDED', amountDue: money(0, held.total.currency), updatedAt: new Date() });
    },
  };
  return {
    accounting,
    system,
    faults,
    invoices,
    pay(orderId) {
      const held = live(orderId);
      if (held) put({ ...held, status: 'PAID', amountDue: money(0, held.total.currency) });
    },
  };
}
