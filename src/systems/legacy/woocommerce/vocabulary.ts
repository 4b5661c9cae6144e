import type { OrderStatus } from '../../../domain';
import type { WooOrderStatus } from './schemas';

/**
 * WooCommerce's order statuses against ours (source: the reference's "Order properties", `status`; WooCommerce's
 * wc_get_order_statuses). WooCommerce has no shipped-but-not-delivered status: SHIPPED and DELIVERED are both
 * `completed` there (the stamp of ./stamp.ts keeps which one the site sent).
 */
export const WOO_STATUS: Readonly<Record<OrderStatus, WooOrderStatus>> = {
  PENDING: 'pending',
  CONFIRMED: 'processing',
  SHIPPED: 'completed',
  DELIVERED: 'completed',
  CANCELLED: 'cancelled',
};

/** A status set in the shop, read as ours: waiting (on hold, payment failed) is PENDING; refunded or trashed is CANCELLED. */
export const STATUS_OF_WOO: Readonly<Record<WooOrderStatus, OrderStatus>> = {
  pending: 'PENDING',
  'on-hold': 'PENDING',
  failed: 'PENDING',
  processing: 'CONFIRMED',
  completed: 'DELIVERED',
  cancelled: 'CANCELLED',
  refunded: 'CANCELLED',
  trash: 'CANCELLED',
};

/** An instant as WooCommerce writes `date_*_gmt`: `YYYY-MM-DDTHH:MM:SS`, UTC, whole seconds, no offset. */
export function gmtText(at: Date): string {
  return at.toISOString().slice(0, 19);
}

/** A `YYYY-MM-DDTHH:MM:SS` text WooCommerce wrote in UTC (`date_*_gmt`), as an instant. */
export function readGmt(text: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  const [year, month, day, hour, minute, second] = (match ?? []).slice(1).map(Number) as number[];
  const at = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  if (!match || at.getUTCDate() !== day || at.getUTCMonth() !== month! - 1 || hour! > 23 || minute! > 59 || second! > 59) {
    throw new RangeError(`"${text}" is not a time on the calendar`);
  }
  return at;
}

/** A name as WooCommerce holds it: the first word is the first name, the rest the last name. */
export function splitName(name: string): { first_name: string; last_name: string } {
  const at = name.indexOf(' ');
  return at < 0 ? { first_name: name, last_name: '' } : { first_name: name.slice(0, at), last_name: name.slice(at + 1) };
}

/** The name WooCommerce's first and last name make, as one. */
export function joinName(first: string, last: string): string {
  return last === '' ? first : `${first} ${last}`;
}
