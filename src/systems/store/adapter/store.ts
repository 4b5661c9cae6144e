import { raw, type ObjectQuery } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { CallOptions, Customer, Order, OrderStatus, Page, SiteStore } from '../../../domain';
import { CustomerEntity, OrderEntity, OrderLineEntity, type Database } from '../../../db';
import { validate, type CallSite } from '../../kit/adapter';
import { customerCursor, orderCursor, readCustomerCursor, readOrderCursor, type OrderKey } from '../../../domain';
import { errorFromDatabase, rejected } from './errors';
import { toCustomer, toOrder } from './mapper';
import {
  customerRows,
  orderCountRows,
  orderLineRows,
  orderRows,
  rankedOrderRows,
  type OrderLineRow,
  type OrderRow,
} from './schema';

export interface StoreAdapterOptions {
  /** Our database, open and migrated (see `openDatabase`). The adapter borrows it: closing it is the owner's job. */
  readonly db: Database;
  /** The system's name in the integration map, for the errors this adapter raises. @default 'store' */
  readonly system?: string;
  /** Largest page a caller can ask for: a larger `first` is cut to it. @default 500 */
  readonly maxPageSize?: number;
}

const NEWEST_FIRST = [{ placedAt: 'desc' }, { id: 'desc' }] as const;

/**
 * The site's store over our database. Every call works in its own fork of the EntityManager. Reads go through
 * MikroORM's query builder and come back as plain rows, not managed entities: nothing here changes what it reads,
 * and hydrating entities costs about five times as much for a page of orders. Batch reads are one query (plus one
 * for order lines); pages are keyset-paginated (no OFFSET), newest first for orders.
 */
