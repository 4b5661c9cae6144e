import { randomUUID } from 'node:crypto';
import { formatDecimal } from '../../../domain';
import type { RecordStore } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';

/** Internal to the Xero sandbox: its invoices, as Xero holds and writes them. */

export const XERO_INVOICE_STATUSES = ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'PAID', 'VOIDED', 'DELETED'] as const;
export type XeroInvoiceStatus = (typeof XERO_INVOICE_STATUSES)[number];

/** A line as Xero answers it. */
export interface XeroLineItem {
  readonly LineItemID: string;
  readonly Description: string;
  readonly Quantity: number;
  readonly UnitAmount: number;
  readonly AccountCode: string;
  readonly TaxType: string;
  readonly TaxAmount: number;
  readonly LineAmount: number;
}

/** An invoice as the sandbox keeps it (dates in epoch milliseconds; {@link toWire} writes them Xero's way). */
export interface StoredInvoice {
  readonly InvoiceID: string;
  readonly Type: 'ACCREC' | 'ACCPAY';
  readonly InvoiceNumber: string;
  readonly Reference: string;
  readonly Contact: { readonly ContactID: string; readonly Name: string; readonly ContactNumber?: string };
  readonly Date: number;
  readonly DueDate: number;
  readonly Status: XeroInvoiceStatus;
  readonly LineAmountTypes: 'Exclusive' | 'Inclusive' | 'NoTax';
  readonly LineItems: readonly XeroLineItem[];
  readonly CurrencyCode: string;
  readonly AmountPaid: number;
  readonly UpdatedDateUTC: number;
}

/** Xero's JSON dates: `/Date(1552262400000+0000)/`. */
export const xeroDate = (ms: number): string => `/Date(${ms}+0000)/`;

const cents = (amount: number): number => Math.round(amount * 100);
const amount = (minor: number): number => minor / 100;

/** The invoice as Xero's API answers it: its totals computed, its dates in Xero's format. */
export function toWire(invoice: StoredInvoice): Record<string, unknown> {
  const subTotal = invoice.LineItems.reduce((sum, line) => sum + cents(line.LineAmount), 0);
  const total = subTotal;
  const due = invoice.Status === 'VOIDED' || invoice.Status === 'DELETED' ? 0 : total - cents(invoice.AmountPaid);
  return {
    Type: invoice.Type,
    InvoiceID: invoice.InvoiceID,
    InvoiceNumber: invoice.InvoiceNumber,
    Reference: invoice.Reference,
    Payments: [],
    CreditNotes: [],
    Prepayments: [],
    Overpayments: [],
    AmountDue: amount(due),
    AmountPaid: invoice.AmountPaid,
    AmountCredited: 0,
    CurrencyRate: 1,
    IsDiscounted: false,
    HasAttachments: false,
    HasErrors: false,
    Contact: { ...invoice.Contact },
    Date: xeroDate(invoice.Date),
    DueDate: xeroDate(invoice.DueDate),
    Status: invoice.Status,
    LineAmountTypes: invoice.LineAmountTypes,
    LineItems: invoice.LineItems.map((line) => ({ ...line, Tracking: [] })),
    SubTotal: amount(subTotal),
    TotalTax: 0,
    Total: amount(total),
    UpdatedDateUTC: xeroDate(invoice.UpdatedDateUTC),
    CurrencyCode: invoice.CurrencyCode,
  };
}

/** What a POST /Invoices element asks for (already checked against Xero's description). */
export interface InvoiceInput {
  readonly InvoiceID?: string;
  readonly Type?: 'ACCREC' | 'ACCPAY';
  readonly InvoiceNumber?: string;
  readonly Reference?: string;
  readonly Contact?: { readonly ContactID?: string; readonly Name?: string; readonly ContactNumber?: string };
  readonly Date?: string;
  readonly DueDate?: string;
  readonly Status?: XeroInvoiceStatus;
  readonly LineAmountTypes?: 'Exclusive' | 'Inclusive' | 'NoTax';
  readonly LineItems?: readonly { readonly Description?: string; readonly Quantity?: number; readonly UnitAmount?: number; readonly AccountCode?: string; readonly TaxType?: string; readonly LineAmount?: number }[];
  readonly CurrencyCode?: string;
}

