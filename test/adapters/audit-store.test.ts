import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { createConflictLog, createDriftLog, createIntegrationLog, REDACTED } from '../../src/audit';
import type { Database } from '../../src/db';
import { MutationAuditEntity, OutboxJobEntity } from '../../src/db/entities';
import { IntegrationError } from '../../src/domain';
import { createResilience } from '../../src/resilience';
import { openTestDatabase, testDatabases } from '../support/databases';

const AUDIT_TABLES = ['integration_logs', 'mutation_audit', 'drift', 'conflicts', 'outbox_jobs'];

/** Secrets a failing call might carry in its payload; none may reach the table. */
const PLANTED = {
  password: 'hunter2-planted',
  bearer: 'planted0bearer0token0value0123456789',
  apiKey: 'planted-courier-api-key-77',
  stripe: 'sk_test_51PlantedStripeKey0000000000',
};

async function indexColumns(db: Database, table: string, index: string): Promise<string[]> {
  const connection = db.orm.em.getConnection();
  if (db.dialect === 'sqlite') {
    const rows: Array<{ name: string }> = await connection.execute(`pragma index_info('${index}')`);
    return rows.map((row) => row.name);
  }
  const rows: Array<{ name: string }> = await connection.execute(
    `select a.attname as name from pg_index i
       join pg_class c on c.oid = i.indexrelid
       join pg_class t on t.oid = i.indrelid
       join pg_namespace n on n.oid = t.relnamespace
       join pg_attribute a on a.attrelid = t.oid and a.attnum = any(i.indkey)
     where c.relname = ? and t.relname = ? and n.nspname = current_schema()
     order by array_position(i.indkey, a.attnum)`,
    [index, table],
  );
  return rows.map((row) => row.name);
}

