import { randomUUID } from 'node:crypto';
import type { EntityData } from '@mikro-orm/core';
import {
  AlertEntity,
  ConflictEntity,
  DriftEntity,
  IntegrationLogEntity,
  OutboxJobEntity,
  type AlertKind,
  type Database,
} from '../../src/db';

/**
 * A month of operations for the health report, November 2026, deterministic, with a system of each kind of trouble:
 * - crm, flaky: 10 good reads a day (100..190 ms), and twice an outage: on the 5th 6 failures then 4 calls refused by
 *   the open breaker; on the 20th 5 failures, 3 refusals, a failed half-open trial, 2 more refusals (two openings);
 * - erp, slow: 20 reads a day, 2000..3900 ms until the 15th, 6000..7900 ms from the 16th, and 2 timeouts (8000 ms)
 *   on each of the 10th, 11th and 12th;
 * - payments, rate-limited: 30 reads a day at 80 ms, and 6 calls refused for rate on every third day;
 * - courier-a: 4 reads a day at 300 ms and 2 answers that broke its contract on the 7th;
 * - courier-b, healthy: 5 reads a day at 200 ms, and one request it refused (a 4xx) on the 4th.
 * Around them, rows the report must leave out: calls just before and after the month, inbound webhook rows.
 * Drift, conflicts, alerts and dead letters in and around the month (and the quarter, for the review).
 */
