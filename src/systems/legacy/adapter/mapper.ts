import {
  formatDecimal,
  minorDigits,
  moneyFromDecimal,
  ORDER_STATUSES,
  type Customer,
  type LegacyCustomer,
  type LegacyOrder,
  type Money,
  type Order,
  type OrderStatus,
} from '../../../domain';
import {
  customerFingerprint,
  metaValue,
  orderFingerprint,
  PLUGBOARD_ID,
  PLUGBOARD_SYNC,
  readStamp,
  stampText,
} from '../woocommerce/stamp';
import { gmtText, joinName, readGmt, splitName, STATUS_OF_WOO, WOO_STATUS } from '../woocommerce/vocabulary';
import { createLocalTimeReader } from './local-time';
import type { WooCustomerRead, WooOrderRead } from './schema';

/** A WooCommerce decimal amount (`"1990.55"`) in an order's currency -> money. */
export function amountOf(text: string, currency: string): Money {
  return moneyFromDecimal(text, currency);
}

/**
 * Money -> a WooCommerce amount, with the store's two price decimals (WooCommerce's default; the store rounds every
 * amount to them): an amount with more decimals (BHD, KWD) cannot be written without losing money, so it is refused.
 */
export function amountText(value: Money): string {
  const digits = minorDigits(value.currency);
  if (digits > 2) throw new RangeError(`the shop keeps two price decimals and cannot hold ${value.currency} amounts`);
  const text = formatDecimal(value);
  return digits === 0 ? `${text}.00` : digits === 1 ? `${text}0` : text;
}

/** Our id of a WooCommerce record, from its `plugboard_id` meta entry; undefined for a record the site never had. */
export function ourIdOf(row: { meta_data: readonly { key: string; value?: unknown }[] }): string | undefined {
  const value = metaValue(row.meta_data, PLUGBOARD_ID);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A change time to the second, as the shop's clock keeps it. */
const toSecond = (at: Date): string => `${gmtText(at)}Z`;
const isStatus = (value: string | undefined): value is OrderStatus => (ORDER_STATUSES as readonly string[]).includes(value ?? '');

/** The body of a customer save (POST or PUT /customers), and the order's, with our id and the sync stamp in meta_data. */
export interface CustomerBody {
  email: string;
  first_name: string;
  last_name: string;
  billing: { first_name: string; last_name: string; email: string; phone: string };
  meta_data: { key: string; value: string }[];
}

/** Maps WooCommerce's customers and orders to the domain and back; throws RangeError on a value that reads as nothing. */
export function createLegacyMapper(timeZone: string) {
  const readSiteTime = createLocalTimeReader(timeZone);
  return {
    toCustomer(row: WooCustomerRead, customerId: string): LegacyCustomer {
      const stamp = readStamp(metaValue(row.meta_data, PLUGBOARD_SYNC));
      const unchanged = stamp !== undefined && stamp.fingerprint === customerFingerprint(row);
      const phone = row.billing.phone ?? '';
      return {
        customerId,
        legacyNumber: String(row.id),
        email: row.email,
        name: joinName(row.first_name, row.last_name),
        phone: phone.trim() === '' ? null : phone,
        updatedAt: unchanged ? new Date(stamp.updatedAt) : readGmt(row.date_modified_gmt ?? row.date_created_gmt),
      };
    },
    /** `customerOf` gives our id of the order's WooCommerce customer. */
    toOrder(row: WooOrderRead, orderId: string, customerId: string): LegacyOrder {
      const stamp = readStamp(metaValue(row.meta_data, PLUGBOARD_SYNC));
      const unchanged = stamp !== undefined && stamp.fingerprint === orderFingerprint(row);
      // The site's status while the order is as it sent it (and WooCommerce's status is still the one it maps to).
      const status = unchanged && isStatus(stamp.status) && WOO_STATUS[stamp.status] === row.status ? stamp.status : STATUS_OF_WOO[row.status];
      return {
        orderId,
        legacyNumber: row.number,
        customerId,
        status,
        total: amountOf(row.total, row.currency),
        updatedAt: unchanged ? new Date(stamp.updatedAt) : readGmt(row.date_modified_gmt),
      };
    },
    /** The site's customer as WooCommerce's customer fields, stamped with the site's change time. */
    customerBody(customer: Customer): CustomerBody {
      const names = splitName(customer.name);
      const fields = { email: customer.email, ...names, billing: { ...names, email: customer.email, phone: customer.phone ?? '' } };
      const stamp = stampText({ updatedAt: toSecond(customer.updatedAt), fingerprint: customerFingerprint(fields) });
      return { ...fields, meta_data: [{ key: PLUGBOARD_ID, value: customer.id }, { key: PLUGBOARD_SYNC, value: stamp }] };
    },
    /**
     * The site's order as WooCommerce's order fields. A new order gets its lines (the product named by SKU, which
     * WooCommerce looks up in its catalogue; priced by the site, as the posted totals win; WooCommerce adds up its
     * total from them) and, when the site's total is not their sum, one fee line with the
     * difference; an order the shop has already gets its status, customer and stamp (WooCommerce adds lines, never
     * replaces them).
     */
    orderBody(order: Order, wooCustomerId: number, creating: boolean) {
      const status = WOO_STATUS[order.status];
      const total = amountText(order.total);
      const stamp = stampText({
        updatedAt: toSecond(order.updatedAt),
        status: order.status,
        fingerprint: orderFingerprint({ customer_id: wooCustomerId, status, total, currency: order.total.currency }),
      });
      const fields = {
        status,
        currency: order.total.currency,
        customer_id: wooCustomerId,
        meta_data: [{ key: PLUGBOARD_ID, value: order.id }, { key: PLUGBOARD_SYNC, value: stamp }],
      };
      if (!creating) return fields;
      const lines = order.lines.map((line) => {
        const amount = amountText({ minor: line.unitPrice.minor * line.quantity, currency: line.unitPrice.currency });
        return { sku: line.sku, name: line.sku, quantity: line.quantity, subtotal: amount, total: amount };
      });
      const sum = order.lines.reduce((minor, line) => minor + line.unitPrice.minor * line.quantity, 0);
      const difference = order.total.minor - sum;
      const fees = difference === 0 ? [] : [{ name: 'Adjustment', total: amountText({ minor: difference, currency: order.total.currency }), tax_status: 'none' as const }];
      return { ...fields, line_items: lines, fee_lines: fees };
    },
    /** The instant a calendar day `yyyy-mm-dd` begins on the shop's clock. */
    startOfDay: (day: string): Date => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`"${day}" is not a yyyy-mm-dd day`);
      return readSiteTime(`${day}T00:00:00`);
    },
  };
}

export type LegacyMapper = ReturnType<typeof createLegacyMapper>;
