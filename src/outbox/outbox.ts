import { LockMode } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { OutboxJobEntity, type Database } from '../db';

/** Exponential backoff with jitter for jobs that failed. */
export interface BackoffPolicy {
  /** First wait. @default 500 */
  readonly baseMs: number;
  /** Growth per attempt. @default 2 */
  readonly factor: number;
  /** Longest wait. @default 60000 */
  readonly capMs: number;
  /** Share of the wait that is random, 0..1. @default 0.2 */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, factor: 2, capMs: 60_000, jitter: 0.2 };

export function backoffMs(policy: BackoffPolicy, attempts: number, random: () => number = Math.random): number {
  const plain = Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, attempts - 1));
  return Math.round(plain * (1 - policy.jitter + policy.jitter * 2 * random()));
}

export interface ClaimedJob {
  readonly id: string;
  readonly system: string;
  readonly operation: string;
  readonly payload: unknown;
  readonly idempotencyKey: string;
  readonly attempts: number;
  readonly maxAttempts: number;
}

export interface Outbox {
  /**
   * Claims up to `limit` due jobs for a worker: pending or failed ones whose time has come, and running ones whose
   * worker's lease ran out (it crashed). On PostgreSQL concurrent workers skip each other's rows (FOR UPDATE SKIP
   * LOCKED); SQLite has one writer at a time.
   */
  claim(workerId: string, limit: number, leaseMs: number): Promise<ClaimedJob[]>;
  complete(jobId: string): Promise<void>;
  /** Records a failure: retried after the backoff, or dead-lettered after the last attempt. Answers the new state. */
  fail(job: ClaimedJob, reason: string): Promise<'failed' | 'dead'>;
  /** Puts a dead-lettered (or failed) job back in the queue, with its attempts reset. */
  replay(jobId: string): Promise<boolean>;
  /** Jobs by state, for health and tests. */
  counts(): Promise<Record<string, number>>;
}

export function createOutbox(db: Database, options: { backoff?: BackoffPolicy; now?: () => Date } = {}): Outbox {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const now = options.now ?? (() => new Date());
  const skipLocked = db.dialect === 'postgresql';

  return {
    async claim(workerId, limit, leaseMs) {
      return db.orm.em.fork().transactional(async (em) => {
        const at = now();
        const query = (em as SqlEntityManager)
          .createQueryBuilder(OutboxJobEntity, 'job')
          .select('*')
          .where({
            $or: [
              { state: { $in: ['pending', 'failed'] }, nextAttemptAt: { $lte: at } },
              { state: 'running', lockedUntil: { $lt: at } },
            ],
          })
          .orderBy({ nextAttemptAt: 'asc' })
          .limit(limit);
        if (skipLocked) query.setLockMode(LockMode.PESSIMISTIC_PARTIAL_WRITE);
        const rows = await query.getResultList();
        if (rows.length === 0) return [];
        const lockedUntil = new Date(at.getTime() + leaseMs);
        for (const row of rows) {
          row.state = 'running';
          row.lockedBy = workerId;
          row.lockedUntil = lockedUntil;
          row.attempts += 1;
          row.updatedAt = at;
        }
        await em.flush();
        return rows.map((row) => ({
          id: row.id,
          system: row.system,
          operation: row.operation,
          payload: row.payload,
          idempotencyKey: row.idempotencyKey,
          attempts: row.attempts,
          maxAttempts: row.maxAttempts,
        }));
      });
    },
    async complete(jobId) {
      await db.orm.em.fork().nativeUpdate(OutboxJobEntity, { id: jobId }, { state: 'done', lockedBy: null, lockedUntil: null, lastError: null, updatedAt: now() });
    },
    async fail(job, reason) {
      const at = now();
      const dead = job.attempts >= job.maxAttempts;
      await db.orm.em.fork().nativeUpdate(
        OutboxJobEntity,
        { id: job.id },
        {
          state: dead ? 'dead' : 'failed',
          lastError: reason.slice(0, 2_000),
          nextAttemptAt: new Date(at.getTime() + (dead ? 0 : backoffMs(backoff, job.attempts))),
          lockedBy: null,
          lockedUntil: null,
          updatedAt: at,
        },
      );
      return dead ? 'dead' : 'failed';
    },
    async replay(jobId) {
      const changed = await db.orm.em.fork().nativeUpdate(
        OutboxJobEntity,
        { id: jobId, state: { $in: ['dead', 'failed'] } },
        { state: 'pending', attempts: 0, nextAttemptAt: now(), updatedAt: now() },
      );
      return changed > 0;
    },
    async counts() {
      const rows = await db.orm.em
        .fork()
        .createQueryBuilder(OutboxJobEntity)
        .select(['state', 'count(*) as n'])
        .groupBy('state')
        .execute<{ state: string; n: number | string }[]>();
      return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
    },
  };
}
