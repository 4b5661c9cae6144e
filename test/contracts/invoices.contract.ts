import {
  money,
  type Accounting,
  type Customer,
  type InvoiceStatus,
  type Order,
} from '../../src/domain';
import type { FaultSetting } from '../../src/systems/kit/sandbox';
import { failureOf } from '../support/failures';

/** What the accounting system holds for one order, read around the port (its records window), in our vocabulary. */
export interface StoredInvoice {
  readonly number: string;
  readonly status: InvoiceStatus;
  readonly totalMinor: number;
  readonly amountDueMinor: number;
  readonly currency: string;
}

/** What the contract needs: the implementation under test, and ways to observe and break the system behind it. */
export interface InvoicesHarness {
  readonly accounting: Accounting;
  /** The system name every error must carry. */
  readonly system: string;
  /** Sets the system's fault switch (`POST /_sandbox/faults` for a sandbox). */
  setFault(setting: FaultSetting): Promise<void>;
  /** Batch-read requests (the ones `findInvoicesByOrderIds` sends) the system has received so far. */
  batchReadCalls(): Promise<number>;
  /** The invoices the system holds for an order (all of them, voided ones too). */
  stored(orderId: string): Promise<readonly StoredInvoice[]>;
  /** The customer pays the order's invoice in full, in the accounting system. */
  pay(orderId: string): Promise<void>;
  /** What the system saw outside the vendor's published description (requests and answers); [] for a fake. */
  specViolations(): Promise<readonly unknown[]>;
  close(): Promise<void>;
}

let keys = 0;
const idempotencyKey = (what: string): string => `contract-${what}-${process.pid}-${(keys += 1)}`;

let orders = 0;
/** A placed order of two lines (3 × 9.99 + 1 × 20.00 = 49.97 EUR) and its customer, distinct on every call. */
export function aPlacedOrder(overrides: Partial<Order> = {}): { order: Order; customer: Customer } {
  orders += 1;
  const n = `${process.pid}-${orders}`;
  const at = new Date(Date.UTC(2026, 11, 6, 10, 0, 0));
  const customer: Customer = { id: `cus-inv-${n}`, email: `inv-${n}@example.com`, name: `Invoice Customer ${n}`, phone: null, createdAt: at, updatedAt: at };
  const order: Order = {
    id: `ord-inv-${n}`,
    number: `WEB-2026-INV${n}`,
    customerId: customer.id,
    status: 'CONFIRMED',
    placedAt: at,
    updatedAt: at,
    lines: [
      { sku: 'SKU-00001', quantity: 3, unitPrice: money(999, 'EUR') },
      { sku: 'SKU-00002', quantity: 1, unitPrice: money(2000, 'EUR') },
    ],
    total: money(4997, 'EUR'),
    ...overrides,
  };
  return { order, customer };
}

/**
 * The Accounting contract: one invoice per order, kept in line with it. Every implementation (the Xero adapter against
 * its sandbox, any fake) runs it. Each test invoices orders of its own, so tests do not depend on each other's writes.
 */
