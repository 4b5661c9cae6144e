import { createLocalClock } from '../../../time/local-clock';
import { formatDecimal, minorDigits, money, type Customer, type Money, type Order } from '../../../domain';
import type { EstateSeed } from '../../kit/seed';
import type { WooOrderStatus } from '../woocommerce/schemas';
import { orderFingerprint, PLUGBOARD_ID, PLUGBOARD_SYNC, stampText } from '../woocommerce/stamp';
import { gmtText, splitName, WOO_STATUS } from '../woocommerce/vocabulary';

/** One `meta_data` entry as WooCommerce keeps it. */
export interface WooMeta {
  id: number;
  key: string;
  value: unknown;
}

export interface WooAddress {
  first_name: string;
  last_name: string;
  company: string;
  address_1: string;
  address_2: string;
  city: string;
  state: string;
  postcode: string;
  country: string;
  email?: string;
  phone: string;
}

/** A customer as the sandbox answers it: the properties of ../woocommerce/schemas.ts's CUSTOMER, no more. */
export interface WooCustomer {
  id: number;
  date_created: string;
  date_created_gmt: string;
  date_modified: string | null;
  date_modified_gmt: string | null;
  email: string;
  first_name: string;
  last_name: string;
  role: string;
  username: string;
  billing: WooAddress;
  shipping: WooAddress;
  is_paying_customer: boolean;
  avatar_url: string;
  meta_data: WooMeta[];
}

export interface WooLineItem {
  id: number;
  name: string;
  product_id: number;
  variation_id: number;
  quantity: number;
  tax_class: string;
  subtotal: string;
  subtotal_tax: string;
  total: string;
  total_tax: string;
  sku: string | null;
  price: number;
  meta_data: WooMeta[];
}

export interface WooFeeLine {
  id: number;
  name: string;
  tax_class: string;
  tax_status: 'taxable' | 'none';
  total: string;
  total_tax: string;
  meta_data: WooMeta[];
}

/** An order as the sandbox answers it: the properties of ../woocommerce/schemas.ts's ORDER, no more. */
export interface WooOrder {
  id: number;
  parent_id: number;
  number: string;
  order_key: string;
  created_via: string;
  version: string;
  status: WooOrderStatus;
  currency: string;
  date_created: string;
  date_created_gmt: string;
  date_modified: string;
  date_modified_gmt: string;
  discount_total: string;
  shipping_total: string;
  total: string;
  total_tax: string;
  prices_include_tax: boolean;
  customer_id: number;
  customer_note: string;
  billing: WooAddress;
  shipping: WooAddress;
  payment_method: string;
  transaction_id: string;
  date_paid_gmt: string | null;
  date_completed_gmt: string | null;
  meta_data: WooMeta[];
  line_items: WooLineItem[];
  fee_lines: WooFeeLine[];
}

/** The WooCommerce version the sandbox says it is (an order's `version`). */
export const WOO_VERSION = '9.4.2';

/** User 1 is the site's administrator; customers are the users after it. */
export const FIRST_CUSTOMER_ID = 2;
/** Orders are posts: their ids come from the posts table, far from the users'. */
export const FIRST_ORDER_ID = 5_001;

export const emptyAddress = (): WooAddress => ({
  first_name: '', last_name: '', company: '', address_1: '', address_2: '', city: '', state: '', postcode: '', country: '', phone: '',
});

/**
 * Amounts as WooCommerce renders them: a decimal string with the store's price decimals (two, its default), kept
 * here as hundredths so that sums are exact.
 */
export function hundredthsOf(text: string): number {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new RangeError(`"${text}" is not an amount with at most two decimals`);
  const value = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -value : value;
}
export function decimalOf(hundredths: number): string {
  return formatDecimal(money(hundredths, 'EUR'));
}

/** The estate as the WooCommerce shop holds it after the data migration, which stamped each record with our id. */
/** Products are posts too: the catalogue's ids, one per SKU of the estate. */
export const FIRST_PRODUCT_ID = 101;

