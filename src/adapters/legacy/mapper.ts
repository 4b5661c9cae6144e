import { moneyFromDecimal, type LegacyCustomer, type LegacyOrder, type Money, type OrderStatus } from '../../domain';
import { createLocalTimeReader } from './local-time';
import type { CustomerRow, LEGACY_STATUS_CODES, OrderRow } from './schema';

/** The back office's one-letter codes (N neu, B bestaetigt, V versandt, G geliefert, S storniert). */
const STATUS_OF: Readonly<Record<(typeof LEGACY_STATUS_CODES)[number], OrderStatus>> = {
  N: 'PENDING',
  B: 'CONFIRMED',
  V: 'SHIPPED',
  G: 'DELIVERED',
  S: 'CANCELLED',
};

/** "1.234,56" (PHP number_format with a comma) -> money. */
export function amountOf(text: string, currency: string): Money {
  return moneyFromDecimal(text.replace(/\./g, '').replace(',', '.'), currency);
}

/** Maps the shop's rows to the domain; throws RangeError on a value that reads as nothing (a date off the calendar). */
export function createLegacyMapper(timeZone: string) {
  const readTime = createLocalTimeReader(timeZone);
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
  };
}
