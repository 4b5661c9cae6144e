import type { ZodType } from 'zod';
import { type CallOptions, type ChangedOnRequest, type LegacyCustomer, type LegacyOrder, type LegacyStore, type Page } from '../../../domain';
import { badResponse, waitUnlessAborted, type CallSite } from '../../kit/adapter';
import { createWooClient } from './client';
import { createDirectory } from './directory';
import { refusedBeforeSending } from './errors';
import { createLegacyMapper, ourIdOf } from './mapper';
import { customerSchema, customersSchema, ordersSchema, type WooCustomerRead, type WooOrderRead } from './schema';

export { amountOf, amountText, createLegacyMapper, ourIdOf, type LegacyMapper } from './mapper';
export type { WooCustomerRead, WooOrderRead } from './schema';
export { storedCustomer, storedOrder } from './stored';

/** Most rows asked of a page of a day's changes (our port's page; the shop is read 100 at a time behind it). */
export const LEGACY_MAX_PAGE = 1_000;
/** WooCommerce's most rows per page (`per_page`, 1 to 100). */
const WOO_MAX_PER_PAGE = 100;

export interface LegacyAdapterOptions {
  /** The shop's URL (WordPress's home): its REST API answers below it, at /wp-json/wc/v3. HTTPS in production. */
  readonly baseUrl: string;
  /** The REST API key's consumer key (`ck_…`), sent as the HTTP Basic user. */
  readonly username: string;
  /** The REST API key's consumer secret (`cs_…`), sent as the HTTP Basic password. */
  readonly password: string;
  /** The system's name in the integration map; errors carry it. @default 'legacy' */
  readonly system?: string;
  /** The site's time zone (WordPress > Settings > General): a business day's bounds are in it. @default 'Europe/Amsterdam' */
  readonly timeZone?: string;
  /** Most ids per look-up (`include=` with `per_page` as many); a larger batch is sent in several. 1 to 100. @default 100 */
  readonly maxKeysPerCall?: number;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
}

/** A day `yyyy-mm-dd` moved by whole days. */
const dayShifted = (day: string, by: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);

/**
 * The legacy shop being replaced, a WooCommerce store, as our LegacyStore, through its REST API v3: customers and
 * orders looked up by OUR ids (each record's `plugboard_id` meta entry, WooCommerce's ids found through a directory,
 * then `include=` up to 100 a request); a day's changes (orders by `modified_after`/`modified_before`; customers, which
 * WooCommerce cannot filter by change time, by walking the collection) served in our id order, as reconciliation
 * merges; and shadow mode's saves, created (POST) or updated (PUT) by whether the shop has the record already.
 */
