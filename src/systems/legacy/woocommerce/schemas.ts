/**
 * The WooCommerce REST API v3 (`/wp-json/wc/v3`) as JSON Schema, trimmed to the routes and fields Plugboard uses.
 *
 * Source: the schema each route publishes through the WP REST API's discovery (`OPTIONS /wp-json/wc/v3/customers`,
 * `OPTIONS /wp-json/wc/v3/orders`), defined in WooCommerce's `WC_REST_Customers_Controller::get_item_schema`,
 * `WC_REST_Orders_V2_Controller::get_item_schema` and their `get_collection_params`
 * (plugins/woocommerce/includes/rest-api/Controllers/Version2 and Version3), and the reference at
 * https://woocommerce.github.io/woocommerce-rest-api-docs/ (sections Customers, Orders, Pagination, Errors).
 * Facts carried over, not text: the property names, their types, the enums, the ranges.
 *
 * Where WooCommerce is looser than these schemas, on purpose:
 * - an answer carries every property of the resource; these list the ones Plugboard reads or the sandbox serves, and
 *   close the object (`additionalProperties: false`) so that a sandbox answer outside them is seen;
 * - WordPress ignores an unknown query parameter or body field; here it is refused, because a field WooCommerce ignores
 *   is a write silently lost;
 * - WordPress's `date-time` accepts any RFC 3339 text; WooCommerce answers `YYYY-MM-DDTHH:MM:SS` without an offset
 *   (site time for `date_*`, UTC for `date_*_gmt`), and that is what is checked.
 */

type Json = Record<string, unknown>;

/** `2026-11-26T10:30:15`: how WooCommerce writes a time, with no offset. */
const dateTime: Json = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$' };
const nullableDateTime: Json = { anyOf: [dateTime, { type: 'null' }] };
/** Money is a decimal string (`"1990.55"`), rounded to the store's price decimals. */
const decimal: Json = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' };
const text: Json = { type: 'string' };

export const ORDER_STATUSES = ['pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'trash'] as const;
export type WooOrderStatus = (typeof ORDER_STATUSES)[number];

const ADDRESS_FIELDS = ['first_name', 'last_name', 'company', 'address_1', 'address_2', 'city', 'state', 'postcode', 'country'];
const address = (extra: readonly string[]): Json => ({
  type: 'object',
  properties: Object.fromEntries([...ADDRESS_FIELDS, ...extra].map((name) => [name, text])),
  additionalProperties: false,
});
/** The billing address has `email` and `phone`; the shipping address `phone` (since WooCommerce 5.6). */
const billing = address(['email', 'phone']);
const shipping = address(['phone']);

/** `meta_data` items: `id` is WooCommerce's; `value` is any JSON. */
const metaAnswer: Json = {
  type: 'array',
  items: { type: 'object', required: ['id', 'key', 'value'], properties: { id: { type: 'integer' }, key: text, value: {} }, additionalProperties: false },
};
const metaRequest: Json = {
  type: 'array',
  items: { type: 'object', required: ['key'], properties: { id: { type: 'integer' }, key: text, value: {} }, additionalProperties: false },
};

const closed = (properties: Json, required: readonly string[] = Object.keys(properties)): Json => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
});

export const CUSTOMER: Json = closed({
  id: { type: 'integer' },
  date_created: dateTime,
  date_created_gmt: dateTime,
  date_modified: nullableDateTime,
  date_modified_gmt: nullableDateTime,
  email: { type: 'string', format: 'email' },
  first_name: text,
  last_name: text,
  role: text,
  username: text,
  billing,
  shipping,
  is_paying_customer: { type: 'boolean' },
  avatar_url: text,
  meta_data: metaAnswer,
});

const lineItem: Json = closed({
  id: { type: 'integer' },
  name: text,
  product_id: { type: 'integer' },
  variation_id: { type: 'integer' },
  quantity: { type: 'integer' },
  tax_class: text,
  subtotal: decimal,
  subtotal_tax: decimal,
  total: decimal,
  total_tax: decimal,
  sku: { anyOf: [text, { type: 'null' }] },
  price: { type: 'number' },
  meta_data: metaAnswer,
});
const feeLine: Json = closed({
  id: { type: 'integer' },
  name: text,
  tax_class: text,
  tax_status: { enum: ['taxable', 'none'] },
  total: decimal,
  total_tax: decimal,
  meta_data: metaAnswer,
});

export const ORDER: Json = closed({
  id: { type: 'integer' },
  parent_id: { type: 'integer' },
  number: text,
  order_key: text,
  created_via: text,
  version: text,
  status: { enum: [...ORDER_STATUSES] },
  currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  date_created: dateTime,
  date_created_gmt: dateTime,
  date_modified: dateTime,
  date_modified_gmt: dateTime,
  discount_total: decimal,
  shipping_total: decimal,
  total: decimal,
  total_tax: decimal,
  prices_include_tax: { type: 'boolean' },
  customer_id: { type: 'integer' },
  customer_note: text,
  billing,
  shipping,
  payment_method: text,
  transaction_id: text,
  date_paid_gmt: nullableDateTime,
  date_completed_gmt: nullableDateTime,
  meta_data: metaAnswer,
  line_items: { type: 'array', items: lineItem },
  fee_lines: { type: 'array', items: feeLine },
});

