import type { ZodType } from 'zod';
import { IntegrationError, type CallOptions, type ChangedOnRequest, type LegacyStore, type Page } from '../../../domain';
import { badResponse, batchesWithin, encodedBytes, type CallSite } from '../../kit/adapter';
import { createLegacyClient } from './client';
import { createLegacyMapper, type LegacyForm } from './mapper';
import {
  changedCustomersAnswerSchema,
  changedOrdersAnswerSchema,
  customersAnswerSchema,
  ordersAnswerSchema,
  savedCustomerAnswerSchema,
  savedOrderAnswerSchema,
} from './schema';

export { amountOf, amountText, createLegacyMapper, type LegacyMapper } from './mapper';
export type { CustomerRow as LegacyCustomerRow, OrderRow as LegacyOrderRow } from './schema';

/** Most rows the shop sends per page of a day's changes. */
export const LEGACY_MAX_PAGE = 1_000;

export interface LegacyAdapterOptions {
  /** Where the shop answers; its scripts live below `/api/legacy/`. */
  readonly baseUrl: string;
  /** The shop's API user (HTTP Basic). */
  readonly username: string;
  readonly password: string;
  /** The system's name in the integration map; errors carry it. @default 'legacy' */
  readonly system?: string;
  /** The shop server's time zone: its timestamps are wall-clock time in it, with no offset. @default 'Europe/Amsterdam' */
  readonly timeZone?: string;
  /** Most keys the shop takes per request; a larger batch is sent in several. @default 200 */
  readonly maxKeysPerCall?: number;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
}

/** Most bytes of encoded keys in one lookup's URL (see docs/overload.md for why 6 KiB). */
const MAX_KEY_BYTES_PER_CALL = 6_144;

/**
 * The legacy shop being replaced, as our LegacyStore: customers and orders looked up by OUR ids (the shop's EXT_REF
 * column), one request per batch of up to `maxKeysPerCall` keys; a day's changes paged in id order (reconciliation);
 * and the shop's save scripts (shadow mode), fed the site's records in the shop's vocabulary.
 */