export function createLegacyAdapter(options: LegacyAdapterOptions): LegacyStore & AsyncDisposable {
  const system = options.system ?? 'legacy';
  const maxKeys = options.maxKeysPerCall ?? WOO_MAX_PER_PAGE;
  if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > WOO_MAX_PER_PAGE) {
    throw new RangeError(`legacy adapter: maxKeysPerCall must be a whole number from 1 to ${WOO_MAX_PER_PAGE}, got ${maxKeys}`);
  }
  const timeZone = options.timeZone ?? 'Europe/Amsterdam';
  const mapper = createLegacyMapper(timeZone);
  const client = createWooClient({
    system,
    baseUrl: options.baseUrl,
    consumerKey: options.username,
    consumerSecret: options.password,
    maxResponseBytes: options.maxResponseBytes,
  });

  /** Every page of a listing, `per_page=100`, while `Link` names a next page. */
  const everyPage = async <Row>(operation: string, path: string, query: Record<string, string>, answer: ZodType<Row[]>, signal?: AbortSignal) => {
    const rows: Row[] = [];
    let total = 0;
    for (let page = 1; ; page += 1) {
      const found = await client.call({ operation, method: 'GET', path, query: { ...query, per_page: String(WOO_MAX_PER_PAGE), page: String(page) }, answer, signal });
      rows.push(...found.data);
      total = found.total ?? rows.length;
      if (!found.hasNext || found.data.length === 0) return { rows, total };
    }
  };
  const newestFirst = <Row extends { id: number; meta_data: { key: string; value?: unknown }[] }>(operation: string, path: string, answer: ZodType<Row[]>, extra: Record<string, string>) =>
    async (page: number) => {
      const found = await client.call({
        operation, method: 'GET', path, answer,
        query: { ...extra, orderby: 'id', order: 'desc', per_page: String(WOO_MAX_PER_PAGE), page: String(page) },
      });
      return { rows: found.data.map((row) => ({ id: row.id, ourId: ourIdOf(row) })), hasNext: found.hasNext };
    };
  const customerIds = createDirectory(newestFirst('customers.list', '/customers', customersSchema, { role: 'all' }), { system, operation: 'customers.list' });
  const orderIds = createDirectory(newestFirst('orders.list', '/orders', ordersSchema, { status: 'any' }), { system, operation: 'orders.list' });

  /** Reads a row into the domain, naming the row and the field when it does not read. */
  const mapped = <T>(site: CallSite, id: number, map: () => T): T => {
    try {
      return map();
    } catch (error) {
      throw badResponse(site, `record ${id}: ${(error as Error).message}`, error);
    }
  };
  const customerOf = (site: CallSite, row: WooCustomerRead, ourId: string): LegacyCustomer => mapped(site, row.id, () => mapper.toCustomer(row, ourId));
  /** Orders into the domain, their WooCommerce customers named by our ids (a customer the site never had: `woocommerce:<id>`). */
  const ordersOf = async (site: CallSite, rows: readonly { row: WooOrderRead; ourId: string }[], signal?: AbortSignal): Promise<LegacyOrder[]> => {
    const customers = await customerIds.ourIds([...new Set(rows.map(({ row }) => row.customer_id))], signal);
    return rows.map(({ row, ourId }) =>
      mapped(site, row.id, () => mapper.toOrder(row, ourId, customers.get(row.customer_id) ?? `woocommerce:${row.customer_id}`)));
  };

  /** Looks our ids up: WooCommerce's ids from the directory, then `include=` a chunk at a time; only the records asked for. */
  const lookUp = async <Row extends { id: number; meta_data: { key: string; value?: unknown }[] }>(
    keys: readonly string[],
    call: { operation: string; path: string; answer: ZodType<Row[]>; extra: Record<string, string> },
    directory: typeof customerIds,
    signal: AbortSignal | undefined,
  ): Promise<{ row: Row; ourId: string }[]> => {
    const wanted = new Set(keys.filter((key) => key !== ''));
    if (wanted.size === 0) return [];
    const woo = [...(await directory.wooIds([...wanted], signal)).values()];
    const found: { row: Row; ourId: string }[] = [];
    for (let at = 0; at < woo.length; at += maxKeys) {
      const chunk = woo.slice(at, at + maxKeys);
      const answer = await client.call({
        operation: call.operation, method: 'GET', path: call.path, answer: call.answer, signal,
        query: { ...call.extra, include: chunk.join(','), per_page: String(chunk.length), orderby: 'include' },
      });
      for (const row of answer.data) {
        const ourId = ourIdOf(row);
        directory.learn(row.id, ourId);
        if (ourId !== undefined && wanted.has(ourId)) found.push({ row, ourId });
      }
    }
    return found;
  };

  /**
   * A day's changes, read whole on the first page and served from that copy in our id order (reconciliation merges by
   * it). The read is the adapter's, not the call's: a call that runs out of its time budget stops waiting, and the
   * next call for the day (a retry, or the next page) waits for the same read instead of starting again. A first page
   * asked again once the read is done starts a fresh one.
   */
  const days = new Map<string, { reading: Promise<{ items: (LegacyCustomer | LegacyOrder)[]; ids: string[] }>; done: boolean }>();
  const changedOn = async <T extends LegacyCustomer | LegacyOrder>(
    kind: 'customers' | 'orders',
    request: ChangedOnRequest,
    read: () => Promise<T[]>,
    idOf: (item: T) => string,
    signal: AbortSignal | undefined,
  ): Promise<Page<T>> => {
    if (!Number.isInteger(request.first) || request.first < 1 || request.first > LEGACY_MAX_PAGE) {
      throw new RangeError(`legacy adapter: first must be 1 to ${LEGACY_MAX_PAGE}, got ${request.first}`);
    }
    mapper.startOfDay(request.day);
    const key = `${kind} ${request.day}`;
    const after = request.after ?? null;
    const known = days.get(key);
    if (!known || (after === null && known.done)) {
      if (days.size >= 4) for (const [name, day] of days) if (day.done) days.delete(name);
      const entry = {
        done: false,
        reading: read().then((items) => {
          const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
          return { items: sorted as (LegacyCustomer | LegacyOrder)[], ids: sorted.map(idOf) };
        }),
      };
      entry.reading.then(() => (entry.done = true), () => days.delete(key));
      days.set(key, entry);
    }
    const day = (await waitUnlessAborted(days.get(key)!.reading, { system, operation: `${kind}.changed` }, signal)) as { items: T[]; ids: string[] };
    const start = after === null ? 0 : day.ids.findIndex((id) => id > after);
    const from = start < 0 ? day.ids.length : start;
    const items = day.items.slice(from, from + request.first);
    const cursors = day.ids.slice(from, from + request.first);
    const hasNextPage = from + request.first < day.ids.length;
    return { items, cursors, endCursor: hasNextPage ? (cursors.at(-1) ?? null) : null, hasNextPage, totalCount: day.ids.length };
  };

  const withOurIds = <Row extends { id: number; meta_data: { key: string; value?: unknown }[] }>(rows: readonly Row[], directory: typeof customerIds) =>
    rows.flatMap((row) => {
      const ourId = ourIdOf(row);
      directory.learn(row.id, ourId);
      return ourId === undefined ? [] : [{ row, ourId }];
    });

  const close = (): Promise<void> => client.close();
  return {
    async findCustomersByIds(keys, callOptions?: CallOptions) {
      const site = { system, operation: 'customers.get' };
      const rows = await lookUp(keys, { operation: site.operation, path: '/customers', answer: customersSchema, extra: { role: 'all' } }, customerIds, callOptions?.signal);
      return new Map(rows.map(({ row, ourId }) => [ourId, customerOf(site, row, ourId)]));
    },
    async findOrdersByIds(keys, callOptions?: CallOptions) {
      const site = { system, operation: 'orders.get' };
      const rows = await lookUp(keys, { operation: site.operation, path: '/orders', answer: ordersSchema, extra: { status: 'any' } }, orderIds, callOptions?.signal);
      return new Map((await ordersOf(site, rows, callOptions?.signal)).map((order) => [order.orderId, order]));
    },
    listCustomersChangedOn: (request, callOptions?: CallOptions) =>
      changedOn('customers', request, async () => {
        // WooCommerce's customers take no modified_after (woocommerce/woocommerce#41371): every customer is read, and
        // the day's are those whose site-time date_modified falls on it.
        const site = { system, operation: 'customers.changed' };
        const { rows } = await everyPage(site.operation, '/customers', { role: 'all', orderby: 'id', order: 'asc' }, customersSchema);
        const start = mapper.startOfDay(request.day).getTime();
        const end = mapper.startOfDay(dayShifted(request.day, 1)).getTime();
        return withOurIds(rows, customerIds)
          .map(({ row, ourId }) => ({ row, customer: customerOf(site, row, ourId) }))
          .filter(({ row }) => {
            const changed = Date.parse(`${row.date_modified_gmt ?? row.date_created_gmt}Z`);
            return changed >= start && changed < end;
          })
          .map(({ customer }) => customer);
      }, (customer) => customer.customerId, callOptions?.signal),
    listOrdersChangedOn: (request, callOptions?: CallOptions) =>
      changedOn('orders', request, async () => {
        const site = { system, operation: 'orders.changed' };
        // Both bounds are exclusive (WP_Date_Query) and in site time: the second before the day, the day after it.
        const query = {
          modified_after: `${dayShifted(request.day, -1)}T23:59:59`,
          modified_before: `${dayShifted(request.day, 1)}T00:00:00`,
          orderby: 'id',
          order: 'asc',
          status: 'any',
        };
        const { rows } = await everyPage(site.operation, '/orders', query, ordersSchema);
        return ordersOf(site, withOurIds(rows, orderIds));
      }, (order) => order.orderId, callOptions?.signal),
    async saveCustomer(input, callOptions?: CallOptions) {
      const site = { system, operation: 'customers.save' };
      const wooId = (await customerIds.wooIds([input.customer.id], callOptions?.signal)).get(input.customer.id);
      const answer = await client.call({
        operation: site.operation,
        method: wooId === undefined ? 'POST' : 'PUT',
        path: wooId === undefined ? '/customers' : `/customers/${wooId}`,
        body: mapper.customerBody(input.customer),
        answer: customerSchema,
        signal: callOptions?.signal,
      });
      customerIds.learn(answer.data.id, input.customer.id);
      return customerOf(site, answer.data, input.customer.id);
    },
    async saveOrder(input, callOptions?: CallOptions) {
      const site = { system, operation: 'orders.save' };
      const { order } = input;
      const customer = (await customerIds.wooIds([order.customerId], callOptions?.signal)).get(order.customerId);
      if (customer === undefined) throw refusedBeforeSending(site, `customer ${order.customerId} is not in the shop (no customer has it as plugboard_id)`);
      const wooId = (await orderIds.wooIds([order.id], callOptions?.signal)).get(order.id);
      let body: ReturnType<typeof mapper.orderBody>;
      try {
        body = mapper.orderBody(order, customer, wooId === undefined);
      } catch (error) {
        // An amount the shop cannot hold (three decimals) is refused before it is sent.
        throw refusedBeforeSending(site, (error as Error).message);
      }
      const answer = await client.call({
        operation: site.operation,
        method: wooId === undefined ? 'POST' : 'PUT',
        path: wooId === undefined ? '/orders' : `/orders/${wooId}`,
        body,
        answer: ordersSchema.element,
        signal: callOptions?.signal,
      });
      orderIds.learn(answer.data.id, order.id);
      const [saved] = await ordersOf(site, [{ row: answer.data, ourId: order.id }], callOptions?.signal);
      return saved!;
    },
    [Symbol.asyncDispose]: close,
  };
}
