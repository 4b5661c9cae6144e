import type { DatabaseDialect } from '../../../db';
import type { OrderKey, OrderStatus } from '../../../domain';

/** One statement: SQL with `?` placeholders and its values, in order. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Which orders a list asks for. */
export interface OrderFilter {
  readonly customerId?: string;
  readonly status?: OrderStatus;
}

/**
 * The store's statements, per dialect; a statement's text is written once per shape (which filters, whether after a
 * cursor), and for a list of ids only its placeholders are added per call. SQLite and PostgreSQL both take double-quoted
 * identifiers, row values (`(a, b) < (?, ?)`) and row_number(); they differ only in how an order's lines are folded
 * into one JSON column. Every column is aliased, so a row reads the same on both (see schema.ts). The values go
 * through MikroORM's connection, which quotes them as its query builder does (`platform.formatQuery`).
 */
export interface StoreSql {
  /** A page of orders (limit includes the look-ahead row), each with its lines and, in every row, the filter's count. */
  ordersPage(filter: OrderFilter, after: OrderKey | undefined, limit: number): Statement;
  /** How many orders match the filter (asked alone only when a page after a cursor came back empty). */
  orderCount(filter: OrderFilter): Statement;
  /** The orders with these ids, each with its lines. */
  ordersByIds(ids: readonly string[]): Statement;
  /**
   * Each customer's first `limit` orders (after the cursor) with their lines, and each customer's count of orders: one
   * row per order shown, and one row without an order (`id` null) for a customer with orders but none to show.
   */
  ordersOfCustomers(customerIds: readonly string[], after: OrderKey | undefined, limit: number): Statement;
  /** A page of customers by id (limit includes the look-ahead row), with the count of customers in every row. */
  customersPage(afterId: string | undefined, limit: number): Statement;
  customerCount(): Statement;
  customersByIds(ids: readonly string[]): Statement;
}

