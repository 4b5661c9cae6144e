import type { EntityData } from '@mikro-orm/core';
import { SHIPMENT_STATUSES, type Shipment, type ShipmentStatus } from '../domain';
import type { Booking, BookingLedger } from '../systems/kit/adapter/booking-ledger';
import type { Database } from './database';
import { CourierBookingEntity } from './entities';

/** Rows per insert statement when seeding: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 200;
/** Order ids per `in (...)` read. */
const READ_CHUNK = 500;

/** The booking ledger (src/systems/kit/adapter/booking-ledger.ts) over our database's `courier_bookings` table. */
export function createBookingLedger(db: Database, options: { readonly now?: () => Date } = {}): BookingLedger {
  const now = options.now ?? (() => new Date());
  return {
    async bookingsOf(carrier, orderIds) {
      const found = new Map<string, Booking[]>();
      const wanted = [...new Set(orderIds)];
      for (let start = 0; start < wanted.length; start += READ_CHUNK) {
        const rows = await db.orm.em.fork().find(
          CourierBookingEntity,
          { carrier, orderId: { $in: wanted.slice(start, start + READ_CHUNK) } },
          { orderBy: { shipmentId: 'asc' }, disableIdentityMap: true },
        );
        for (const row of rows) {
          const booking = bookingOf(row);
          found.set(row.orderId, [...(found.get(row.orderId) ?? []), booking]);
        }
      }
      return found;
    },
    async requested({ carrier, orderId, shipmentId }) {
      await db.orm.em.fork().upsert(
        CourierBookingEntity,
        { shipmentId, carrier, orderId, status: null, requestedAt: now() },
        { onConflictFields: ['shipmentId'], onConflictAction: 'merge', onConflictMergeFields: ['status', 'requestedAt'] },
      );
    },
    async forget(shipmentId) {
      await db.orm.em.fork().nativeDelete(CourierBookingEntity, { shipmentId, status: null });
    },
    async record(shipment, readAt = now()) {
      const row = rowOf(shipment, readAt);
      await db.orm.em.fork().upsert(CourierBookingEntity, row, {
        onConflictFields: ['shipmentId'],
        onConflictAction: 'merge',
        onConflictMergeFields: ['status', 'trackingNumber', 'labelId', 'labelUrl', 'tracking', 'createdAt', 'readAt'],
      });
    },
  };
}

/**
 * Records bookings as if Plugboard had made them (the example estate's, seeded with its store), when the ledger is
 * still empty: start-up can call this every time. Answers the rows written.
 */
export async function seedBookingLedger(db: Database, shipments: readonly Shipment[]): Promise<number> {
  const em = db.orm.em.fork();
  if (shipments.length === 0 || (await em.count(CourierBookingEntity)) > 0) return 0;
  const rows = shipments.map((shipment) => rowOf(shipment, shipment.createdAt));
  await em.transactional(async (tx) => {
    for (let start = 0; start < rows.length; start += CHUNK) await tx.insertMany(CourierBookingEntity, rows.slice(start, start + CHUNK));
  });
  return rows.length;
}

function rowOf(shipment: Shipment, readAt: Date): EntityData<CourierBookingEntity> & { shipmentId: string; carrier: string; orderId: string; requestedAt: Date } {
  return {
    shipmentId: shipment.id,
    carrier: shipment.carrier,
    orderId: shipment.orderId,
    status: shipment.status,
    trackingNumber: shipment.trackingNumber,
    labelId: shipment.label?.id ?? null,
    labelUrl: shipment.label?.url ?? null,
    tracking: shipment.tracking ?? null,
    createdAt: shipment.createdAt,
    requestedAt: readAt,
    readAt,
  };
}

function bookingOf(row: CourierBookingEntity): Booking {
  const known = row.status !== null && (SHIPMENT_STATUSES as readonly string[]).includes(row.status) && row.createdAt !== null;
  const shipment: Shipment | null = known
    ? {
        id: row.shipmentId,
        orderId: row.orderId,
        carrier: row.carrier,
        trackingNumber: row.trackingNumber ?? '',
        status: row.status as ShipmentStatus,
        createdAt: new Date(row.createdAt!),
        ...(row.labelId !== null && row.labelUrl !== null ? { label: { id: row.labelId, url: row.labelUrl } } : {}),
        ...(row.tracking ? { tracking: row.tracking } : {}),
      }
    : null;
  return {
    carrier: row.carrier,
    orderId: row.orderId,
    shipmentId: row.shipmentId,
    shipment,
    requestedAt: new Date(row.requestedAt),
    readAt: known && row.readAt ? new Date(row.readAt) : null,
  };
}
