import { createHash } from 'node:crypto';

/**
 * The ids courier A gives Canada Post, all made from our order id (the only key a read has):
 * - the `group-id` of an order's shipments (one per parcel): the order id and a check tag, `ord-000042.1f3a9c0b`.
 *   It is also the port's shipment id after `courier-a:`, so an id we never made (a typo, another carrier's, a
 *   stranger's) fails the tag and is refused before anything is sent; only an id that passes it may be read as
 *   "already voided" when Canada Post no longer knows it (a voided shipment is deleted there).
 * - each parcel's `customer-request-id`: the group id and the parcel's place, `ord-000042.1f3a9c0b-1`, which Get
 *   Shipments finds by `requestId` whether or not the shipment has been transmitted.
 */

/** Canada Post's limits: group-id up to 32 characters, customer-request-id up to 35. */
const MAX_GROUP_ID = 32;
const TAG_LENGTH = 8;
/** The longest order id a group id can carry: 32 less the dot and the tag. */
export const MAX_ORDER_ID_LENGTH = MAX_GROUP_ID - 1 - TAG_LENGTH;
/** The most parcels one booking may hold: `-99` keeps the request id within 35 characters. */
export const MAX_PARCELS = 99;

const tagOf = (orderId: string): string =>
  createHash('sha256').update(`plugboard courier-a group\n${orderId}`).digest('hex').slice(0, TAG_LENGTH);

/** The group id of an order's shipments; null when the order id is too long to carry (nothing can be booked). */
export function groupIdOf(orderId: string): string | null {
  if (orderId.length === 0 || orderId.length > MAX_ORDER_ID_LENGTH) return null;
  return `${orderId}.${tagOf(orderId)}`;
}

/** The order a group id was made for, when its tag says we made it; null for any other text. */
export function orderIdOfGroup(groupId: string): string | null {
  const dot = groupId.lastIndexOf('.');
  if (dot <= 0) return null;
  const orderId = groupId.slice(0, dot);
  return groupIdOf(orderId) === groupId ? orderId : null;
}

/** The `customer-request-id` of a booking's parcel `index` (0-based). */
export function requestIdOf(groupId: string, index: number): string {
  return `${groupId}-${index + 1}`;
}
