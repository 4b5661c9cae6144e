import type { CallOptions, Customer, Order, Page, SiteStore } from '../../../domain';
import type { Database } from '../../../db';
import type { CallSite } from '../../kit/adapter';
import { customerCursor, orderCursor, readCustomerCursor, readOrderCursor, type OrderKey } from '../../../domain';
import { errorFromDatabase, rejected } from './errors';
import { toCustomer, toOrder } from './mapper';
import { RowCheck, type Row } from './schema';
import { createStoreSql, type OrderFilter, type Statement } from './sql';

export interface StoreAdapterOptions {
  /** Our database, open and migrated (see `openDatabase`). The adapter borrows it: closing it is the owner's job. */
  readonly db: Database;
  /** The system's name in the integration map, for the errors this adapter raises. @default 'store' */
  readonly system?: string;
  /** Largest page a caller can ask for: a larger `first` is cut to it. @default 500 */
  readonly maxPageSize?: number;
}

/**
 * The site's store over our database. Each call is one statement (two for a page after a cursor that came back
 * empty): the SQL is written once per dialect and shape (sql.ts) and run through MikroORM's connection, which quotes
 * the values as its query builder does; building a query builder per call cost several times what SQLite takes to
 * answer. An order's lines come folded into its row as JSON, a list's count as a column of every row. Rows are read
 * as plain values, not managed entities: nothing here changes what it reads. Pages are keyset-paginated (no OFFSET),
 * newest first for orders.
 */
export function createStoreAdapter(options: StoreAdapterOptions): SiteStore {
  const system = options.system ?? 'store';
  const maxPageSize = options.maxPageSize ?? 500;
  const platform = options.db.orm.em.getPlatform();
  const converter = platform.getExceptionConverter();
  const sql = createStoreSql(options.db.dialect, options.db.schema);

  const run = async <T>(
    operation: string,
    callOptions: CallOptions | undefined,
    work: (query: (statement: Statement) => Promise<Row[]>, check: RowCheck, site: CallSite) => Promise<T>,
  ): Promise<T> => {
    const site: CallSite = { system, operation };
    const signal = callOptions?.signal;
    try {
      if (signal?.aborted) throw signal.reason;
      const query = (statement: Statement): Promise<Row[]> => options.db.read<Row>(statement.sql, statement.params);
      return await untilAborted(work(query, new RowCheck(site, platform), site), signal);
    } catch (error) {
      throw errorFromDatabase(site, error, converter, signal);
    }
  };

  const pageSize = (site: CallSite, first: number): number => {
    if (!Number.isInteger(first) || first < 0) throw rejected(site, `first must be a whole number from 0, not ${first}`);
    return Math.min(first, maxPageSize);
  };

  const orderAfter = (site: CallSite, after: string | null | undefined): OrderKey | undefined => {
    if (after == null) return undefined;
    const key = readOrderCursor(after);
    if (!key) throw rejected(site, 'after is not an order cursor this store gave out');
    return key;
  };

  /** The count every row of a page carries; asked alone when a page after a cursor is empty (no row to carry it). */
  const totalOf = async (
    query: (statement: Statement) => Promise<Row[]>,
    check: RowCheck,
    table: string,
    rows: readonly Row[],
    count: () => Statement,
  ): Promise<number> => {
    const [row] = rows.length > 0 ? rows : await query(count());
    return row ? check.whole(table, row, 'total') : 0;
  };

  return {
    findCustomersByIds: (keys, callOptions) =>
      run('findCustomersByIds', callOptions, async (query, check) => {
        const ids = unique(keys);
        const found = new Map<string, Customer>();
        if (ids.length === 0) return found;
        for (const row of await query(sql.customersByIds(ids))) {
          const customer = toCustomer(check, row);
          found.set(customer.id, customer);
        }
        return found;
      }),

    listCustomers: (request, callOptions) =>
      run('listCustomers', callOptions, async (query, check, site) => {
        const limit = pageSize(site, request.first);
        let after: string | undefined;
        if (request.after != null) {
          after = readCustomerCursor(request.after);
          if (after === undefined) throw rejected(site, 'after is not a customer cursor this store gave out');
        }
        const rows = await query(sql.customersPage(after, limit + 1));
        const totalCount = await totalOf(query, check, 'customers', rows, () => sql.customerCount());
        const customers = rows.slice(0, limit).map((row) => toCustomer(check, row));
        return page(customers, rows.length > limit, totalCount, (c) => customerCursor(c.id));
      }),

    findOrdersByIds: (keys, callOptions) =>
      run('findOrdersByIds', callOptions, async (query, check) => {
        const ids = unique(keys);
        const found = new Map<string, Order>();
        if (ids.length === 0) return found;
        for (const row of await query(sql.ordersByIds(ids))) {
          const order = toOrder(check, row);
          found.set(order.id, order);
        }
        return found;
      }),

    listOrders: (request, callOptions) =>
      run('listOrders', callOptions, async (query, check, site) => {
        const limit = pageSize(site, request.first);
        const after = orderAfter(site, request.after);
        const filter = orderFilter(request);
        if (filter === NOTHING) return page<Order>([], false, 0, orderCursor);
        const rows = await query(sql.ordersPage(filter, after, limit + 1));
        const totalCount = await totalOf(query, check, 'orders', rows, () => sql.orderCount(filter));
        const items = rows.slice(0, limit).map((row) => toOrder(check, row));
        return page(items, rows.length > limit, totalCount, orderCursor);
      }),

    listOrdersByCustomerIds: (request, callOptions) =>
      run('listOrdersByCustomerIds', callOptions, async (query, check, site) => {
        const limit = pageSize(site, request.first);
        const after = orderAfter(site, request.after);
        const customerIds = unique(request.customerIds);
        const pages = new Map<string, Page<Order>>();
        if (customerIds.length === 0) return pages;

        // One statement for every customer's page: each customer's orders numbered in page order, the first limit + 1
        // kept (the extra row tells whether there is a next page), beside the customer's count of orders.
        const rows = await query(sql.ordersOfCustomers(customerIds, after, limit + 1));
        const byCustomer = new Map<string, { rows: Row[]; total: number }>();
        for (const row of rows) {
          const owner = check.text('orders', row, 'owner');
          let entry = byCustomer.get(owner);
          if (!entry) byCustomer.set(owner, (entry = { rows: [], total: check.whole('orders', row, 'total') }));
          if (row.id != null) entry.rows.push(row);
        }
        for (const customerId of customerIds) {
          const entry = byCustomer.get(customerId);
          if (!entry) {
            pages.set(customerId, page<Order>([], false, 0, orderCursor));
            continue;
          }
          const items = entry.rows.slice(0, limit).map((row) => toOrder(check, row));
          pages.set(customerId, page(items, entry.rows.length > limit, entry.total, orderCursor));
        }
        return pages;
      }),
  };
}

