import { PortableMigration, type DialectStatements } from '../portable-migration';

/**
 * Bookings made before the booking ledger existed (migration-20261207022415-courier-bookings) are in no row, so an
 * upgraded deployment would read none of them: on a database that already holds orders, one outbox job per courier
 * that keeps a ledger asks the courier, order by order, for the booking made under our request id and records what it
 * finds (src/systems/kit/courier-followers.ts, `backfillBookings`). A fresh install migrates an empty database and
 * gets no job. Written by hand (data, not schema): one fixed job id and idempotency key, so it is queued once.
 */
export class Migration20261207033000 extends PortableMigration {
  protected readonly statements: DialectStatements = {
    sqlite: {
      up: [
        "insert into `outbox_jobs` (`id`, `kind`, `system`, `operation`, `entity`, `entity_id`, `payload`, `idempotency_key`, `state`, `attempts`, `max_attempts`, `next_attempt_at`, `created_at`, `updated_at`) select '6f0c2a1e-4b7d-4e59-9a3c-20261207a001', 'backfill', 'courier-a', 'backfillBookings', 'Order', 'all', '{}', 'courier-a:backfillBookings', 'pending', 0, 8, cast(strftime('%s', 'now') as integer) * 1000, cast(strftime('%s', 'now') as integer) * 1000, cast(strftime('%s', 'now') as integer) * 1000 where exists (select 1 from `orders`) and not exists (select 1 from `outbox_jobs` where `idempotency_key` = 'courier-a:backfillBookings');",
      ],
      down: [
        "delete from `outbox_jobs` where `idempotency_key` = 'courier-a:backfillBookings';",
      ],
    },
    postgresql: {
      up: [
        "insert into \"outbox_jobs\" (\"id\", \"kind\", \"system\", \"operation\", \"entity\", \"entity_id\", \"payload\", \"idempotency_key\", \"state\", \"attempts\", \"max_attempts\", \"next_attempt_at\", \"created_at\", \"updated_at\") select '6f0c2a1e-4b7d-4e59-9a3c-20261207a001'::uuid, 'backfill', 'courier-a', 'backfillBookings', 'Order', 'all', '{}'::jsonb, 'courier-a:backfillBookings', 'pending', 0, 8, now(), now(), now() where exists (select 1 from \"orders\") and not exists (select 1 from \"outbox_jobs\" where \"idempotency_key\" = 'courier-a:backfillBookings');",
      ],
      down: [
        "delete from \"outbox_jobs\" where \"idempotency_key\" = 'courier-a:backfillBookings';",
      ],
    },
  };
}