/** Xero's refusal of one invoice: the messages go into its `ValidationErrors`. */
export class InvoiceRefused extends Error {
  constructor(readonly messages: readonly string[]) {
    super(messages.join('; '));
  }
}

/** Which moves of Status Xero allows through the API (a PAID invoice cannot be voided: it has a payment). */
const MOVES: Readonly<Record<XeroInvoiceStatus, readonly XeroInvoiceStatus[]>> = {
  DRAFT: ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'DELETED'],
  SUBMITTED: ['SUBMITTED', 'DRAFT', 'AUTHORISED', 'DELETED'],
  AUTHORISED: ['AUTHORISED', 'VOIDED'],
  PAID: ['PAID'],
  VOIDED: ['VOIDED'],
  DELETED: ['DELETED'],
};

function parseDate(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(text)?.[1];
  if (ms) return Number(ms);
  const day = Date.parse(`${text.slice(0, 10)}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(day)) throw new InvoiceRefused([`"${text}" is not a valid date`]);
  return day;
}

/** The sandbox's invoices: created and updated as POST /Invoices does, read as GET /Invoices does. */
export class InvoiceLedger {
  private readonly invoices: Map<string, StoredInvoice>;
  private readonly contacts = new Map<string, string>();

  constructor(records: RecordStore, private readonly now: () => number = Date.now) {
    this.invoices = records.collection<StoredInvoice>('invoices');
  }

  all(): StoredInvoice[] {
    return [...this.invoices.values()];
  }

  /** POST /Invoices: by InvoiceID, else by InvoiceNumber, an existing invoice is updated; otherwise one is created. */
  save(input: InvoiceInput): StoredInvoice {
    const existing =
      input.InvoiceID !== undefined ? this.invoices.get(input.InvoiceID)
      : input.InvoiceNumber !== undefined ? this.all().find((invoice) => invoice.InvoiceNumber === input.InvoiceNumber)
      : undefined;
    if (input.InvoiceID !== undefined && !existing) throw new InvoiceRefused([`Invoice ${input.InvoiceID} could not be found`]);
    const at = this.now();
    if (existing) return this.update(existing, input, at);
    const problems: string[] = [];
    if (!input.Type) problems.push('Invoice Type must be specified');
    if (!input.Contact || (!input.Contact.ContactID && !input.Contact.Name)) problems.push('A Contact must be specified for this type of transaction');
    if (!input.LineItems?.length && input.Status !== 'DRAFT') problems.push('Invoices must have at least one line item');
    if (problems.length) throw new InvoiceRefused(problems);
    const status = input.Status ?? 'DRAFT';
    if (status === 'PAID' || status === 'VOIDED' || status === 'DELETED') throw new InvoiceRefused([`Invoice Status ${status} cannot be set on a new invoice`]);
    const date = parseDate(input.Date, Date.UTC(new Date(at).getUTCFullYear(), new Date(at).getUTCMonth(), new Date(at).getUTCDate()));
    const invoice: StoredInvoice = {
      InvoiceID: randomUUID(),
      Type: input.Type!,
      InvoiceNumber: input.InvoiceNumber ?? `INV-${String(this.invoices.size + 1).padStart(4, '0')}`,
      Reference: input.Reference ?? '',
      Contact: this.contactOf(input.Contact!),
      Date: date,
      DueDate: parseDate(input.DueDate, date),
      Status: status,
      LineAmountTypes: input.LineAmountTypes ?? 'Exclusive',
      LineItems: this.linesOf(input.LineItems ?? []),
      CurrencyCode: input.CurrencyCode ?? 'NZD',
      AmountPaid: 0,
      UpdatedDateUTC: at,
    };
    this.invoices.set(invoice.InvoiceID, invoice);
    return invoice;
  }

  private update(existing: StoredInvoice, input: InvoiceInput, at: number): StoredInvoice {
    const status = input.Status ?? existing.Status;
    if (!MOVES[existing.Status].includes(status)) {
      throw new InvoiceRefused([
        existing.Status === 'PAID' ? 'This document cannot be edited as it has a payment or credit note allocated to it.' : `Invoice not of valid status for modification (${existing.Status} to ${status})`,
      ]);
    }
    const editable = existing.Status === 'DRAFT' || existing.Status === 'SUBMITTED' || existing.Status === 'AUTHORISED';
    const updated: StoredInvoice = {
      ...existing,
      ...(editable && input.Reference !== undefined ? { Reference: input.Reference } : {}),
      ...(editable && input.LineItems ? { LineItems: this.linesOf(input.LineItems) } : {}),
      ...(editable && input.DueDate !== undefined ? { DueDate: parseDate(input.DueDate, existing.DueDate) } : {}),
      Status: status,
      UpdatedDateUTC: status === existing.Status && !input.LineItems ? existing.UpdatedDateUTC : at,
    };
    this.invoices.set(updated.InvoiceID, updated);
    return updated;
  }

  /**
   * The estate's orders as the organisation invoiced them before Plugboard: one sales invoice each, numbered with the
   * order's number and referencing its id; paid when its payment was taken, voided when it was cancelled.
   */
  seed(estate: EstateSeed): void {
    const names = new Map(estate.customers.map((customer) => [customer.id, customer.name]));
    const paid = new Set(estate.payments.filter((payment) => payment.status === 'SUCCEEDED').map((payment) => payment.orderId));
    for (const order of estate.orders) {
      const lines = this.linesOf(order.lines.map((line) => ({ Description: line.sku, Quantity: line.quantity, UnitAmount: Number(formatDecimal(line.unitPrice)) })));
      const at = order.placedAt.getTime();
      const day = Date.UTC(order.placedAt.getUTCFullYear(), order.placedAt.getUTCMonth(), order.placedAt.getUTCDate());
      const total = lines.reduce((sum, line) => sum + cents(line.LineAmount), 0);
      const status = order.status === 'CANCELLED' ? 'VOIDED' : paid.has(order.id) ? 'PAID' : 'AUTHORISED';
      const invoice: StoredInvoice = {
        InvoiceID: randomUUID(),
        Type: 'ACCREC',
        InvoiceNumber: order.number,
        Reference: order.id,
        Contact: this.contactOf({ Name: names.get(order.customerId) ?? order.customerId, ContactNumber: order.customerId }),
        Date: day,
        DueDate: day + 14 * 86_400_000,
        Status: status,
        LineAmountTypes: 'Inclusive',
        LineItems: lines,
        CurrencyCode: order.total.currency,
        AmountPaid: status === 'PAID' ? amount(total) : 0,
        UpdatedDateUTC: at,
      };
      this.invoices.set(invoice.InvoiceID, invoice);
    }
  }

  /** Records a payment against an invoice (what paying it in Xero does); the test window's lever. */
  pay(invoiceId: string, paid: number): StoredInvoice {
    const invoice = this.invoices.get(invoiceId);
    if (!invoice) throw new Error(`no invoice ${invoiceId}`);
    const total = invoice.LineItems.reduce((sum, line) => sum + cents(line.LineAmount), 0);
    const amountPaid = amount(Math.min(total, cents(invoice.AmountPaid) + cents(paid)));
    const updated = { ...invoice, AmountPaid: amountPaid, Status: cents(amountPaid) >= total ? ('PAID' as const) : invoice.Status, UpdatedDateUTC: this.now() };
    this.invoices.set(invoiceId, updated);
    return updated;
  }

  private contactOf(contact: NonNullable<InvoiceInput['Contact']>): StoredInvoice['Contact'] {
    const key = contact.ContactID ?? contact.ContactNumber ?? contact.Name!;
    let id = this.contacts.get(key);
    if (!id) {
      id = contact.ContactID ?? randomUUID();
      this.contacts.set(key, id);
    }
    return { ContactID: id, Name: contact.Name ?? key, ...(contact.ContactNumber ? { ContactNumber: contact.ContactNumber } : {}) };
  }

  private linesOf(lines: NonNullable<InvoiceInput['LineItems']>): XeroLineItem[] {
    return lines.map((line) => {
      const quantity = line.Quantity ?? 1;
      const unit = line.UnitAmount ?? line.LineAmount ?? 0;
      if (!line.Description) throw new InvoiceRefused(['Description needs to be at least 1 char long']);
      return {
        LineItemID: randomUUID(),
        Description: line.Description,
        Quantity: quantity,
        UnitAmount: unit,
        AccountCode: line.AccountCode ?? '200',
        TaxType: line.TaxType ?? 'NONE',
        TaxAmount: 0,
        LineAmount: amount(Math.round(quantity * unit * 100)),
      };
    });
  }
}