export async function seedReportMonth(db: Database): Promise<void> {
  const em = db.orm.em.fork();
  const logs: EntityData<IntegrationLogEntity>[] = [];
  const call = (adapter: string, operation: string, timestamp: Date, durationMs: number, errorCode?: string, direction: 'outbound' | 'inbound' = 'outbound') =>
    logs.push({
      adapter,
      direction,
      operation,
      timestamp,
      durationMs,
      outcome: errorCode ? 'error' : 'ok',
      errorCode: errorCode ?? null,
      reason: errorCode ? `seeded ${errorCode}` : null,
    });

  for (let day = 1; day <= 30; day += 1) {
    for (let i = 0; i < 10; i += 1) call('crm', 'contacts.batchRead', nov(day, 8, i), 100 + 10 * i);
    for (let i = 0; i < 20; i += 1) call('erp', 'product.read', nov(day, 9, i), (day <= 15 ? 2000 : 6000) + 100 * i);
    for (let i = 0; i < 30; i += 1) call('payments', 'paymentIntents.search', nov(day, 10, i), 80);
    if (day % 3 === 0) for (let i = 0; i < 6; i += 1) call('payments', 'paymentIntents.search', nov(day, 11, 0, i), 5, 'UPSTREAM_RATE_LIMITED');
    for (let i = 0; i < 4; i += 1) call('courier-a', 'consignments.track', nov(day, 15, i), 300);
    for (let i = 0; i < 5; i += 1) call('courier-b', 'shipments.list', nov(day, 16, i), 200);
  }
  // crm's outages: each run of CIRCUIT_OPEN is one opening of the breaker.
  for (let i = 0; i < 6; i += 1) call('crm', 'contacts.batchRead', nov(5, 12, 0, i), 50, 'UPSTREAM_UNAVAILABLE');
  for (let i = 0; i < 4; i += 1) call('crm', 'contacts.batchRead', nov(5, 12, 0, 10 + i), 0, 'CIRCUIT_OPEN');
  call('crm', 'contacts.batchRead', nov(5, 12, 1), 120);
  for (let i = 0; i < 5; i += 1) call('crm', 'contacts.batchRead', nov(20, 12, 0, i), 50, 'UPSTREAM_UNAVAILABLE');
  for (let i = 0; i < 3; i += 1) call('crm', 'contacts.batchRead', nov(20, 12, 0, 10 + i), 0, 'CIRCUIT_OPEN');
  call('crm', 'contacts.batchRead', nov(20, 12, 0, 30), 50, 'UPSTREAM_UNAVAILABLE');
  for (let i = 0; i < 2; i += 1) call('crm', 'contacts.batchRead', nov(20, 12, 0, 40 + i), 0, 'CIRCUIT_OPEN');
  call('crm', 'contacts.batchRead', nov(20, 12, 1), 120);
  for (const day of [10, 11, 12]) for (let i = 0; i < 2; i += 1) call('erp', 'product.read', nov(day, 14, 0, i), 8000, 'UPSTREAM_TIMEOUT');
  for (let i = 0; i < 2; i += 1) call('courier-a', 'consignments.track', nov(7, 16, 0, i), 310, 'UPSTREAM_BAD_RESPONSE');
  call('courier-b', 'shipments.list', nov(4, 17, 0), 40, 'UPSTREAM_REJECTED');
  // Outside the month, or not a call we made: never counted.
  call('crm', 'contacts.batchRead', new Date(Date.UTC(2026, 9, 31, 23, 59, 59)), 50, 'UPSTREAM_UNAVAILABLE');
  call('crm', 'contacts.batchRead', new Date(Date.UTC(2026, 11, 1, 0, 0, 0)), 0, 'CIRCUIT_OPEN');
  for (let i = 0; i < 3; i += 1) call('payments', 'webhook.payment_intent.succeeded', nov(2, 13, i), 3, undefined, 'inbound');
  await em.insertMany(IntegrationLogEntity, logs);

  const drift = (entity: string, entityId: string, field: string, followerSystem: string, firstSeenAt: Date, lastSeenAt: Date, resolvedAt: Date | null = null): EntityData<DriftEntity> => ({
    id: randomUUID(), entity, entityId, field, ownerSystem: entity === 'InventoryItem' ? 'erp' : 'store', ownerValue: 'owner', followerSystem,
    followerValue: `follower ${entityId}`, firstSeenAt, lastSeenAt, timesSeen: 2, resolvedAt,
  });
  await em.insertMany(DriftEntity, [
    drift('Customer', 'cus-1', 'email', 'crm', nov(2), nov(10)),
    drift('Customer', 'cus-2', 'email', 'crm', nov(3), nov(4), nov(5)),
    drift('Customer', 'cus-3', 'email', 'erp', nov(15), nov(15)),
    drift('Customer', 'cus-4', 'email', 'crm', oct(20), nov(3)),
    drift('Customer', 'cus-5', 'phone', 'erp', nov(8), nov(9)),
    drift('Customer', 'cus-6', 'phone', 'erp', nov(9), nov(12), dec(2)),
    drift('Customer', 'cus-7', 'name', 'crm', oct(5), oct(6), oct(7)),
    drift('InventoryItem', 'SKU-1', 'onHand', 'store', new Date(Date.UTC(2026, 8, 10)), new Date(Date.UTC(2026, 8, 11))),
  ]);

  const conflict = (entityId: string, winnerSystem: string, loserSystem: string, decidedAt: Date): EntityData<ConflictEntity> => ({
    id: randomUUID(), entity: 'Order', entityId, field: 'status', winnerSystem, winnerValue: 'SHIPPED', winnerTimestamp: decidedAt,
    loserSystem, loserValue: 'CONFIRMED', loserTimestamp: new Date(decidedAt.getTime() - 60_000), rule: 'latest-timestamp-wins', decidedAt,
  });
  await em.insertMany(ConflictEntity, [
    conflict('ord-1', 'erp', 'store', nov(4)),
    conflict('ord-2', 'erp', 'store', nov(11)),
    conflict('ord-3', 'erp', 'store', nov(18)),
    conflict('ord-4', 'store', 'erp', nov(6)),
    conflict('ord-5', 'store', 'erp', nov(25)),
    conflict('ord-6', 'erp', 'store', oct(15)),
    conflict('ord-7', 'erp', 'store', dec(10)),
  ]);

  const alert = (kind: AlertKind, system: string, createdAt: Date): EntityData<AlertEntity> => ({
    id: randomUUID(), kind, system, subject: randomUUID(), message: `seeded ${kind}`, createdAt,
  });
  await em.insertMany(AlertEntity, [
    alert('job-failing', 'crm', nov(19)),
    alert('job-failing', 'crm', nov(20)),
    alert('job-dead', 'crm', nov(21)),
    alert('job-dead', 'erp', nov(28)),
    alert('job-dead', 'crm', oct(30)),
    alert('write-interrupted', 'store', nov(12)),
    alert('webhook-unusable', 'payments', nov(14)),
  ]);

  const job = (id: string, system: string, operation: string, state: 'dead' | 'done', updatedAt: Date): EntityData<OutboxJobEntity> => ({
    id, kind: 'follower-sync', system, operation, entity: 'Customer', entityId: 'cus-1', payload: { id: 'cus-1' },
    idempotencyKey: `seed-${id}`, state, attempts: state === 'dead' ? 8 : 1, maxAttempts: 8, nextAttemptAt: updatedAt,
    lastError: state === 'dead' ? `${system} ${operation}: UPSTREAM_UNAVAILABLE` : null, createdAt: updatedAt, updatedAt,
  });
  await em.insertMany(OutboxJobEntity, [
    job(DEAD_LETTER_IDS.crm, 'crm', 'updateContact', 'dead', nov(21)),
    job(DEAD_LETTER_IDS.erp, 'erp', 'updatePartner', 'dead', nov(28)),
    job(randomUUID(), 'crm', 'updateContact', 'dead', oct(30)),
    job(randomUUID(), 'crm', 'updateContact', 'done', nov(10)),
  ]);
}

/** The dead letters of November, by system. */
export const DEAD_LETTER_IDS = {
  crm: '00000000-0000-4000-8000-00000000c0de',
  erp: '00000000-0000-4000-8000-0000000e0e0e',
} as const;

function nov(day: number, hour = 0, minute = 0, second = 0): Date {
  return new Date(Date.UTC(2026, 10, day, hour, minute, second));
}
function oct(day: number): Date {
  return new Date(Date.UTC(2026, 9, day));
}
function dec(day: number): Date {
  return new Date(Date.UTC(2026, 11, day));
}
