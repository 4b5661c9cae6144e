import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { ShipmentTracking } from '../../domain';

/**
 * A row of `courier_bookings`, the booking ledger (src/systems/kit/adapter/booking-ledger.ts): one booking a courier
 * confirmed, or was asked for and has not answered yet, as the port's Shipment carries it, with its last known status.
 * Keyed by the port's shipment id (unique across carriers: it starts with the carrier's system name).
 */
@Entity({ tableName: 'courier_bookings' })
@Index({ name: 'courier_bookings_carrier_order_index', properties: ['carrier', 'orderId'] })
export class CourierBookingEntity {
  /** The port's shipment id, e.g. `courier-a:ord-000042.1f3a9c0b`. */
  @PrimaryKey({ type: 'string', length: 200, fieldName: 'shipment_id' })
  shipmentId!: string;

  /** The courier's system name. */
  @Property({ type: 'string', length: 64 })
  carrier!: string;

  @Property({ type: 'string', length: 64, fieldName: 'order_id' })
  orderId!: string;

  /**
   * A ShipmentStatus as last read; null while the booking was sent and its answer is not known yet (lost, or in
   * flight): the courier is then asked for it by our own request id (a plain string column: see OrderEntity.status).
   */
  @Property({ type: 'string', length: 16, nullable: true })
  status: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true, fieldName: 'tracking_number' })
  trackingNumber: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true, fieldName: 'label_id' })
  labelId: string | null = null;

  /** The label's address as the courier's adapter keeps it (courier A: a path on its own host when it is there). */
  @Property({ type: 'string', length: 1000, nullable: true, fieldName: 'label_url' })
  labelUrl: string | null = null;

  /** The carrier's tracking as last read, when the port's Shipment carried it. */
  @Property({ type: 'json', nullable: true })
  tracking: ShipmentTracking | null = null;

  /** The Shipment's createdAt (courier A: its mailing day). Null while the booking's answer is not known. */
  @Property({ type: 'datetime', nullable: true, fieldName: 'created_at' })
  createdAt: Date | null = null;

  /** When the booking was asked of the courier (the last time, for an order booked again). */
  @Property({ type: 'datetime', fieldName: 'requested_at' })
  requestedAt!: Date;

  /** When the status held here was read from the courier (its booking, cancellation or tracking answer). */
  @Property({ type: 'datetime', nullable: true, fieldName: 'read_at' })
  readAt: Date | null = null;
}
