import { createHash } from 'node:crypto';
import { IntegrationError, type Accounting, type CallOptions, type Customer, type Invoice, type Order } from '../../../domain';
import { badResponse, batchesWithin, encodedBytes, type CallSite } from '../../kit/adapter';
import { createXeroClient } from './client';
import { toInvoice, toXeroInvoice, type InvoiceSettings } from './mapper';
import { invoicesSchema } from './schema';

export interface XeroAdapterOptions {
  /** The Accounting API's base URL. @default 'https://api.xero.com/api.xro/2.0' */
  readonly baseUrl?: string;
  /** The identity server's token endpoint (client credentials). @default 'https://identity.xero.com/connect/token' */
  readonly tokenUrl?: string;
  /** A custom connection's client id and secret. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The organisation, sent as `xero-tenant-id`. */
  readonly tenantId: string;
  /** The system name in the integration map. @default 'xero' */
  readonly system?: string;
  /** The revenue account sales lines are booked to. @default '200' (Xero's default "Sales") */
  readonly salesAccountCode?: string;
  /** Xero's tax type of the lines. @default 'NONE' */
  readonly taxType?: string;
  /** Days from the order to the invoice's due date. @default 14 */
  readonly paymentTermsDays?: number;
  /** Most bytes of the encoded `where` filter (it travels in the URL); larger batches are split. @default 6144 */
  readonly maxWhereBytes?: number;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
}

export interface XeroAdapter extends Accounting, AsyncDisposable {
  close(): Promise<void>;
}

/** Invoices per page of GET /Invoices (Xero's page size). */
const PAGE_SIZE = 100;
/** A lying server must not keep us paging for ever. */
const MAX_PAGES = 100;
/** Xero takes keys of at most 128 characters. */
const idempotencyKeyOf = (key: string): string => (key.length <= 128 ? key : createHash('sha256').update(key).digest('hex'));
/** A where clause's string literal cannot carry these without escapes Xero does not document: such an id has no invoice. */
const UNQUOTABLE = /["\\]/;
const clauseOf = (orderId: string): string => `Reference=="${orderId}"`;

/**
 * The accounting port over Xero's Accounting API: one sales invoice (ACCREC) per order, numbered with the order's
 * number and carrying our order id as its Reference. Reads ask for a whole batch in one
 * `GET /Invoices?where=Type=="ACCREC" AND (Reference=="a" OR ...)`, following pages. Writes look the invoice up first,
 * then create it (POST /Invoices with an Idempotency-Key: a retry whose first answer was lost is applied once) or
 * void it when the order was cancelled. A paid invoice of a cancelled order is refused to the outbox: whether to
 * refund and credit is a person's decision, not a sync's.
 */
export function createXeroAdapter(options: XeroAdapterOptions): XeroAdapter {
  const system = options.system ?? 'xero';
  const settings: InvoiceSettings = {
    salesAccountCode: options.salesAccountCode ?? '200',
    taxType: options.taxType ?? 'NONE',
    paymentTermsDays: options.paymentTermsDays ?? 14,
  };
  const client = createXeroClient({
    system,
    baseUrl: options.baseUrl ?? 'https://api.xero.com/api.xro/2.0',
    tokenUrl: options.tokenUrl ?? 'https://identity.xero.com/connect/token',
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    tenantId: options.tenantId,
    maxResponseBytes: options.maxResponseBytes,
  });
  const whereBytes = Math.max(64, options.maxWhereBytes ?? 6_144);
  const site = (operation: string): CallSite => ({ system, operation });

  const readChunk = async (orderIds: readonly string[], signal: AbortSignal | undefined) => {
    const here = site('findInvoicesByOrderIds');
    const where = `Type=="ACCREC" AND (${orderIds.map(clauseOf).join(' OR ')})`;
    const found = [];
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const query = new URLSearchParams({ where, page: String(page) });
      const answer = await client.json({ operation: here.operation, method: 'GET', path: `/Invoices?${query}`, signal }, invoicesSchema);
      found.push(...answer.Invoices);
      if (answer.Invoices.length < PAGE_SIZE) return found;
    }
    throw badResponse(here, `more than ${MAX_PAGES} pages of invoices for ${orderIds.length} orders`);
  };

  const findInvoicesByOrderIds = async (orderIds: readonly string[], callOptions?: CallOptions): Promise<ReadonlyMap<string, Invoice>> => {
    const here = site('findInvoicesByOrderIds');
    const wanted = [...new Set(orderIds)].filter((id) => id !== '' && !UNQUOTABLE.test(id));
    const chunks = batchesWithin(wanted, {
      maxCount: 500,
      maxBytes: whereBytes,
      separatorBytes: encodedBytes(' OR '),
      sizeOf: (id) => encodedBytes(clauseOf(id)),
    });
    const answers = await Promise.all(chunks.map((chunk) => readChunk(chunk, callOptions?.signal)));
    const asked = new Set(wanted);
    const found = new Map<string, Invoice>();
    for (const xero of answers.flat()) {
      const orderId = xero.Reference;
      if (orderId === undefined || !asked.has(orderId)) continue;
      const invoice = toInvoice(here, xero, orderId);
      const held = found.get(orderId);
      // An order whose first invoice was voided and made again has two: the live one wins, then the newest.
      if (invoice && (!held || (held.status === 'VOIDED') > (invoice.status === 'VOIDED') || (held.status === 'VOIDED') === (invoice.status === 'VOIDED') && held.updatedAt < invoice.updatedAt)) {
        found.set(orderId, invoice);
      }
    }
    return found;
  };

  /** POST /Invoices; a draft deleted in the answer is no invoice (null). */
  const save = async (body: Record<string, unknown>, idempotencyKey: string, orderId: string, signal: AbortSignal | undefined): Promise<Invoice | null> => {
    const here = site('upsertInvoice');
    const answer = await client.json(
      { operation: here.operation, method: 'POST', path: '/Invoices', body: { Invoices: [body] }, idempotencyKey: idempotencyKeyOf(idempotencyKey), signal },
      invoicesSchema,
    );
    const saved = answer.Invoices[0];
    if (!saved) throw badResponse(here, 'answered no invoice for the one sent');
    return toInvoice(here, saved, orderId) ?? null;
  };

  const upsertInvoice = async (
    input: { order: Order; customer: Customer; idempotencyKey: string },
    callOptions?: CallOptions,
  ): Promise<Invoice | null> => {
    const { order, customer } = input;
    const signal = callOptions?.signal;
    const held = (await findInvoicesByOrderIds([order.id], callOptions)).get(order.id);
    if (order.status !== 'CANCELLED') {
      return held ?? save(toXeroInvoice(order, customer, settings), input.idempotencyKey, order.id, signal);
    }
    if (!held || held.status === 'VOIDED') return held ?? null;
    if (held.status === 'PAID' || held.amountDue.minor < held.total.minor) {
      const reason = `invoice ${held.number} of cancelled order ${order.id} has a payment: it cannot be voided (credit it by hand)`;
      throw new IntegrationError('UPSTREAM_REJECTED', `${system} upsertInvoice: ${reason}`, { system, operation: 'upsertInvoice', reason });
    }
    // Xero voids what was authorised and deletes what was still a draft.
    const status = held.status === 'DRAFT' || held.status === 'AWAITING_APPROVAL' ? 'DELETED' : 'VOIDED';
    return save({ InvoiceID: held.invoiceId, Status: status }, input.idempotencyKey, order.id, signal);
  };

  return {
    findInvoicesByOrderIds,
    upsertInvoice,
    close: client.close,
    [Symbol.asyncDispose]: client.close,
  };
}