export function describeInvoicesContract(label: string, setup: () => Promise<InvoicesHarness>): void {
  describe(`Accounting contract: ${label}`, () => {
    let h: InvoicesHarness;
    beforeAll(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.setFault({ mode: 'ok' });
      // The vendor's description is the oracle: nothing sent or answered may leave it.
      expect(await h.specViolations()).toEqual([]);
    });
    afterAll(async () => {
      await h?.close();
    });

    it('invoices a placed order: its number, awaiting payment, the whole total due', async () => {
      const { order, customer } = aPlacedOrder();
      const invoice = await h.accounting.upsertInvoice({ order, customer, idempotencyKey: idempotencyKey('create') });
      expect(invoice).toMatchObject({ orderId: order.id, number: order.number, status: 'AWAITING_PAYMENT', total: money(4997, 'EUR'), amountDue: money(4997, 'EUR') });
      expect(await h.stored(order.id)).toEqual([{ number: order.number, status: 'AWAITING_PAYMENT', totalMinor: 4997, amountDueMinor: 4997, currency: 'EUR' }]);
    });

    it('applies a repeated upsert once, with the same key or a new one', async () => {
      const { order, customer } = aPlacedOrder();
      const key = idempotencyKey('twice');
      const first = await h.accounting.upsertInvoice({ order, customer, idempotencyKey: key });
      const again = await h.accounting.upsertInvoice({ order, customer, idempotencyKey: key });
      const later = await h.accounting.upsertInvoice({ order: { ...order, status: 'SHIPPED' }, customer, idempotencyKey: idempotencyKey('later') });
      expect(again?.invoiceId).toBe(first?.invoiceId);
      expect(later?.invoiceId).toBe(first?.invoiceId);
      expect(await h.stored(order.id)).toHaveLength(1);
    });

    it('reads the invoices of many orders in one batch read; an order without one is missing from the map', async () => {
      const placed = [aPlacedOrder(), aPlacedOrder(), aPlacedOrder()];
      for (const { order, customer } of placed) await h.accounting.upsertInvoice({ order, customer, idempotencyKey: idempotencyKey('batch') });
      const before = await h.batchReadCalls();
      const found = await h.accounting.findInvoicesByOrderIds([...placed.map(({ order }) => order.id), 'ord-never-invoiced', 'ord-"quoted"']);
      expect(await h.batchReadCalls()).toBe(before + 1);
      expect([...found.keys()].sort()).toEqual(placed.map(({ order }) => order.id).sort());
      for (const { order } of placed) expect(found.get(order.id)).toMatchObject({ number: order.number, status: 'AWAITING_PAYMENT', amountDue: money(4997, 'EUR') });
      expect((await h.accounting.findInvoicesByOrderIds([])).size).toBe(0);
    });

    it('voids the invoice of a cancelled order: nothing is due any more', async () => {
      const { order, customer } = aPlacedOrder();
      await h.accounting.upsertInvoice({ order, customer, idempotencyKey: idempotencyKey('to-void') });
      const voided = await h.accounting.upsertInvoice({ order: { ...order, status: 'CANCELLED' }, customer, idempotencyKey: idempotencyKey('void') });
      expect(voided).toMatchObject({ status: 'VOIDED', amountDue: money(0, 'EUR') });
      expect((await h.accounting.findInvoicesByOrderIds([order.id])).get(order.id)?.status).toBe('VOIDED');
    });

    it('makes no invoice for an order cancelled before it had one', async () => {
      const { order, customer } = aPlacedOrder({ status: 'CANCELLED' });
      expect(await h.accounting.upsertInvoice({ order, customer, idempotencyKey: idempotencyKey('never') })).toBeNull();
      expect(await h.stored(order.id)).toEqual([]);
    });

    it('reads a paid invoice as paid, and refuses to void it when its order is cancelled', async () => {
      const { order, customer } = aPlacedOrder();
      await h.accounting.upsertInvoice({ order, customer, idempotencyKey: idempotencyKey('to-pay') });
      await h.pay(order.id);
      expect((await h.accounting.findInvoicesByOrderIds([order.id])).get(order.id)).toMatchObject({ status: 'PAID', amountDue: money(0, 'EUR') });
      const error = await failureOf(h.accounting.upsertInvoice({ order: { ...order, status: 'CANCELLED' }, customer, idempotencyKey: idempotencyKey('void-paid') }));
      expect(error).toMatchObject({ code: 'UPSTREAM_REJECTED', system: h.system });
      expect((await h.stored(order.id)).map((invoice) => invoice.status)).toEqual(['PAID']);
    });

    it.each([
      [{ mode: 'down' } as FaultSetting, 'UPSTREAM_UNAVAILABLE'],
      [{ mode: 'ratelimit', retryAfterSeconds: 2 } as FaultSetting, 'UPSTREAM_RATE_LIMITED'],
      [{ mode: 'garbage' } as FaultSetting, 'UPSTREAM_BAD_RESPONSE'],
    ])('translates the system failing (%j) into %s, naming the system', async (fault, code) => {
      const { order } = aPlacedOrder();
      await h.setFault(fault);
      const error = await failureOf(h.accounting.findInvoicesByOrderIds([order.id]));
      expect(error).toMatchObject({ code, system: h.system });
    });
  });
}
