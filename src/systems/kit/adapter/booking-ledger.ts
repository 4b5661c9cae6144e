import type { Shipment, ShipmentStatus } from '../../../domain';

/** One booking as the ledger holds it. */
export interface Booking {
  readonly carrier: string;
  readonly orderId: string;
  /**
   * The port's shipment id, known before the booking is sent when the courier's ids are made from our order id
   * (courier A). A courier that names the shipment only in its answer (courier B's `se-…`) writes the row
   * of a booking not answered yet under an id of its own, and forgets it once the shipment is recorded.
   */
  readonly shipmentId: string;
  /** The booking as last read from the courier; null while it was sent and its answer is not known (lost, or in flight). */
  readonly shipment: Shipment | null;
  readonly requestedAt: Date;
  /** When `shipment` was read from the courier; null with it. */
  readonly readAt: Date | null;
}

/**
 * The booking ledger: every booking a courier confirmed to Plugboard, kept in our own database, with its last known
 * status. A courier finds a shipment only by ids we set when we booked it, so the shipments Plugboard can ever read
 * there are those it booked: an order with no row has none, and a row in a final state needs no call at all. The
 * courier's adapter is given the ledger by the composition root (its system's `serve`; the table and its queries are
 * src/db's, `createBookingLedger`) and keeps it itself:
 * `requested` before it sends a booking (so that a lost answer leaves a row to be resolved on the next read),
 * `record` with every answer (a booking, a cancellation, a tracking read that changed something).
 */
export interface BookingLedger {
  /** The bookings held for these orders with `carrier`, by order id. */
  bookingsOf(carrier: string, orderIds: readonly string[]): Promise<ReadonlyMap<string, readonly Booking[]>>;
  /** A booking is about to be sent: until it is recorded, reads ask the courier for it by our own request id. */
  requested(booking: { readonly carrier: string; readonly orderId: string; readonly shipmentId: string }): Promise<void>;
  /** What the courier answered of a booking (booked, cancelled, tracked), read at `readAt`. */
  record(shipment: Shipment, readAt?: Date): Promise<void>;
  /**
   * Drops a booking whose answer is still not known, when the courier holds nothing for it: it never arrived (the
   * courier was down, the request refused). A row already answered is kept.
   */
  forget(shipmentId: string): Promise<void>;
}

/**
 * How long a booking whose answer is not known may still be on its way: past this, a courier that holds nothing for
 * it never got it (a write's timeout is seconds), and the row is forgotten rather than asked about on every read.
 */
export const UNANSWERED_BOOKING_MS = 10 * 60_000;

/** Final states: nothing a courier says of them can change any more. */
export const FINAL_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ['DELIVERED', 'CANCELLED'];

