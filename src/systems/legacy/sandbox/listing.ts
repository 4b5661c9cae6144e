import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WooCustomer, WooOrder } from './shop';

/** What the collection routes read from the query string (already checked against the route's schema). */
export type Query = Readonly<Record<string, string | undefined>>;

const listOf = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(',').map((part) => part.trim()).filter((part) => part !== '');

/** `include=` as WordPress reads it: the ids, in the order given (orderby=include keeps it). */
export const includeOf = (query: Query): number[] | undefined => listOf(query.include)?.map(Number);

const ascending = <T>(key: (row: T) => string | number) => (a: T, b: T): number => {
  const [x, y] = [key(a), key(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * One page of a collection as WordPress answers it (WC_REST_CRUD_Controller::get_items, WP_REST_Users_Controller):
 * `per_page` (default 10) rows of `page` (default 1), the count in `X-WP-Total` and `X-WP-TotalPages`, and `Link`
 * with `rel="prev"` and `rel="next"` pages, their URLs carrying the query as given. A page past the end is empty.
 */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, rows: readonly T[]): FastifyReply {
  const query = request.query as Query;
  const perPage = Number(query.per_page ?? 10);
  const page = Number(query.page ?? 1);
  const pages = Math.ceil(rows.length / perPage);
  const url = (to: number): string => {
    const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
    params.set('page', String(to));
    return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}${request.url.split('?')[0]}?${params.toString()}`;
  };
  const links = [
    ...(page > 1 ? [`<${url(Math.min(page - 1, Math.max(pages, 1)))}>; rel="prev"`] : []),
    ...(pages > page ? [`<${url(page + 1)}>; rel="next"`] : []),
  ];
  reply.header('x-wp-total', String(rows.length)).header('x-wp-totalpages', String(pages));
  if (links.length > 0) reply.header('link', links.join(', '));
  return reply.code(200).send(rows.slice((page - 1) * perPage, page * perPage));
}

/** `order` and the orderby key shared by both collections: `include` keeps the list's order, `id` the id's. */
function ordered<T extends { id: number }>(rows: T[], query: Query, byName: Readonly<Record<string, (row: T) => string | number>>, fallback: string, order: string): T[] {
  const include = includeOf(query);
  const orderby = query.orderby ?? fallback;
  const key = orderby === 'include' && include ? (row: T) => include.indexOf(row.id) : (byName[orderby] ?? ((row: T) => row.id));
  // WooCommerce adds the id to date and modified orderings, for stable pages.
  const sorted = rows.sort((a, b) => ascending(key)(a, b) || a.id - b.id);
  return (query.order ?? order) === 'desc' ? sorted.reverse() : sorted;
}

/** GET /customers: `role` (default customer), `email`, `search`, `include`, `exclude`; orderby name by default, ascending. */
export function customersMatching(all: Iterable<WooCustomer>, query: Query): WooCustomer[] {
  const include = includeOf(query);
  const exclude = listOf(query.exclude)?.map(Number) ?? [];
  const role = query.role ?? 'customer';
  const search = query.search?.toLowerCase();
  const rows = [...all].filter(
    (row) =>
      (role === 'all' || row.role === role) &&
      (!include || include.includes(row.id)) &&
      !exclude.includes(row.id) &&
      (!query.email || row.email.toLowerCase() === query.email.toLowerCase()) &&
      (!search || [row.email, row.username, row.first_name, row.last_name].some((field) => field.toLowerCase().includes(search))),
  );
  const name = (row: WooCustomer) => `${row.first_name} ${row.last_name}`.toLowerCase();
  return ordered(rows, query, { name, registered_date: (row) => row.date_created_gmt, id: (row) => row.id }, 'name', 'asc');
}

/**
 * GET /orders: `status` (default any: every status but trash), `customer`, `include`, `exclude`; `after`/`before` on
 * the creation time and `modified_after`/`modified_before` on the change time, both exclusive (WP_Date_Query), in the
 * site's time unless `dates_are_gmt`; orderby date by default, newest first.
 */
export function ordersMatching(all: Iterable<WooOrder>, query: Query): WooOrder[] {
  const include = includeOf(query);
  const exclude = listOf(query.exclude)?.map(Number) ?? [];
  const statuses = listOf(query.status) ?? ['any'];
  const gmt = query.dates_are_gmt === 'true' || query.dates_are_gmt === '1';
  const created = (row: WooOrder) => (gmt ? row.date_created_gmt : row.date_created);
  const modified = (row: WooOrder) => (gmt ? row.date_modified_gmt : row.date_modified);
  const rows = [...all].filter(
    (row) =>
      (statuses.includes('any') ? row.status !== 'trash' : statuses.includes(row.status)) &&
      (!include || include.includes(row.id)) &&
      !exclude.includes(row.id) &&
      (query.customer === undefined || row.customer_id === Number(query.customer)) &&
      (!query.after || created(row) > query.after) &&
      (!query.before || created(row) < query.before) &&
      (!query.modified_after || modified(row) > query.modified_after) &&
      (!query.modified_before || modified(row) < query.modified_before),
  );
  return ordered(rows, query, { date: created, modified, id: (row) => row.id, title: (row) => row.id, slug: (row) => row.id }, 'date', 'desc');
}
