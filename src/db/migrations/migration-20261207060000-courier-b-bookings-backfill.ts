import { PortableMigration, type DialectStatements } from '../portable-migration';

/**
 * Courier B keeps the booking ledger too from this version on (src/systems/courier-b/index.ts): its
 * bookings made before are in no row, so an upgraded deployment would read none of them. As for courier A
 * (migration-20261207033000-courier-bookings-backfill), on a database that already holds orders one outbox job asks
 * courier B, order by order, for the shipment booked under the order's external_shipment_id and records what it
 * finds (src/systems/kit/courier-backfill.ts, `backfillBookings`). A fresh install migrates an empty database and gets
 * no job. Written by hand (data, not schema): one fixed job id and idempotency key, so it is queued once.
 */
export class Migration20261207060000 extends PortableMigration {
  protected readonly statements: DialectStatements = {
    sqlite: {
      up: [
        "insert into `outbox_jobs` (`id`, `kind`, `system`, `operation`, `entity`, `entity_id`, `payload`, `idempotency_key`, `state`, `attempts`, `max_attempts`, `next_attempt_at`, `created_at`, `updated_at`) select '6f0c2a1e-4b7d-4e59-9a3c-20261207b001', 'backfill', 'courier-b', 'backfillBookings', 'Order', 'all', '{}', 'courier-b:backfillBookings', 'pending', 0, 8, cast(strftime('%s', 'now') as integer) * 1000, cast(strftime('%s', 'now') as integer) * 1000, cast(strftime('%s', 'now') as integer) * 1000 where exists (select 1 from `orders`) and not exists (select 1 from `outbox_jobs` where `idempotency_key` = 'courier-b:backfillBookings');",
      ],
      down: [
        "delete from `outbox_jobs` where `idempotency_key` = 'courier-b:backfillBookings';",
      ],
    },
    postgresql: {
      up: [
        "insert into \"outbox_jobs\" (\"id\", \"kind\", \"system\", \"operation\", \"entity\", \"entity_id\", \"payload\", \"idempotency_key\", \"state\", \"attempts\", \"max_attempts\", \"next_attempt_at\", \"created_at\", \"updated_at\") select '6f0c2a1e-4b7d-4e59-9a3c-20261207b001'::uuid, 'backfill', 'courier-b', 'backfillBookings', 'Order', 'all', '{}'::jsonb, 'courier-b:backfillBookings', 'pending', 0, 8, now(), now(), now() where exists (select 1 from \"orders\") and not exists (select 1 from \"outbox_jobs\" where \"idempotency_key\" = 'courier-b:backfillBookings');",
      ],
      down: [
        "delete from \"outbox_jobs\" where \"idempotency_key\" = 'courier-b:backfillBookings';",
      ],
    },
  };
}