export function createLegacyAdapter(options: LegacyAdapterOptions): LegacyStore & AsyncDisposable {
  const system = options.system ?? 'legacy';
  const maxKeys = options.maxKeysPerCall ?? 200;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`legacy adapter: maxKeysPerCall must be a whole number from 1, got ${maxKeys}`);
  }
  const mapper = createLegacyMapper(options.timeZone ?? 'Europe/Amsterdam');
  const client = createLegacyClient({
    system,
    baseUrl: options.baseUrl,
    username: options.username,
    password: options.password,
    maxResponseBytes: options.maxResponseBytes,
  });

  /** Looks keys up by EXT_REF, one request per chunk; answers only the rows asked for, mapped. */
  const lookUp = async <Row extends { readonly EXT_REF: string }, T>(
    keys: readonly string[],
    call: { operation: string; script: string; answer: ZodType<{ rows: Row[] }> },
    map: (row: Row) => T,
    callOptions: CallOptions | undefined,
  ): Promise<ReadonlyMap<string, T>> => {
    const site: CallSite = { system, operation: call.operation };
    // The shop splits on commas and trims: a key it could not be asked for is a key it cannot hold.
    const wanted = [...new Set(keys)].filter((key) => key !== '' && !key.includes(',') && key.trim() === key);
    const asked = new Set(wanted);
    const found = new Map<string, T>();
    // The keys travel in the URL: split by count and by bytes, so that no request passes the shop's URL limit.
    for (const batch of batchesWithin(wanted, { maxCount: maxKeys, maxBytes: MAX_KEY_BYTES_PER_CALL, separatorBytes: encodedBytes(','), sizeOf: encodedBytes })) {
      const rows = await client.lookup<Row>({
        ...call,
        param: 'ext',
        keys: batch,
        signal: callOptions?.signal,
      });
      for (const row of rows) {
        if (!asked.has(row.EXT_REF)) continue;
        try {
          found.set(row.EXT_REF, map(row));
        } catch (error) {
          throw badResponse(site, `row ${row.EXT_REF}: ${(error as Error).message}`, error);
        }
      }
    }
    return found;
  };

  /** One page of a day's changes, mapped; the cursor of a row is its EXT_REF (the shop pages by it). */
  const changedOn = async <Row extends { readonly EXT_REF: string }, T>(
    request: ChangedOnRequest,
    call: { operation: string; script: string; answer: ZodType<{ rows: Row[]; total: string }> },
    map: (row: Row) => T,
    callOptions: CallOptions | undefined,
  ): Promise<Page<T>> => {
    const site: CallSite = { system, operation: call.operation };
    if (!Number.isInteger(request.first) || request.first < 1 || request.first > LEGACY_MAX_PAGE) {
      throw new RangeError(`legacy adapter: first must be 1 to ${LEGACY_MAX_PAGE}, got ${request.first}`);
    }
    const answer = await client.call({
      ...call,
      method: 'GET',
      params: {
        mod_date: mapper.dayText(request.day),
        limit: String(request.first),
        ...(request.after ? { after: request.after } : {}),
      },
      signal: callOptions?.signal,
    });
    const items = answer.rows.map((row) => {
      try {
        return map(row);
      } catch (error) {
        throw badResponse(site, `row ${row.EXT_REF}: ${(error as Error).message}`, error);
      }
    });
    const cursors = answer.rows.map((row) => row.EXT_REF);
    const hasNextPage = answer.rows.length === request.first;
    return { items, cursors, endCursor: hasNextPage ? (cursors.at(-1) ?? null) : null, hasNextPage, totalCount: Number(answer.total) };
  };

  /** A save: the site's record as a form, the shop's answer mapped back. */
  const save = async <Row, T>(
    call: { operation: string; script: string; answer: ZodType<{ rows: [Row] }> },
    formOf: () => LegacyForm,
    map: (row: Row) => T,
    idempotencyKey: string,
    callOptions: CallOptions | undefined,
  ): Promise<T> => {
    let form: LegacyForm;
    try {
      form = formOf();
    } catch (error) {
      // A record the shop's columns cannot hold (an amount with three decimals) is refused before it is sent.
      const reason = (error as Error).message;
      throw new IntegrationError('UPSTREAM_REJECTED', `${system} ${call.operation}: ${reason}`, { system, operation: call.operation, reason });
    }
    const answer = await client.call({ ...call, method: 'POST', params: form, requestId: idempotencyKey, signal: callOptions?.signal });
    try {
      return map(answer.rows[0]);
    } catch (error) {
      throw badResponse({ system, operation: call.operation }, `saved row: ${(error as Error).message}`, error);
    }
  };

  const close = (): Promise<void> => client.close();
  return {
    findCustomersByIds: (keys, callOptions) =>
      lookUp(
        keys,
        { operation: 'customers.get', script: 'customers.php', answer: customersAnswerSchema },
        mapper.toCustomer,
        callOptions,
      ),
    findOrdersByIds: (keys, callOptions) =>
      lookUp(
        keys,
        { operation: 'orders.get', script: 'orders.php', answer: ordersAnswerSchema },
        mapper.toOrder,
        callOptions,
      ),
    listCustomersChangedOn: (request, callOptions) =>
      changedOn(
        request,
        { operation: 'customers.changed', script: 'customers.php', answer: changedCustomersAnswerSchema },
        mapper.toCustomer,
        callOptions,
      ),
    listOrdersChangedOn: (request, callOptions) =>
      changedOn(
        request,
        { operation: 'orders.changed', script: 'orders.php', answer: changedOrdersAnswerSchema },
        mapper.toOrder,
        callOptions,
      ),
    saveCustomer: (input, callOptions) =>
      save(
        { operation: 'customers.save', script: 'customer_save.php', answer: savedCustomerAnswerSchema },
        () => mapper.toCustomerForm(input.customer),
        mapper.toCustomer,
        input.idempotencyKey,
        callOptions,
      ),
    saveOrder: (input, callOptions) =>
      save(
        { operation: 'orders.save', script: 'order_save.php', answer: savedOrderAnswerSchema },
        () => mapper.toOrderForm(input.order),
        mapper.toOrder,
        input.idempotencyKey,
        callOptions,
      ),
    [Symbol.asyncDispose]: close,
  };
}