export function createStoreSql(dialect: DatabaseDialect, schema?: string): StoreSql {
  const table = (name: string): string => (schema ? `"${schema}"."${name}"` : `"${name}"`);
  const orders = table('orders');
  const orderLines = table('order_lines');
  const customers = table('customers');

  const orderColumns = (alias: string): string =>
    `${alias}."id" as "id", ${alias}."number" as "number", ${alias}."customer_id" as "customer_id", ` +
    `${alias}."status" as "status", ${alias}."placed_at" as "placed_at", ${alias}."updated_at" as "updated_at", ` +
    `${alias}."total_minor" as "total_minor", ${alias}."currency" as "currency"`;
  // An order's lines as one JSON array of [position, sku, quantity, unit_price_minor, currency], [] for none.
  const linesOf = (alias: string): string =>
    dialect === 'postgresql'
      ? `(select coalesce(json_agg(json_build_array(l."position", l."sku", l."quantity", l."unit_price_minor", l."currency") order by l."position"), '[]'::json) from ${orderLines} l where l."order_id" = ${alias}."id") as "lines"`
      : `(select json_group_array(json_array(l."position", l."sku", l."quantity", l."unit_price_minor", l."currency")) from ${orderLines} l where l."order_id" = ${alias}."id") as "lines"`;
  const customerColumns =
    'c."id" as "id", c."email" as "email", c."name" as "name", c."phone" as "phone", ' +
    'c."shipping_address" as "shipping_address", c."created_at" as "created_at", c."updated_at" as "updated_at"';

  /** The filter's condition on the orders aliased `alias`, and its values. */
  const filterOf = (alias: string, filter: OrderFilter): { where: string[]; params: unknown[] } => {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.customerId !== undefined) {
      where.push(`${alias}."customer_id" = ?`);
      params.push(filter.customerId);
    }
    if (filter.status !== undefined) {
      where.push(`${alias}."status" = ?`);
      params.push(filter.status);
    }
    return { where, params };
  };
  const whereOf = (conditions: readonly string[]): string => (conditions.length ? ` where ${conditions.join(' and ')}` : '');
  const list = (count: number): string => `?${', ?'.repeat(count - 1)}`;
  // Newest first: (placed_at, id) descending, so "after" is every row whose pair is smaller.
  const KEYSET = (alias: string): string => `(${alias}."placed_at", ${alias}."id") < (?, ?)`;

  // The text of each statement whose shape does not depend on how many ids it asks for, written on first use.
  const written = new Map<string, unknown>();
  const once = <T>(shape: string, write: () => T): T => {
    if (!written.has(shape)) written.set(shape, write());
    return written.get(shape) as T;
  };
  const shapeOf = (filter: OrderFilter, after: OrderKey | undefined): string =>
    `${filter.customerId !== undefined ? 'c' : ''}${filter.status !== undefined ? 's' : ''}${after ? 'a' : ''}`;

  return {
    ordersPage(filter, after, limit) {
      const counted = filterOf('n', filter);
      const shown = filterOf('o', filter);
      const sql = once(`ordersPage:${shapeOf(filter, after)}`, () => {
        const where = after ? [...shown.where, KEYSET('o')] : shown.where;
        return (
          `select ${orderColumns('o')}, ${linesOf('o')}, (select count(*) from ${orders} n${whereOf(counted.where)}) as "total" ` +
          `from ${orders} o${whereOf(where)} order by o."placed_at" desc, o."id" desc limit ?`
        );
      });
      return { sql, params: [...counted.params, ...shown.params, ...(after ? [after.placedAt, after.id] : []), limit] };
    },

    orderCount(filter) {
      const counted = filterOf('n', filter);
      const sql = once(`orderCount:${shapeOf(filter, undefined)}`, () => `select count(*) as "total" from ${orders} n${whereOf(counted.where)}`);
      return { sql, params: counted.params };
    },

    ordersByIds(ids) {
      const head = once('ordersByIds', () => `select ${orderColumns('o')}, ${linesOf('o')} from ${orders} o where o."id" in (`);
      return { sql: `${head}${list(ids.length)})`, params: ids };
    },

    ordersOfCustomers(customerIds, after, limit) {
      const ids = list(customerIds.length);
      // The statement around its two lists of ids: [before the first, between them, after the second].
      const [head, middle, tail] = once(`ordersOfCustomers:${after ? 'a' : ''}`, (): readonly [string, string, string] => [
        `select t."owner" as "owner", t."total" as "total", ${orderColumns('r')}, r."rn" as "rn", ${linesOf('r')} ` +
          `from (select n."customer_id" as "owner", count(*) as "total" from ${orders} n where n."customer_id" in (`,
        ') group by n."customer_id") t left join (' +
          `select ${orderColumns('o')}, row_number() over (partition by o."customer_id" order by o."placed_at" desc, o."id" desc) as "rn" ` +
          `from ${orders} o where o."customer_id" in (`,
        `)${after ? ` and ${KEYSET('o')}` : ''}) r on r."customer_id" = t."owner" and r."rn" <= ? order by t."owner", r."rn"`,
      ]);
      return {
        sql: `${head}${ids}${middle}${ids}${tail}`,
        params: [...customerIds, ...customerIds, ...(after ? [after.placedAt, after.id] : []), limit],
      };
    },

    customersPage(afterId, limit) {
      const sql = once(`customersPage:${afterId !== undefined ? 'a' : ''}`, () =>
        `select ${customerColumns}, (select count(*) from ${customers} n) as "total" ` +
        `from ${customers} c${afterId !== undefined ? ' where c."id" > ?' : ''} order by c."id" limit ?`);
      return { sql, params: afterId !== undefined ? [afterId, limit] : [limit] };
    },

    customerCount() {
      return { sql: once('customerCount', () => `select count(*) as "total" from ${customers} n`), params: [] };
    },

    customersByIds(ids) {
      const head = once('customersByIds', () => `select ${customerColumns} from ${customers} c where c."id" in (`);
      return { sql: `${head}${list(ids.length)})`, params: ids };
    },
  };
}
