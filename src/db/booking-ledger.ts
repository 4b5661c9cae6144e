import type { EntityData } from '@mikro-orm/core';
import { SHIPMENT_STATUSES, type Shipment, type ShipmentStatus, type ShipmentTracking } from '../domain';
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
  const table = db.schema ? `"${db.schema}".courier_bookings` : 'courier_bookings';
  return {
    // Read on every uncached page by each courier that keeps the ledger: one plain query, its rows mapped here, not
    // hydrated as entities (about a fifth of the ORM's find in CPU: 0.6 ms against 3 for a page's 50 rows).
    async bookingsOf(carrier, orderIds) {
      const found = new Map<string, Booking[]>();
      const wanted = [...new Set(orderIds)];
      for (let start = 0; start < wanted.length; start += READ_CHUNK) {
        const chunk = wanted.slice(start, start + READ_CHUNK);
        const rows = await db.read<LedgerRow>(`select ${COLUMNS} from ${table} where carrier = ? and order_id in (${chunk.map(() => '?').join(', ')}) order by shipment_id`, [carrier, ...chunk]);
        for (const row of rows) {
          const booking = bookingOf(row);
          found.set(row.order_id, [...(found.get(row.order_id) ?? []), booking]);
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

/** A row of `courier_bookings` as the database driver answers it, by column. */
interface LedgerRow {
  readonly shipment_id: string;
  readonly carrier: string;
  readonly order_id: string;
  readonly status: string | null;
  readonly tracking_number: string | null;
  readonly label_id: string | null;
  readonly label_url: string | null;
  /** JSON: text in SQLite, parsed already from PostgreSQL's jsonb. */
  readonly tracking: string | ShipmentTracking | null;
  /** SQLite keeps datetimes as epoch milliseconds, PostgreSQL's driver answers a Date. */
  readonly created_at: Moment | null;
  readonly requested_at: Moment;
  readonly read_at: Moment | null;
}
type Moment = Date | number | string;
const COLUMNS = 'shipment_id, carrier, order_id, status, tracking_number, label_id, label_url, tracking, created_at, requested_at, read_at';

function dateOf(value: Moment): Date {
  if (value instanceof Date) return value;
  return typeof value === 'string' && !/^\d+$/.test(value) ? new Date(value) : new Date(Number(value));
}

function bookingOf(row: LedgerRow): Booking {
  const known = row.status !== null && (SHIPMENT_STATUSES as readonly string[]).includes(row.status) && row.created_at !== null;
  const tracking = typeof row.tracking === 'string' ? (JSON.parse(row.tracking) as ShipmentTracking | null) : row.tracking;
  const shipment: Shipment | null = known
    ? {
        id: row.shipment_id,
        orderId: row.order_id,
        carrier: row.carrier,
        trackingNumber: row.tracking_number ?? '',
        status: row.status as ShipmentStatus,
        createdAt: dateOf(row.created_at!),
        ...(row.label_id !== null && row.label_url !== null ? { label: { id: row.label_id, url: row.label_url } } : {}),
        ...(tracking ? { tracking } : {}),
      }
    : null;
  return {
    carrier: row.carrier,
    orderId: row.order_id,
    shipmentId: row.shipment_id,
    shipment,
    requestedAt: dateOf(row.requested_at),
    readAt: known && row.read_at !== null ? dateOf(row.read_at) : null,
  };
}