/** A filter no row can match. */
const NOTHING: OrderFilter = Object.freeze({});

function orderFilter(request: OrderFilter): OrderFilter {
  // No row has an id the database cannot hold: asking for one matches nothing (see storable).
  if (request.customerId !== undefined && !storable(request.customerId)) return NOTHING;
  return {
    ...(request.customerId !== undefined ? { customerId: request.customerId } : {}),
    ...(request.status !== undefined ? { status: request.status } : {}),
  };
}

/**
 * endCursor is the last item's cursor whenever the page has items (as in Relay), so a reader can resume later. The
 * other cursors are written when first read: a client that asks only for nodes (the orders page) never needs them.
 */
function page<T>(items: readonly T[], hasNextPage: boolean, totalCount: number, cursorOf: (item: T) => string): Page<T> {
  const last = items[items.length - 1];
  let cursors: readonly string[] | undefined;
  return {
    items,
    get cursors() {
      return (cursors ??= items.map(cursorOf));
    },
    hasNextPage,
    totalCount,
    endCursor: last === undefined ? null : cursorOf(last),
  };
}

/**
 * The keys worth asking the database for, once each. A key no row can have is not found without a query: text with
 * NUL (PostgreSQL refuses it, SQLite cuts it there) or a lone surrogate (no UTF-8 form) would otherwise fail the
 * statement, and a hostile id must never look like the store being down.
 */
function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)].filter(storable);
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a row could have this id at all. */
export function storable(id: string): boolean {
  return !UNSTORABLE.test(id);
}

/** The ORM has no cancellation: stop waiting when the caller does (the statement finishes on its own). */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