/** WordPress's error body: `{ code, message, data: { status } }`; `rest_invalid_param` adds `params` and `details`. */
export const ERROR: Json = {
  type: 'object',
  required: ['code', 'message', 'data'],
  properties: {
    code: text,
    message: text,
    data: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'integer' }, params: { type: 'object' }, details: { type: 'object' } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

/** Integers, as a comma list or one value (WordPress's `type: array, items: integer`). */
const ids: Json = { type: 'array', items: { type: 'integer', minimum: 1 } };
/** Query parameters every collection takes (WP_REST_Controller::get_collection_params and WooCommerce's). */
const collection: Json = {
  context: { enum: ['view', 'edit'] },
  page: { type: 'integer', minimum: 1 },
  per_page: { type: 'integer', minimum: 1, maximum: 100 },
  search: text,
  include: ids,
  exclude: ids,
  offset: { type: 'integer' },
  order: { enum: ['asc', 'desc'] },
  // Authentication in the query string (over HTTPS), instead of the Authorization header.
  consumer_key: text,
  consumer_secret: text,
};

const query = (properties: Json): Json => ({ type: 'object', properties: { ...collection, ...properties }, additionalProperties: false });

export const CUSTOMERS_QUERY = query({
  orderby: { enum: ['id', 'include', 'name', 'registered_date'] },
  email: { type: 'string', format: 'email' },
  role: { enum: ['all', 'administrator', 'editor', 'author', 'contributor', 'subscriber', 'customer', 'shop_manager'] },
});

export const ORDERS_QUERY = query({
  orderby: { enum: ['date', 'modified', 'id', 'include', 'title', 'slug'] },
  after: dateTime,
  before: dateTime,
  modified_after: dateTime,
  modified_before: dateTime,
  dates_are_gmt: { type: 'boolean' },
  status: { type: 'array', items: { enum: ['any', ...ORDER_STATUSES] } },
  customer: { type: 'integer' },
  dp: { type: 'integer' },
});

/** Only the authentication parameters: a single resource's route (PUT) takes no filters. */
export const ITEM_QUERY = query({});

const writableCustomer: Json = {
  email: { type: 'string', format: 'email' },
  first_name: text,
  last_name: text,
  username: text,
  password: text,
  billing,
  shipping,
  meta_data: metaRequest,
};
export const CUSTOMER_CREATE: Json = { type: 'object', required: ['email'], properties: writableCustomer, additionalProperties: false };
export const CUSTOMER_UPDATE: Json = { type: 'object', properties: writableCustomer, additionalProperties: false };

const writableOrder: Json = {
  status: { enum: [...ORDER_STATUSES] },
  currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  customer_id: { type: 'integer', minimum: 0 },
  customer_note: text,
  billing,
  shipping,
  set_paid: { type: 'boolean' },
  meta_data: metaRequest,
  line_items: {
    type: 'array',
    items: {
      type: 'object',
      properties: { id: { type: 'integer' }, name: text, product_id: { type: 'integer' }, sku: text, quantity: { type: 'integer' }, subtotal: decimal, total: decimal, meta_data: metaRequest },
      additionalProperties: false,
    },
  },
  fee_lines: {
    type: 'array',
    items: { type: 'object', properties: { id: { type: 'integer' }, name: text, total: decimal, tax_status: { enum: ['taxable', 'none'] } }, additionalProperties: false },
  },
};
export const ORDER_WRITE: Json = { type: 'object', properties: writableOrder, additionalProperties: false };

/** The routes used, what each takes, and what it answers on success. */
export interface WooRoute {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Below `/wp-json/wc/v3`; `{id}` is a resource id. */
  readonly path: string;
  readonly query: Json;
  readonly body?: Json;
  readonly status: number;
  readonly answer: Json;
}

export const ROUTES: readonly WooRoute[] = [
  { method: 'GET', path: '/customers', query: CUSTOMERS_QUERY, status: 200, answer: { type: 'array', items: CUSTOMER } },
  { method: 'POST', path: '/customers', query: ITEM_QUERY, body: CUSTOMER_CREATE, status: 201, answer: CUSTOMER },
  { method: 'PUT', path: '/customers/{id}', query: ITEM_QUERY, body: CUSTOMER_UPDATE, status: 200, answer: CUSTOMER },
  { method: 'GET', path: '/orders', query: ORDERS_QUERY, status: 200, answer: { type: 'array', items: ORDER } },
  { method: 'POST', path: '/orders', query: ITEM_QUERY, body: ORDER_WRITE, status: 201, answer: ORDER },
  { method: 'PUT', path: '/orders/{id}', query: ITEM_QUERY, body: ORDER_WRITE, status: 200, answer: ORDER },
];

/** Where the API answers, below the shop's URL. */
export const WC_API_BASE = '/wp-json/wc/v3';
