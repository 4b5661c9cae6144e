import { money, type Accounting, type Invoice } from '../../src/domain';
import { createFaultSwitch, createKeyMemory, rejected, type FaultSwitch, type FakeSleep } from './fault-switch';

export interface FakeAccountingOptions {
  /** @default "accounting" */
  readonly system?: string;
  readonly now?: () => Date;
  readonly sleep?: FakeSleep;
}

/** An accounting system in memory: one invoice per order id, what it was asked, and its fault switch. */
export interface FakeAccounting {
  readonly accounting: Accounting;
  readonly system: string;
  readonly invoices: Map<string, Invoice>;
  readonly faults: FaultSwitch;
  /** The customer pays the order's invoice in full. */
  pay(orderId: string): void;
}

export function createFakeAccounting(options: FakeAccountingOptions = {}): FakeAccounting {
  const system = options.system ?? 'accounting';
  const now = options.now ?? (() => new Date());
  const faults = createFaultSwitch({ system, ...(options.sleep ? { sleep: options.sleep } : {}) });
  const once = createKeyMemory();
  const invoices = new Map<string, Invoice>();
  let nextId = 1;

  const accounting: Accounting = {
    async findInvoicesByOrderIds(orderIds, callOptions) {
      if (orderIds.length === 0) return new Map();
      await faults.enter('findInvoices', callOptions?.signal);
      return new Map(orderIds.flatMap((id) => (invoices.has(id) ? [[id, invoices.get(id)!] as const] : [])));
    },
    async upsertInvoice({ order, idempotencyKey }, callOptions) {
      await faults.enter('upsertInvoice', callOptions?.signal);
      return once('upsertInvoice', idempotencyKey, () => {
        const held = invoices.get(order.id);
        if (order.status === 'CANCELLED') {
          if (!held) return null;
          if (held.status === 'PAID') throw rejected(system, 'upsertInvoice', `invoice ${held.number} is paid: it cannot be voided`);
          const voided: Invoice = { ...held, status: 'VOIDED', amountDue: money(0, held.total.currency), updatedAt: now() };
          invoices.set(order.id, voided);
          return voided;
        }
        if (held && held.status !== 'AWAITING_PAYMENT') return held;
        const invoice: Invoice = {
          orderId: order.id,
          invoiceId: held?.invoiceId ?? `inv-fake-${nextId++}`,
          number: order.number,
          status: 'AWAITING_PAYMENT',
          total: order.total,
          amountDue: order.total,
          updatedAt: now(),
        };
        invoices.set(order.id, invoice);
        return invoice;
      });
    },
  };

  return {
    accounting,
    system,
    invoices,
    faults,
    pay(orderId) {
      const held = invoices.get(orderId);
      if (held) invoices.set(orderId, { ...held, status: 'PAID', amountDue: money(0, held.total.currency), updatedAt: now() });
    },
  };
}
