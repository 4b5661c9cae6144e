import { createLocalClock } from '../../../time/local-clock';
import type { OrderStatus } from '../../../domain';
import type { EstateSeed } from '../../kit/seed';

/**
 * The legacy shop's own vocabulary: a PHP shop on MySQL from around 2009. Rows come straight from
 * `mysql_fetch_assoc`, so every column is a string; column names are upper case; timestamps are the server's local
 * wall-clock time as `dd.mm.yyyy hh:mm:ss` with no offset; amounts are `number_format($x, 2, ',', '.')`
 * ("1.234,56"); statuses are one-letter codes from the original (German) back office.
 */
export interface LegacyCustomerRow {
  /** The shop's customer number: "K" and six digits. */
  readonly CUST_NO: string;
  /** The new site's customer id, written by the migration project into a spare column. */
  readonly EXT_REF: string;
  readonly E_MAIL: string;
  readonly FULL_NAME: string;
  /** Empty string when there is none (the column is NOT NULL DEFAULT ''). */
  readonly TEL: string;
  readonly CRE_TS: string;
  readonly MOD_TS: string;
}

export interface LegacyOrderRow {
  /** The shop's order number: "W" and six digits. */
  readonly ORDER_NO: string;
  /** The new site's order id. */
  readonly EXT_REF: string;
  readonly CUST_NO: string;
  /** The customer's EXT_REF, joined in by the PHP script. */
  readonly CUST_EXT_REF: string;
  /** N neu, B bestaetigt, V versandt, G geliefert, S storniert. */
  readonly STAT: LegacyStatusCode;
  /** `dd.mm.yyyy`, local. */
  readonly ORDER_DATE: string;
  readonly SUM_GROSS: string;
  readonly CURR: string;
  /** Number of order positions, as a string like every other column. */
  readonly POS_CNT: string;
  readonly MOD_TS: string;
}

export type LegacyStatusCode = 'N' | 'B' | 'V' | 'G' | 'S';

const STATUS_CODE: Readonly<Record<OrderStatus, LegacyStatusCode>> = {
  PENDING: 'N',
  CONFIRMED: 'B',
  SHIPPED: 'V',
  DELIVERED: 'G',
  CANCELLED: 'S',
};

export const legacyCustomerNumber = (n: number): string => `K${100_000 + n}`;
export const legacyOrderNumber = (n: number): string => `W${500_000 + n}`;

/** PHP's number_format($minor / 100, 2, ',', '.'): the shop keeps DECIMAL(10,2) whatever the currency. */
export function formatAmount(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${sign}${whole},${String(abs % 100).padStart(2, '0')}`;
}

/** The estate as the legacy shop holds it after the (clean) data migration: the same facts in its own shape. */
export function projectEstate(
  estate: EstateSeed,
  timeZone: string,
): { customers: LegacyCustomerRow[]; orders: LegacyOrderRow[] } {
  const clock = createLocalClock(timeZone);
  const numberOf = new Map<string, string>();
  const customers = estate.customers.map((customer, index) => {
    const number = legacyCustomerNumber(index + 1);
    numberOf.set(customer.id, number);
    return {
      CUST_NO: number,
      EXT_REF: customer.id,
      E_MAIL: customer.email,
      FULL_NAME: customer.name,
      TEL: customer.phone ?? '',
      CRE_TS: clock.timestamp(customer.createdAt),
      MOD_TS: clock.timestamp(customer.updatedAt),
    };
  });
  const orders = estate.orders.map((order, index) => ({
    ORDER_NO: legacyOrderNumber(index + 1),
    EXT_REF: order.id,
    CUST_NO: numberOf.get(order.customerId) ?? '',
    CUST_EXT_REF: order.customerId,
    STAT: STATUS_CODE[order.status],
    ORDER_DATE: clock.date(order.placedAt),
    SUM_GROSS: formatAmount(order.total.minor),
    CURR: order.total.currency,
    POS_CNT: String(order.lines.length),
    MOD_TS: clock.timestamp(order.updatedAt),
  }));
  return { customers, orders };
}