describe.each(testDatabases())('audit store on $label', (database) => {
  describe('migrations', () => {
    it('migrates an empty database to the audit, drift, conflict and outbox tables, once', async () => {
      await using db = await openTestDatabase(database);
      const ran = await db.migrate();
      expect(ran).toEqual([
        expect.stringMatching(/^migration-\d{14}-initial-site-store$/),
        expect.stringMatching(/^migration-\d{14}-audit-drift-conflicts-outbox$/),
        expect.stringMatching(/^migration-\d{14}-alerts$/),
        expect.stringMatching(/^migration-\d{14}-payments-webhook-events$/),
        expect.stringMatching(/^migration-\d{14}-shadow-state-reconciliation-days$/),
        expect.stringMatching(/^migration-\d{14}-idempotency-claims$/),
        expect.stringMatching(/^migration-\d{14}-interrupted-writes$/),
        expect.stringMatching(/^migration-\d{14}-idempotency-fingerprints$/),
        expect.stringMatching(/^migration-\d{14}-customer-shipping-address$/),
        expect.stringMatching(/^migration-\d{14}-customer-payment-customer-id$/),
        expect.stringMatching(/^migration-\d{14}-contract-drift$/),
        expect.stringMatching(/^migration-\d{14}-courier-bookings$/),
        expect.stringMatching(/^migration-\d{14}-webhook-event-order$/),
        expect.stringMatching(/^migration-\d{14}-courier-bookings-backfill$/),
        expect.stringMatching(/^migration-\d{14}-courier-b-bookings-backfill$/),
      ]);
      expect(await db.migrate()).toEqual([]);
      for (const table of AUDIT_TABLES) {
        const [row] = await db.orm.em.getConnection().execute(`select count(*) as n from ${table}`);
        expect(Number(row.n)).toBe(0);
      }
    });
  });

  describe('with the tables in place', () => {
    let db: Database;

    beforeAll(async () => {
      db = await openTestDatabase(database);
      await db.migrate();
    });

    afterAll(async () => {
      await db?.close();
    });

    it('indexes the integration log on (adapter, direction, timestamp)', async () => {
      expect(await indexColumns(db, 'integration_logs', 'integration_logs_adapter_direction_timestamp_index')).toEqual([
        'adapter',
        'direction',
        'timestamp',
      ]);
      expect(await indexColumns(db, 'outbox_jobs', 'outbox_jobs_state_next_attempt_at_index')).toEqual([
        'state',
        'next_attempt_at',
      ]);
    });

    it('logs every call through the resilience layer, with the failure reason and a redacted payload', async () => {
      const log = createIntegrationLog(db, { requestId: () => 'req-42', flushIntervalMs: 60_000 });
      const resilience = createResilience({ onCall: log.onCall });
      const rejection = Object.assign(
        new IntegrationError('UPSTREAM_REJECTED', 'crm updateContact: the e-mail address is not valid', {
          system: 'crm',
          operation: 'updateContact',
          reason: 'the e-mail address is not valid',
        }),
        {
          payload: {
            request: { email: 'not-an-address', password: PLANTED.password },
            headers: { Authorization: `Bearer ${PLANTED.bearer}`, 'API-Key': PLANTED.apiKey },
            body: `{"error":"invalid email","echo":{"secret_key":"${PLANTED.stripe}"}}`,
          },
        },
      );
      const port = {
        async findByIds(ids: readonly string[]) {
          return new Map(ids.map((id) => [id, { id }]));
        },
        async updateContact(_input: { id: string }): Promise<void> {
          throw rejection;
        },
      };
      const crm = resilience.wrap('crm-log-test', port, { findByIds: { kind: 'batch-read' }, updateContact: { kind: 'write' } });

      await crm.findByIds(['cus-1', 'cus-2']);
      await expect(crm.updateContact({ id: 'cus-1' })).rejects.toBe(rejection);
      expect(await log.recent({ adapter: 'crm-log-test' })).toEqual([]);

      await log.flush();
      const rows = await log.recent({ adapter: 'crm-log-test' });
      expect(rows).toHaveLength(2);
      const [failed, ok] = rows;
      expect(ok).toMatchObject({
        adapter: 'crm-log-test',
        direction: 'outbound',
        operation: 'findByIds',
        outcome: 'ok',
        errorCode: null,
        reason: null,
        payload: null,
        requestId: 'req-42',
      });
      expect(ok!.timestamp).toBeInstanceOf(Date);
      expect(ok!.durationMs).toBeGreaterThanOrEqual(0);
      expect(failed).toMatchObject({
        operation: 'updateContact',
        outcome: 'error',
        errorCode: 'UPSTREAM_REJECTED',
        payload: {
          request: { email: 'not-an-address', password: REDACTED },
          headers: { Authorization: REDACTED, 'API-Key': REDACTED },
        },
      });
      expect(failed!.reason).toContain('the e-mail address is not valid');

      const [stored] = await db.orm.em
        .getConnection()
        .execute(`select payload from integration_logs where adapter = ? and outcome = 'error'`, ['crm-log-test']);
      const text = typeof stored.payload === 'string' ? stored.payload : JSON.stringify(stored.payload);
      expect(text).toContain('invalid email');
      for (const secret of Object.values(PLANTED)) expect(text).not.toContain(secret);

      await log.close();
      await resilience.close();
    });

    it('writes a full batch without being asked, and keeps the order of the calls', async () => {
      const log = createIntegrationLog(db, { batchSize: 3, flushIntervalMs: 60_000 });
      const started = new Date('2026-01-01T10:00:00Z');
      for (let index = 0; index < 3; index += 1) {
        log.record({
          adapter: 'erp-batch-test',
          direction: 'inbound',
          operation: `webhook-${index}`,
          timestamp: new Date(started.getTime() + index * 1_000),
          durationMs: 1.6,
          outcome: 'ok',
          payload: { ignored: 'payloads are kept on failures only' },
        });
      }
      await log.flush();
      const rows = await log.recent({ adapter: 'erp-batch-test', direction: 'inbound' });
      expect(rows.map((row) => [row.operation, row.durationMs, row.payload])).toEqual([
        ['webhook-2', 2, null],
        ['webhook-1', 2, null],
        ['webhook-0', 2, null],
      ]);
      await log.close();
    });

    it('keeps the raw body of a failed inbound call as redacted text', async () => {
      const log = createIntegrationLog(db);
      log.record({
        adapter: 'courier-a-log-test',
        direction: 'inbound',
        operation: 'statusWebhook',
        timestamp: new Date(),
        durationMs: 3,
        outcome: 'error',
        errorCode: 'UPSTREAM_BAD_RESPONSE',
        reason: 'StatusCode is missing',
        payload: `<StatusUpdate><Consignment>CN-1</Consignment><ApiKey>${PLANTED.apiKey}</ApiKey></StatusUpdate>`,
      });
      await log.close();
      const [row] = await log.recent({ adapter: 'courier-a-log-test' });
      expect(row).toMatchObject({
        direction: 'inbound',
        errorCode: 'UPSTREAM_BAD_RESPONSE',
        reason: 'StatusCode is missing',
        payload: `<StatusUpdate><Consignment>CN-1</Consignment><ApiKey>${REDACTED}</ApiKey></StatusUpdate>`,
      });
    });

    it('costs log rows, never a call, when the database is gone', async () => {
      const gone = await openTestDatabase(database);
      await gone.migrate();
      const errors: string[] = [];
      const log = createIntegrationLog(gone, { onError: (error) => errors.push(error.message) });
      await gone.close();
      log.onCall({ system: 'payments', operation: 'capture', startedAt: new Date(), durationMs: 12, outcome: 'ok' });
      await log.close();
      expect(log.dropped()).toBe(1);
      expect(errors).toEqual([expect.stringMatching(/^1 rows not written: /)]);
    });

    it('records the same drift once, counting sightings, and a different follower value as a second row', async () => {
      const drift = createDriftLog(db);
      const entityId = `cus-${randomUUID()}`;
      const base = {
        entity: 'Customer',
        entityId,
        field: 'email',
        ownerSystem: 'store',
        ownerValue: 'ada@example.com',
        followerSystem: 'crm',
      };
      const first = new Date('2026-02-01T08:00:00Z');
      const second = new Date('2026-02-01T09:30:00Z');
      await drift.observe({ ...base, followerValue: 'ada@old.example.com', seenAt: first });
      await drift.observe({ ...base, followerValue: 'ada@old.example.com', seenAt: second });

      let rows = await drift.list({ entityId });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        followerValue: 'ada@old.example.com',
        ownerValue: 'ada@example.com',
        timesSeen: 2,
        resolvedAt: null,
      });
      expect(rows[0]!.firstSeenAt.toISOString()).toBe(first.toISOString());
      expect(rows[0]!.lastSeenAt.toISOString()).toBe(second.toISOString());

      await drift.observe({ ...base, followerValue: 'ada@typo.example.com', seenAt: second });
      await drift.observe({ ...base, followerValue: 'ada@example.com', seenAt: second });
      rows = await drift.list({ entityId });
      expect(rows.map((row) => [row.followerValue, row.timesSeen]).sort()).toEqual([
        ['ada@old.example.com', 2],
        ['ada@typo.example.com', 1],
      ]);
    });

    it('resolves drift, and reopens it when the same difference is seen again', async () => {
      const drift = createDriftLog(db);
      const entityId = `sku-${randomUUID()}`;
      const sighting = {
        entity: 'InventoryItem',
        entityId,
        field: 'onHand',
        ownerSystem: 'erp',
        ownerValue: 12,
        followerSystem: 'store',
        followerValue: 9,
      };
      await drift.observe({ ...sighting, seenAt: new Date('2026-03-01T00:00:00Z') });
      expect(await drift.resolve(sighting, new Date('2026-03-01T01:00:00Z'))).toBe(1);
      expect(await drift.list({ entityId, open: true })).toEqual([]);

      await drift.observe({ ...sighting, seenAt: new Date('2026-03-02T00:00:00Z') });
      const [row] = await drift.list({ entityId, open: true });
      expect(row).toMatchObject({ ownerValue: '12', followerValue: '9', timesSeen: 2, resolvedAt: null });
    });

    it('records a conflict once, however often it is met', async () => {
      const conflicts = createConflictLog(db);
      const entityId = `ord-${randomUUID()}`;
      const decision = {
        entity: 'Order',
        entityId,
        field: 'status',
        winnerSystem: 'erp',
        winnerValue: 'SHIPPED',
        winnerTimestamp: new Date('2026-04-01T10:05:00Z'),
        loserSystem: 'store',
        loserValue: 'CANCELLED',
        loserTimestamp: new Date('2026-04-01T10:01:00Z'),
        rule: 'latest-timestamp-wins' as const,
      };
      expect(await conflicts.record(decision)).toBe(true);
      expect(await conflicts.record({ ...decision, decidedAt: new Date() })).toBe(false);
      const rows = await conflicts.list({ entityId });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ winnerSystem: 'erp', winnerValue: 'SHIPPED', loserValue: 'CANCELLED' });
      expect(rows[0]!.loserTimestamp.toISOString()).toBe('2026-04-01T10:01:00.000Z');
    });

    it('refuses a second outbox job with the same idempotency key', async () => {
      const em = db.orm.em.fork();
      const now = new Date();
      const key = `follower-sync:crm:${randomUUID()}`;
      const job = (id: string) => ({
        id,
        kind: 'follower-sync',
        system: 'crm',
        operation: 'updateContact',
        entity: 'Customer',
        entityId: 'cus-00001',
        payload: { email: 'ada@example.com' },
        idempotencyKey: key,
        state: 'pending' as const,
        maxAttempts: 5,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      });
      await em.insert(OutboxJobEntity, job(randomUUID()));
      await expect(em.insert(OutboxJobEntity, job(randomUUID()))).rejects.toBeInstanceOf(UniqueConstraintViolationException);
      const jobs = await em.find(OutboxJobEntity, { idempotencyKey: key });
      expect(jobs.map((found) => [found.state, found.attempts, found.payload])).toEqual([
        ['pending', 0, { email: 'ada@example.com' }],
      ]);
    });

    it('keeps one mutation audit row per operation and idempotency key, so a retry finds the first receipt', async () => {
      const em = db.orm.em.fork();
      const key = `retry-${randomUUID()}`;
      const row = (operation: string, idempotencyKey: string | null) => ({
        id: randomUUID(),
        actor: 'alice',
        operation,
        entity: 'Customer',
        entityId: 'cus-00001',
        input: { name: 'Ada' },
        owner: 'store',
        result: 'APPLIED' as const,
        receipt: { status: 'APPLIED' },
        idempotencyKey,
        createdAt: new Date(),
      });
      await em.insert(MutationAuditEntity, row('updateCustomer', key));
      await expect(em.insert(MutationAuditEntity, row('updateCustomer', key))).rejects.toBeInstanceOf(
        UniqueConstraintViolationException,
      );
      await em.insert(MutationAuditEntity, row('placeOrder', key));
      await em.insert(MutationAuditEntity, row('updateCustomer', null));
      await em.insert(MutationAuditEntity, row('updateCustomer', null));
      const found = await em.findOneOrFail(MutationAuditEntity, { operation: 'updateCustomer', idempotencyKey: key });
      expect(found.receipt).toEqual({ status: 'APPLIED' });
    });
  });
});
