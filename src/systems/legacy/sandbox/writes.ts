import { createLocalClock } from '../../../time/local-clock';
import type { WooOrderStatus } from '../woocommerce/schemas';
import { gmtText } from '../woocommerce/vocabulary';
import {
  decimalOf,
  emptyAddress,
  hundredthsOf,
  WOO_VERSION,
  type WooAddress,
  type WooCustomer,
  type WooFeeLine,
  type WooLineItem,
  type WooMeta,
  type WooOrder,
} from './shop';

/** A refusal in WooCommerce's words: its HTTP status, error code and message (the body is `{ code, message, data: { status } }`). */
export class WooRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type MetaInput = { id?: number; key: string; value?: unknown };
type Body = Record<string, unknown> & { meta_data?: MetaInput[] };

/**
 * `meta_data` as WooCommerce applies it (WC_Data::update_meta_data): an entry with an `id` changes that entry; one
 * without changes the entry with its key, or is added.
 */
function mergeMeta(existing: readonly WooMeta[], given: readonly MetaInput[] | undefined, nextId: () => number): WooMeta[] {
  const merged = existing.map((entry) => ({ ...entry }));
  for (const entry of given ?? []) {
    const found = entry.id !== undefined ? merged.find((meta) => meta.id === entry.id) : merged.find((meta) => meta.key === entry.key);
    if (found) Object.assign(found, { key: entry.key, value: entry.value ?? '' });
    else if (entry.id === undefined) merged.push({ id: nextId(), key: entry.key, value: entry.value ?? '' });
  }
  return merged;
}

/** A username no one has: the e-mail's local part, numbered when taken. */
function freeUsername(wanted: string, all: Iterable<WooCustomer>): string {
  const taken = new Set([...all].map((row) => row.username));
  let name = wanted;
  for (let n = 2; taken.has(name); n += 1) name = `${wanted}${n}`;
  return name;
}

const withAddress = (before: WooAddress, given: unknown): WooAddress => ({ ...before, ...((given ?? {}) as Partial<WooAddress>) });

export interface ShopWrites {
  saveCustomer(body: Body, existing: WooCustomer | undefined, all: Iterable<WooCustomer>): WooCustomer;
  saveOrder(body: Body, existing: WooOrder | undefined, customerExists: (id: number) => boolean): WooOrder;
}

