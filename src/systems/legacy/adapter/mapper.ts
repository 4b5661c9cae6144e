import {
  formatDecimal,
  minorDigits,
  moneyFromDecimal,
  type Customer,
  type LegacyCustomer,
  type LegacyOrder,
  type Money,
  type Order,
  type OrderStatus,
} from '../../../domain';
import { createLocalClock } from '../../../time/local-clock';
import { createLocalTimeReader } from './local-time';
import type { CustomerRow, LEGACY_STATUS_CODES, OrderRow } from './schema';

type StatusCode = (typeof LEGACY_STATUS_CODES)[number];

/** The back office's one-letter codes (N neu, B bestaetigt, V versandt, G geliefert, S storniert). */
const STATUS_OF: Readonly<Record<StatusCode, OrderStatus>> = {
  N: 'PENDING',
  B: 'CONFIRMED',
  V: 'SHIPPED',
  G: 'DELIVERED',
  S: 'CANCELLED',
};
const CODE_OF = Object.fromEntries(Object.entries(STATUS_OF).map(([code, status]) => [status, code])) as Readonly<
  Record<OrderStatus, StatusCode>
>;

/** "1.234,56" (PHP number_format with a comma) -> money. */
export function amountOf(text: string, currency: string): Money {
  return moneyFromDecimal(text.replace(/\./g, '').replace(',', '.'), currency);
}

/**
 * Money -> "1.234,56". The shop keeps DECIMAL(10,2) whatever the currency: an amount with more than two decimals
 * (BHD, KWD) cannot be written to it without losing money, so it is refused.
 */
export function amountText(value: Money): string {
  if (minorDigits(value.currency) > 2) {
    throw new RangeError(`the legacy shop keeps two decimals and cannot hold ${value.currency} amounts`);
  }
  const [whole = '0', fraction = ''] = formatDecimal(value).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const grouped = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${sign}${grouped},${fraction.padEnd(2, '0')}`;
}

/** The shop's form fields of a save: column name -> value, every value a string. */
export type LegacyForm = Readonly<Record<string, string>>;

/** Maps the shop's rows to the domain and back; throws RangeError on a value that reads as nothing (a date off the calendar). */
export function createLegacyMapper(timeZone: string) {
  const readTime = createLocalTimeReader(timeZone);
  const writeTime = createLocalClock(timeZone);
  /** A calendar day `yyyy-mm-dd` as the shop writes it, `dd.mm.yyyy`. */
  const dayText = (day: string): string => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    if (!match) throw new RangeError(`"${day}" is not a yyyy-mm-dd day`);
    return `${match[3]}.${match[2]}.${match[1]}`;
  };
  return {
    toCustomer(row: CustomerRow): LegacyCustomer {
      return {
        customerId: row.EXT_REF,
        legacyNumber: row.CUST_NO,
        email: row.E_MAIL,
        name: row.FULL_NAME,
        phone: row.TEL.trim() === '' ? null : row.TEL,
        updatedAt: readTime(row.MOD_TS),
      };
    },
    toOrder(row: OrderRow): LegacyOrder {
      return {
        orderId: row.EXT_REF,
        legacyNumber: row.ORDER_NO,
        customerId: row.CUST_EXT_REF,
        status: STATUS_OF[row.STAT],
        total: amountOf(row.SUM_GROSS, row.CURR),
        updatedAt: readTime(row.MOD_TS),
      };
    },
    /** The site's customer as customer_save.php takes it, stamped with the site's change time. */
    toCustomerForm(customer: Customer): LegacyForm {
      return {
        EXT_REF: customer.id,
        E_MAIL: customer.email,
        FULL_NAME: customer.name,
        TEL: customer.phone ?? '',
        MOD_TS: writeTime.timestamp(customer.updatedAt),
      };
    },
    /** The site's order as order_save.php takes it. */
    toOrderForm(order: Order): LegacyForm {
      return {
        EXT_REF: order.id,
        CUST_EXT_REF: order.customerId,
        STAT: CODE_OF[order.status],
        ORDER_DATE: writeTime.date(order.placedAt),
        SUM_GROSS: amountText(order.total),
        CURR: order.total.currency,
        POS_CNT: String(order.lines.length),
        MOD_TS: writeTime.timestamp(order.updatedAt),
      };
    },
    dayText,
    /** The instant a calendar day `yyyy-mm-dd` begins on the shop's clock. */
    startOfDay: (day: string): Date => readTime(`${dayText(day)} 00:00:00`),
  };
}

export type LegacyMapper = ReturnType<typeof createLegacyMapper>;
