import { createHash } from 'node:crypto';

/**
 * The `external_shipment_id` a shipment of ours carries at ShipEngine: one per order and courier, made from the order
 * id, so that a read finds an order's shipment by the id we gave it (`GET /v1/shipments/external_shipment_id/{id}`)
 * with nothing stored beside the order, and a booking repeated by anyone (placeOrder's retry, the outbox's booking
 * after the payment) finds the one already made. ShipEngine truncates the id past 50 characters: a longer one, or one
 * holding anything but letters, digits and `._:-` (it travels in a URL path), is replaced by a digest of the order id,
 * so two orders never share one and any order id can be asked for.
 */
export function externalShipmentIdOf(carrier: string, orderId: string): string {
  const plain = `${carrier}:${orderId}`;
  if (plain.length <= MAX_EXTERNAL_SHIPMENT_ID && /^[A-Za-z0-9._:-]+$/.test(orderId)) return plain;
  return `${carrier.slice(0, 16)}:#${createHash('sha256').update(orderId, 'utf8').digest('hex').slice(0, 32)}`;
}

/** ShipEngine's limit on `external_shipment_id` (partial_shipment.external_shipment_id, maxLength 50). */
export const MAX_EXTERNAL_SHIPMENT_ID = 50;
