import { raw } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { CustomerEntity, OrderEntity, type Database } from '../db';
import { money, ORDER_STATUSES, type Customer, type LegacyStore, type OrderStatus, type Page } from '../domain';
import type { ReconcileSource } from './compare';
import { CUSTOMER_COMPARISON, ORDER_COMPARISON, type ComparableRecord, type ComparedOrder, type ReconciledEntity } from './fields';

/** Records per page read from each side. */
export const RECONCILE_PAGE_SIZE = 500;

/** The instants a business day spans on the site's side: [from, to). */
export interface DayRange {
  readonly from: Date;
  readonly to: Date;
}

type Row = Record<string, unknown>;

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string | number));

function toCustomer(row: Row): Customer {
  return {
    id: String(row.id),
    email: String(row.email),
    name: String(row.name),
    phone: row.phone == null ? null : String(row.phone),
    createdAt: asDate(row.createdAt),
    updatedAt: asDate(row.updatedAt),
  };
}

function toOrder(row: Row): ComparedOrder {
  const status = String(row.status);
  if (!(ORDER_STATUSES as readonly string[]).includes(status)) throw new Error(`store: order ${String(row.id)} has status "${status}"`);
  return {
    id: String(row.id),
    customerId: String(row.customer),
    status: status as OrderStatus,
    total: money(Number(row.totalMinor), String(row.currency)),
    updatedAt: asDate(row.updatedAt),
  };
}

/**
 * The site's side of a day: the records our database changed in the day's range, read with MikroORM a page at a time
 * in id order (keyset: `id > last`, never OFFSET), each page in a fresh EntityManager fork as plain rows, so memory
 * holds one page. Ids are ordered by their bytes (PostgreSQL: `collate "C"`, whatever the database's collation), the
 * order the legacy shop pages in.
 */
export function storeSource(db: Database, entity: ReconciledEntity, range: DayRange, pageSize = RECONCILE_PAGE_SIZE): ReconcileSource {
  const table = entity === 'Customer' ? CustomerEntity : OrderEntity;
  const columns = entity === 'Customer' ? ['id', 'email', 'name', 'phone', 'updatedAt'] : ['id', 'customer', 'status', 'totalMinor', 'currency', 'updatedAt'];
  const comparable = (row: Row): ComparableRecord =>
    entity === 'Customer' ? CUSTOMER_COMPARISON.fromStore(toCustomer(row)) : ORDER_COMPARISON.fromStore(toOrder(row));
  const id = db.dialect === 'postgresql' ? 'r.id collate "C"' : 'r.id';
  const changed = { updatedAt: { $gte: range.from, $lt: range.to } };
  const query = (em: SqlEntityManager) => em.createQueryBuilder(table as typeof CustomerEntity, 'r').select(columns as never);

  return {
    total: () => db.orm.em.fork().count(table as typeof CustomerEntity, changed),
    records: {
      async *[Symbol.asyncIterator]() {
        let after: string | undefined;
        for (;;) {
          const page = query(db.orm.em.fork()).where(changed);
          if (after !== undefined) page.andWhere(`${id} > ?`, [after]);
          const rows = (await page.orderBy({ [raw(id)]: 'asc' }).limit(pageSize).execute('all')) as Row[];
          for (const row of rows) yield comparable(row);
          if (rows.length < pageSize) return;
          after = String(rows.at(-1)!.id);
        }
      },
    },
    async lookUp(ids) {
      const rows = (await query(db.orm.em.fork()).where({ id: { $in: [...ids] } }).execute('all')) as Row[];
      return new Map(rows.map((row) => [String(row.id), comparable(row)]));
    },
  };
}

/**
 * The legacy shop's side of a day: the rows it changed on the day (its MOD_TS), paged in id order through its adapter,
 * which reads the shop's vocabulary into the domain; look-ups by id for records the site changed alone.
 */
export function legacySource(legacy: LegacyStore, entity: ReconciledEntity, day: string, pageSize = RECONCILE_PAGE_SIZE): ReconcileSource {
  const list = (after: string | null): Promise<Page<ComparableRecord>> =>
    entity === 'Customer'
      ? legacy.listCustomersChangedOn({ day, first: pageSize, after }).then((page) => ({ ...page, items: page.items.map(CUSTOMER_COMPARISON.fromLegacy) }))
      : legacy.listOrdersChangedOn({ day, first: pageSize, after }).then((page) => ({ ...page, items: page.items.map(ORDER_COMPARISON.fromLegacy) }));
  // The first page also tells the day's count: asked once, for the progress bar and the merge.
  let first: Promise<Page<ComparableRecord>> | undefined;
  const firstPage = () => (first ??= list(null));

  return {
    total: async () => (await firstPage()).totalCount,
    records: {
      async *[Symbol.asyncIterator]() {
        let page = await firstPage();
        for (;;) {
          yield* page.items;
          if (!page.hasNextPage || page.endCursor === null) return;
          page = await list(page.endCursor);
        }
      },
    },
    async lookUp(ids) {
      if (entity === 'Customer') {
        const found = await legacy.findCustomersByIds(ids);
        return new Map([...found].map(([key, customer]) => [key, CUSTOMER_COMPARISON.fromLegacy(customer)]));
      }
      const found = await legacy.findOrdersByIds(ids);
      return new Map([...found].map(([key, order]) => [key, ORDER_COMPARISON.fromLegacy(order)]));
    },
  };
}