export function createStoreAdapter(options: StoreAdapterOptions): SiteStore {
  const system = options.system ?? 'store';
  const maxPageSize = options.maxPageSize ?? 500;
  const converter = options.db.orm.em.getPlatform().getExceptionConverter();

  const run = async <T>(
    operation: string,
    callOptions: CallOptions | undefined,
    work: (em: SqlEntityManager, site: CallSite) => Promise<T>,
  ): Promise<T> => {
    const site: CallSite = { system, operation };
    const signal = callOptions?.signal;
    try {
      if (signal?.aborted) throw signal.reason;
      return await untilAborted(work(options.db.orm.em.fork(), site), signal);
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

  /** The lines of the given orders, in one query, grouped by order id. */
  const linesOf = async (em: SqlEntityManager, site: CallSite, orders: readonly OrderRow[]) => {
    const grouped = new Map<string, OrderLineRow[]>();
    if (orders.length === 0) return grouped;
    const rows = await em
      .createQueryBuilder(OrderLineEntity, 'l')
      .select('*')
      .where({ order: { $in: orders.map((order) => order.id) } })
      .execute('all');
    for (const line of validate(site, orderLineRows, rows)) {
      const list = grouped.get(line.order) ?? [];
      list.push(line);
      grouped.set(line.order, list);
    }
    return grouped;
  };

  const withLines = async (em: SqlEntityManager, site: CallSite, orders: readonly OrderRow[]): Promise<Order[]> => {
    const lines = await linesOf(em, site, orders);
    return orders.map((order) => toOrder(order, lines.get(order.id) ?? []));
  };

  return {
    findCustomersByIds: (keys, callOptions) =>
      run('findCustomersByIds', callOptions, async (em, site) => {
        const ids = unique(keys);
        const found = new Map<string, Customer>();
        if (ids.length === 0) return found;
        const rows = await em.createQueryBuilder(CustomerEntity, 'c').select('*').where({ id: { $in: ids } }).execute('all');
        for (const row of validate(site, customerRows, rows)) found.set(row.id, toCustomer(row));
        return found;
      }),

    listCustomers: (request, callOptions) =>
      run('listCustomers', callOptions, async (em, site) => {
        const limit = pageSize(site, request.first);
        let where: ObjectQuery<CustomerEntity> = {};
        if (request.after != null) {
          const after = readCustomerCursor(request.after);
          if (after === undefined) throw rejected(site, 'after is not a customer cursor this store gave out');
          where = { id: { $gt: after } };
        }
        const rows = await em
          .createQueryBuilder(CustomerEntity, 'c')
          .select('*')
          .where(where)
          .orderBy({ id: 'asc' })
          .limit(limit + 1)
          .execute('all');
        const customers = validate(site, customerRows, rows).map(toCustomer);
        const totalCount = await em.count(CustomerEntity);
        return page(customers.slice(0, limit), customers.length > limit, totalCount, (c) => customerCursor(c.id));
      }),

    findOrdersByIds: (keys, callOptions) =>
      run('findOrdersByIds', callOptions, async (em, site) => {
        const ids = unique(keys);
        const found = new Map<string, Order>();
        if (ids.length === 0) return found;
        const rows = await em.createQueryBuilder(OrderEntity, 'o').select('*').where({ id: { $in: ids } }).execute('all');
        for (const order of await withLines(em, site, validate(site, orderRows, rows))) {
          found.set(order.id, order);
        }
        return found;
      }),

    listOrders: (request, callOptions) =>
      run('listOrders', callOptions, async (em, site) => {
        const limit = pageSize(site, request.first);
        const after = orderAfter(site, request.after);
        const filter = orderFilter(request);
        const rows = await em
          .createQueryBuilder(OrderEntity, 'o')
          .select('*')
          .where(after ? { $and: [filter, keysetAfter(after)] } : filter)
          .orderBy([...NEWEST_FIRST])
          .limit(limit + 1)
          .execute('all');
        const orders = validate(site, orderRows, rows);
        const items = await withLines(em, site, orders.slice(0, limit));
        const totalCount = await em.count(OrderEntity, filter);
        return page(items, orders.length > limit, totalCount, orderCursor);
      }),

    listOrdersByCustomerIds: (request, callOptions) =>
      run('listOrdersByCustomerIds', callOptions, async (em, site) => {
        const limit = pageSize(site, request.first);
        const after = orderAfter(site, request.after);
        const customerIds = unique(request.customerIds);
        const pages = new Map<string, Page<Order>>();
        if (customerIds.length === 0) return pages;

        // One query for every customer's page: number each customer's orders in page order and keep the first
        // limit + 1 (the extra row tells whether there is a next page). SQLite and PostgreSQL both have row_number().
        const mine: ObjectQuery<OrderEntity> = { customer: { $in: customerIds } };
        const ranked = em
          .createQueryBuilder(OrderEntity, 'o')
          .select(['o.*', raw('row_number() over (partition by o.customer_id order by o.placed_at desc, o.id desc) as rn')])
          .where(after ? { $and: [mine, keysetAfter(after)] } : mine);
        const rows = await em
          .createQueryBuilder(OrderEntity, 'r')
          .select(['r.*', 'r.rn'])
          .from(ranked, 'r')
          .where('r.rn <= ?', [limit + 1])
          .orderBy([{ customer: 'asc' }, { [raw('r.rn')]: 'asc' }])
          .execute('all');
        const counts = await em
          .createQueryBuilder(OrderEntity, 'o')
          .select(['o.customer', raw('count(*) as total')])
          .where(mine)
          .groupBy('o.customer')
          .execute('all');

        const byCustomer = new Map<string, OrderRow[]>();
        for (const row of validate(site, rankedOrderRows, rows)) {
          const list = byCustomer.get(row.customer) ?? [];
          list.push(row);
          byCustomer.set(row.customer, list);
        }
        const shown = [...byCustomer.values()].flatMap((list) => list.slice(0, limit));
        const lines = await linesOf(em, site, shown);
        const totals = new Map(validate(site, orderCountRows, counts).map((row) => [row.customer, row.total]));
        for (const customerId of customerIds) {
          const list = byCustomer.get(customerId) ?? [];
          const items = list.slice(0, limit).map((order) => toOrder(order, lines.get(order.id) ?? []));
          pages.set(customerId, page(items, list.length > limit, totals.get(customerId) ?? 0, orderCursor));
        }
        return pages;
      }),
  };
}

function orderFilter(request: { readonly customerId?: string; readonly status?: OrderStatus }): ObjectQuery<OrderEntity> {
  // No row has an id the database cannot hold: asking for one matches nothing (see storable).
  if (request.customerId !== undefined && !storable(request.customerId)) return { id: { $in: [] } };
  return {
    ...(request.customerId !== undefined ? { customer: request.customerId } : {}),
    ...(request.status !== undefined ? { status: request.status } : {}),
  };
}

/** Orders after a cursor in (placed_at desc, id desc) order. */
function keysetAfter(after: OrderKey): ObjectQuery<OrderEntity> {
  return { $or: [{ placedAt: { $lt: after.placedAt } }, { placedAt: after.placedAt, id: { $lt: after.id } }] };
}

/** endCursor is the last item's cursor whenever the page has items (as in Relay), so a reader can resume later. */
function page<T>(items: readonly T[], hasNextPage: boolean, totalCount: number, cursorOf: (item: T) => string): Page<T> {
  const cursors = items.map(cursorOf);
  return { items, cursors, hasNextPage, totalCount, endCursor: cursors[cursors.length - 1] ?? null };
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