/** Creates and updates as WooCommerce's controllers do (WC_REST_Customers_Controller, WC_REST_Orders_V2_Controller). */
export function createShopWrites(options: {
  timeZone: string;
  now: () => Date;
  nextId: (kind: 'customer' | 'order' | 'meta' | 'line') => number;
  /** The catalogue: a product's id by its SKU. */
  products: ReadonlyMap<string, number>;
}): ShopWrites {
  const skuOf = new Map([...options.products].map(([sku, id]) => [id, sku]));
  const siteTime = createLocalClock(options.timeZone);
  const metaId = () => options.nextId('meta');
  const lineId = () => options.nextId('line');

  return {
    saveCustomer(body, existing, all) {
      const email = typeof body.email === 'string' ? body.email : existing?.email ?? '';
      const taken = [...all].some((row) => row.id !== existing?.id && row.email.toLowerCase() === email.toLowerCase());
      if (taken) {
        // WC_Customer_Data_Store::create on a create; WordPress's wp_update_user on an update.
        throw existing
          ? new WooRefusal(400, 'existing_user_email', 'Sorry, that email address is already used!')
          : new WooRefusal(400, 'registration-error-email-exists', 'An account is already registered with your email address.');
      }
      const now = options.now();
      const created = existing ?? {
        id: options.nextId('customer'),
        date_created: siteTime(now),
        date_created_gmt: gmtText(now),
        role: 'customer',
        // WooCommerce makes a username from the e-mail's local part when none is given (woocommerce_registration_generate_username).
        username: typeof body.username === 'string' ? body.username : freeUsername(email.split('@')[0] ?? 'customer', all),
        billing: emptyAddress(),
        shipping: emptyAddress(),
        is_paying_customer: false,
        avatar_url: '',
        meta_data: [],
        first_name: '',
        last_name: '',
      };
      return {
        ...created,
        email,
        first_name: typeof body.first_name === 'string' ? body.first_name : created.first_name,
        last_name: typeof body.last_name === 'string' ? body.last_name : created.last_name,
        billing: withAddress(created.billing, body.billing),
        shipping: withAddress(created.shipping, body.shipping),
        meta_data: mergeMeta(created.meta_data, body.meta_data, metaId),
        date_modified: siteTime(now),
        date_modified_gmt: gmtText(now),
      };
    },

    saveOrder(body, existing, customerExists) {
      const customerId = typeof body.customer_id === 'number' ? body.customer_id : existing?.customer_id ?? 0;
      // WC_REST_Orders_V2_Controller::prepare_object_for_database: a customer_id that is no user is refused.
      if (customerId !== 0 && !customerExists(customerId)) throw new WooRefusal(400, 'woocommerce_rest_invalid_customer_id', 'Customer ID is invalid.');
      const now = options.now();
      const id = existing?.id ?? options.nextId('order');
      const base: WooOrder = existing ?? {
        id, parent_id: 0, number: String(id), order_key: `wc_order_${id.toString(36)}${now.getTime().toString(36)}`, created_via: 'rest-api',
        version: WOO_VERSION, status: 'pending', currency: 'EUR', date_created: siteTime(now), date_created_gmt: gmtText(now),
        date_modified: siteTime(now), date_modified_gmt: gmtText(now), discount_total: '0.00', shipping_total: '0.00', total: '0.00',
        total_tax: '0.00', prices_include_tax: false, customer_id: 0, customer_note: '', billing: emptyAddress(), shipping: emptyAddress(),
        payment_method: '', transaction_id: '', date_paid_gmt: null, date_completed_gmt: null, meta_data: [], line_items: [], fee_lines: [],
      };
      // Line items and fees with an id change that line; without one they are added (WooCommerce never replaces the list).
      const lines = [...base.line_items.map((line) => ({ ...line }))];
      for (const given of (body.line_items ?? []) as (Partial<WooLineItem> & { sku?: string })[]) {
        const found = given.id !== undefined ? lines.find((line) => line.id === given.id) : undefined;
        // WC_REST_Orders_V2_Controller::get_product_id: a new line names its product by sku, product_id or variation_id;
        // an unknown SKU or id makes a line with no product (wc_get_product finds nothing), not a refusal.
        if (!found && !given.sku && !given.product_id && !given.variation_id) {
          throw new WooRefusal(400, 'woocommerce_rest_required_product_reference', 'Product ID or SKU is required.');
        }
        const productId = given.sku ? (options.products.get(given.sku) ?? 0) : (given.product_id ?? found?.product_id ?? 0);
        const quantity = given.quantity ?? found?.quantity ?? 1;
        const total = given.total ?? given.subtotal ?? found?.total ?? '0.00';
        const line: WooLineItem = {
          id: found?.id ?? lineId(), name: given.name ?? found?.name ?? '', product_id: skuOf.has(productId) ? productId : 0, variation_id: 0,
          quantity, tax_class: '', subtotal: decimalOf(hundredthsOf(given.subtotal ?? total)), subtotal_tax: '0.00',
          total: decimalOf(hundredthsOf(total)), total_tax: '0.00', sku: skuOf.get(productId) ?? null, price: hundredthsOf(total) / 100 / Math.max(quantity, 1), meta_data: [],
        };
        if (found) Object.assign(found, line);
        else lines.push(line);
      }
      const fees = [...base.fee_lines.map((fee) => ({ ...fee }))];
      for (const given of (body.fee_lines ?? []) as Partial<WooFeeLine>[]) {
        const found = given.id !== undefined ? fees.find((fee) => fee.id === given.id) : undefined;
        const fee: WooFeeLine = {
          id: found?.id ?? lineId(), name: given.name ?? found?.name ?? '', tax_class: '', tax_status: given.tax_status ?? 'none',
          total: decimalOf(hundredthsOf(given.total ?? found?.total ?? '0.00')), total_tax: '0.00', meta_data: [],
        };
        if (found) Object.assign(found, fee);
        else fees.push(fee);
      }
      // WC_Abstract_Order::calculate_totals, with no taxes, shipping or coupons: the lines and the fees.
      const total = [...lines, ...fees].reduce((sum, line) => sum + hundredthsOf(line.total), 0);
      const status = (typeof body.status === 'string' ? body.status : base.status) as WooOrderStatus;
      const paid = body.set_paid === true ? gmtText(now) : base.date_paid_gmt;
      return {
        ...base,
        status: body.set_paid === true && status === 'pending' ? 'processing' : status,
        currency: typeof body.currency === 'string' ? body.currency : base.currency,
        customer_id: customerId,
        customer_note: typeof body.customer_note === 'string' ? body.customer_note : base.customer_note,
        billing: withAddress(base.billing, body.billing),
        shipping: withAddress(base.shipping, body.shipping),
        meta_data: mergeMeta(base.meta_data, body.meta_data, metaId),
        line_items: lines,
        fee_lines: fees,
        total: decimalOf(total),
        date_paid_gmt: paid,
        date_completed_gmt: status === 'completed' ? (base.date_completed_gmt ?? gmtText(now)) : base.date_completed_gmt,
        date_modified: siteTime(now),
        date_modified_gmt: gmtText(now),
      };
    },
  };
}
