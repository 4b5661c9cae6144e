import { formatDecimal, moneyFromDecimal, type Customer, type Invoice, type InvoiceStatus, type Order } from '../../../domain';
import { badResponse, type CallSite } from '../../kit/adapter';
import type { XeroInvoice } from './schema';

/** Internal to the Xero adapter: our orders as Xero's sales invoices (ACCREC), and back. */

export interface InvoiceSettings {
  /** The revenue account lines are booked to. */
  readonly salesAccountCode: string;
  /** Xero's tax type for the lines (prices in the store include whatever tax applies). */
  readonly taxType: string;
  /** Days from the order to the invoice's due date. */
  readonly paymentTermsDays: number;
}

const DAY_MS = 86_400_000;
const day = (at: Date): string => at.toISOString().slice(0, 10);

/** Xero's Status in our words: SUBMITTED is "awaiting approval", AUTHORISED "awaiting payment". */
const STATUS: Readonly<Record<Exclude<XeroInvoice['Status'], 'DELETED'>, InvoiceStatus>> = {
  DRAFT: 'DRAFT',
  SUBMITTED: 'AWAITING_APPROVAL',
  AUTHORISED: 'AWAITING_PAYMENT',
  PAID: 'PAID',
  VOIDED: 'VOIDED',
};

/** The POST /Invoices element for an order: its number, our id as Reference, one line per order line. */
export function toXeroInvoice(order: Order, customer: Customer, settings: InvoiceSettings, existingId?: string): Record<string, unknown> {
  return {
    ...(existingId ? { InvoiceID: existingId } : {}),
    Type: 'ACCREC',
    InvoiceNumber: order.number,
    Reference: order.id,
    // ContactNumber is Xero's field for an external system's id (max 50): the same customer finds the same contact.
    Contact: { Name: customer.name.slice(0, 255) || customer.id, ContactNumber: customer.id.slice(0, 50) },
    Date: day(order.placedAt),
    DueDate: day(new Date(order.placedAt.getTime() + settings.paymentTermsDays * DAY_MS)),
    Status: order.status === 'CANCELLED' ? 'VOIDED' : 'AUTHORISED',
    CurrencyCode: order.total.currency,
    LineAmountTypes: 'Inclusive',
    LineItems: order.lines.map((line) => ({
      Description: line.sku,
      Quantity: line.quantity,
      UnitAmount: Number(formatDecimal(line.unitPrice)),
      AccountCode: settings.salesAccountCode,
      TaxType: settings.taxType,
    })),
  };
}

/** Xero's `/Date(1552262400000+0000)/` as a Date. */
export function fromXeroDate(site: CallSite, text: string): Date {
  const ms = /^\/Date\((-?\d+)/.exec(text)?.[1];
  if (ms === undefined) throw badResponse(site, `"${text}" is not a Xero date`);
  return new Date(Number(ms));
}

/** A Xero invoice in the domain's words; a deleted one (a draft thrown away) is no invoice. */
export function toInvoice(site: CallSite, invoice: XeroInvoice, orderId: string): Invoice | undefined {
  if (invoice.Status === 'DELETED') return undefined;
  return {
    orderId,
    invoiceId: invoice.InvoiceID,
    number: invoice.InvoiceNumber,
    status: STATUS[invoice.Status],
    total: moneyFromDecimal(invoice.Total, invoice.CurrencyCode),
    amountDue: moneyFromDecimal(invoice.AmountDue, invoice.CurrencyCode),
    updatedAt: fromXeroDate(site, invoice.UpdatedDateUTC),
  };
}