/** The shop's catalogue as the REST API's line items refer to it: product id by SKU. */
export function productIds(estate: EstateSeed): Map<string, number> {
  return new Map(estate.items.map((item, index) => [item.sku, FIRST_PRODUCT_ID + index]));
}

export function projectEstate(estate: EstateSeed, timeZone: string): { customers: WooCustomer[]; orders: WooOrder[] } {
  const products = productIds(estate);
  const siteTime = createLocalClock(timeZone);
  const idOf = new Map<string, number>();
  const customers = estate.customers.map((customer: Customer, index): WooCustomer => {
    const id = FIRST_CUSTOMER_ID + index;
    idOf.set(customer.id, id);
    const names = splitName(customer.name);
    return {
      id,
      date_created: siteTime(customer.createdAt),
      date_created_gmt: gmtText(customer.createdAt),
      date_modified: siteTime(customer.updatedAt),
      date_modified_gmt: gmtText(customer.updatedAt),
      email: customer.email,
      ...names,
      role: 'customer',
      username: customer.email.split('@')[0] ?? customer.id,
      billing: { ...emptyAddress(), ...names, email: customer.email, phone: customer.phone ?? '' },
      shipping: emptyAddress(),
      is_paying_customer: false,
      avatar_url: '',
      meta_data: [{ id: id * 10, key: PLUGBOARD_ID, value: customer.id }],
    };
  });
  const orders = estate.orders.map((order: Order, index): WooOrder => {
    const id = FIRST_ORDER_ID + index;
    const customerId = idOf.get(order.customerId) ?? 0;
    const lines = order.lines.map((line, position): WooLineItem => {
      const total = decimalOf(hundredthsOfMoney(money(line.unitPrice.minor * line.quantity, line.unitPrice.currency)));
      return {
        id: id * 100 + position, name: line.sku, product_id: products.get(line.sku) ?? 0, variation_id: 0, quantity: line.quantity, tax_class: '',
        subtotal: total, subtotal_tax: '0.00', total, total_tax: '0.00', sku: products.has(line.sku) ? line.sku : null, price: hundredthsOf(total) / 100 / line.quantity, meta_data: [],
      };
    });
    const total = decimalOf(hundredthsOfMoney(order.total));
    const difference = hundredthsOf(total) - lines.reduce((sum, line) => sum + hundredthsOf(line.total), 0);
    const status = WOO_STATUS[order.status];
    const created = siteTime(order.placedAt);
    return {
      id, parent_id: 0, number: String(id), order_key: `wc_order_${order.id.replace(/[^a-z0-9]/gi, '')}`, created_via: 'checkout', version: WOO_VERSION,
      status, currency: order.total.currency,
      date_created: created, date_created_gmt: gmtText(order.placedAt),
      date_modified: siteTime(order.updatedAt), date_modified_gmt: gmtText(order.updatedAt),
      discount_total: '0.00', shipping_total: '0.00', total, total_tax: '0.00', prices_include_tax: false,
      customer_id: customerId, customer_note: '', billing: emptyAddress(), shipping: emptyAddress(), payment_method: '', transaction_id: '',
      date_paid_gmt: null, date_completed_gmt: status === 'completed' ? gmtText(order.updatedAt) : null,
      meta_data: [
        { id: id * 10, key: PLUGBOARD_ID, value: order.id },
        {
          id: id * 10 + 1,
          key: PLUGBOARD_SYNC,
          value: stampText({
            updatedAt: order.updatedAt.toISOString(),
            status: order.status,
            fingerprint: orderFingerprint({ customer_id: customerId, status, total, currency: order.total.currency }),
          }),
        },
      ],
      line_items: lines,
      fee_lines: difference === 0 ? [] : [{ id: id * 100 + 99, name: 'Adjustment', tax_class: '', tax_status: 'none', total: decimalOf(difference), total_tax: '0.00', meta_data: [] }],
    };
  });
  return { customers, orders };
}

/** Money in hundredths of its unit (the store's two price decimals), rounded as WooCommerce rounds to them. */
export function hundredthsOfMoney(value: Money): number {
  return Math.round((value.minor * 100) / 10 ** minorDigits(value.currency));
}
