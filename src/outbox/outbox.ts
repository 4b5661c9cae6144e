import { LockMode, raw } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Alerts } from '../alerts';
import { OutboxJobEntity, type Database, type OutboxJobState } from '../db';

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

/** Failures of one job after which ops are alerted (once per job), before it is dead-lettered. */
export const ALERT_AFTER_FAILURES = 3;

/** The wait after the `attempts`-th failure: base × factor^(attempts-1), capped, then spread by ± jitter. */
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
  /** Attempts so far, this one included. */
  readonly attempts: number;
  readonly maxAttempts: number;
  /** The worker holding the claim. */
  readonly lockedBy: string;
}

/** A job as the CLI and the admin API list it. */
export interface OutboxJobView {
  readonly id: string;
  readonly system: string;
  readonly operation: string;
  readonly entity: string;
  readonly entityId: string;
  readonly idempotencyKey: string;
  readonly state: OutboxJobState;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: Date;
  readonly auditId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface OutboxJobFilter {
  readonly state?: OutboxJobState;
  /** At most this many. @default 100 */
  readonly limit?: number;
  /** The most recently changed first (e.g. the latest dead letters), instead of the oldest created first. @default false */
  readonly newestFirst?: boolean;
}

/** What a replay did: queued the job again, or why not (no such job; a job that is not failed or dead). */
export type ReplayResult =
  | { readonly replayed: true; readonly job: OutboxJobView }
  | { readonly replayed: false; readonly code: 'NOT_FOUND' }
  | { readonly replayed: false; readonly code: 'NOT_REPLAYABLE'; readonly state: OutboxJobState };

/** Job ids are UUIDs; anything else names no job (and PostgreSQL would refuse to compare it). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const OUTBOX_JOB_STATES: readonly OutboxJobState[] = ['pending', 'running', 'done', 'failed', 'dead'];

export interface Outbox {
  /**
   * Claims up to `limit` due jobs for a worker: pending or failed ones whose time has come, and running ones whose
   * worker's lease ran out (it crashed). On PostgreSQL concurrent workers skip each other's rows (FOR UPDATE SKIP
   * LOCKED); SQLite has one writer at a time.
   */
  claim(workerId: string, limit: number, leaseMs: number): Promise<ClaimedJob[]>;
  complete(jobId: string): Promise<void>;
  /**
   * A long job did part of its work: it is queued again, due now, with `payload` (its progress) and its attempts reset,
   * so that a crash resumes from there and other jobs are not held up behind it. `stale` when the claim had run out.
   */
  progress(job: ClaimedJob, payload: unknown): Promise<'pending' | 'stale'>;
  /**
   * Records a failure: retried after the backoff (and not before `retryAfterMs` when the system, or its open
   * breaker, said when to come back), or dead-lettered after the last attempt. Ops are alerted at the job's third
   * failure and when it is dead-lettered. Answers the new state; `stale` when the claim had run out and another
   * worker holds the job now (nothing is changed).
   */
  fail(job: ClaimedJob, reason: string, retryAfterMs?: number): Promise<'failed' | 'dead' | 'stale'>;
  /** Puts a dead-lettered (or failed) job back in the queue, due now, with its attempts reset. */
  replay(jobId: string): Promise<ReplayResult>;
  list(filter?: OutboxJobFilter): Promise<OutboxJobView[]>;
  get(jobId: string): Promise<OutboxJobView | null>;
  /** Jobs by state, for health and tests. */
  counts(): Promise<Record<string, number>>;
}

export interface OutboxOptions {
  /** Waits between attempts (PLUGBOARD_OUTBOX_BACKOFF_*). @default DEFAULT_BACKOFF */
  readonly backoff?: BackoffPolicy;
  /**
   * Attempts before a job is dead-lettered (PLUGBOARD_OUTBOX_MAX_ATTEMPTS); applies to jobs already queued too.
   * @default each job's own max_attempts, set when it was queued
   */
  readonly maxAttempts?: number;
  /** Where ops are told about failing and dead jobs; without it, nobody is. */
  readonly alerts?: Alerts;
  readonly now?: () => Date;
  /** The jitter's randomness (tests pin it). @default Math.random */
  readonly random?: () => number;
}

/** The transactional outbox: jobs queued with the writes that need them, delivered by workers at least once. */
export function createOutbox(db: Database, options: OutboxOptions = {}): Outbox {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const skipLocked = db.dialect === 'postgresql';

  const alertFor = async (job: ClaimedJob, state: 'failed' | 'dead', reason: string): Promise<void> => {
    const { alerts } = options;
    if (!alerts) return;
    const base = { jobId: job.id, system: job.system, operation: job.operation, attempts: job.attempts, lastError: reason };
    if (state === 'dead') {
      await alerts.raise({ kind: 'job-dead', ...base });
      return;
    }
    // Once per job: the third failure, or the first one seen past it (a worker that crashed at the third).
    if (job.attempts < ALERT_AFTER_FAILURES) return;
    if ((await alerts.list({ kind: 'job-failing', subject: job.id, limit: 1 })).length > 0) return;
    await alerts.raise({ kind: 'job-failing', ...base });
  };

  const table = db.schema ? `"${db.schema}".outbox_jobs` : 'outbox_jobs';
  const platform = db.orm.em.getPlatform();
  /**
   * Whether any job is due, in one plain statement outside a transaction (on the index of state and next attempt):
   * an idle worker's look costs this, not a transaction around a query builder. A job that becomes due between this
   * and the claim is found at the next look.
   */
  const anyDue = async (at: Date): Promise<boolean> => {
    const when = platform.processDateProperty(at);
    const rows = await db.orm.em
      .getConnection()
      .execute<unknown[]>(
        `select 1 as due from ${table} where (state in ('pending', 'failed') and next_attempt_at <= ?) or (state = 'running' and locked_until < ?) limit 1`,
        [when, when],
      );
    return rows.length > 0;
  };

  return {
    async claim(workerId, limit, leaseMs) {
      if (!(await anyDue(now()))) return [];
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
          .orderBy({ nextAttemptAt: 'asc', id: 'asc' })
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
          maxAttempts: options.maxAttempts ?? row.maxAttempts,
          lockedBy: workerId,
        }));
      });
    },
    async complete(jobId) {
      await db.orm.em.fork().nativeUpdate(OutboxJobEntity, { id: jobId }, { state: 'done', lockedBy: null, lockedUntil: null, lastError: null, updatedAt: now() });
    },
    async progress(job, payload) {
      const at = now();
      const changed = await db.orm.em.fork().nativeUpdate(
        OutboxJobEntity,
        { id: job.id, state: 'running', lockedBy: job.lockedBy },
        { state: 'pending', payload: payload as object, attempts: 0, lastError: null, nextAttemptAt: at, lockedBy: null, lockedUntil: null, updatedAt: at },
      );
      return changed === 0 ? 'stale' : 'pending';
    },
    async fail(job, reason, retryAfterMs = 0) {
      const at = now();
      const state = job.attempts >= (options.maxAttempts ?? job.maxAttempts) ? 'dead' : 'failed';
      const lastError = reason.slice(0, 2_000);
      const changed = await db.orm.em.fork().nativeUpdate(
        OutboxJobEntity,
        { id: job.id, state: 'running', lockedBy: job.lockedBy },
        {
          state,
          lastError,
          nextAttemptAt: new Date(at.getTime() + (state === 'dead' ? 0 : Math.max(backoffMs(backoff, job.attempts, random), retryAfterMs))),
          lockedBy: null,
          lockedUntil: null,
          updatedAt: at,
        },
      );
      if (changed === 0) return 'stale';
      await alertFor(job, state, lastError);
      return state;
    },
    async replay(jobId) {
      if (!UUID.test(jobId)) return { replayed: false, code: 'NOT_FOUND' };
      const em = db.orm.em.fork();
      const at = now();
      const changed = await em.nativeUpdate(
        OutboxJobEntity,
        { id: jobId, state: { $in: ['dead', 'failed'] } },
        { state: 'pending', attempts: 0, nextAttemptAt: at, lockedBy: null, lockedUntil: null, updatedAt: at },
      );
      const row = await em.findOne(OutboxJobEntity, { id: jobId });
      if (!row) return { replayed: false, code: 'NOT_FOUND' };
      if (changed === 0) return { replayed: false, code: 'NOT_REPLAYABLE', state: row.state };
      return { replayed: true, job: toView(row) };
    },
    async list(filter = {}) {
      const rows = await db.orm.em
        .fork()
        .find(OutboxJobEntity, filter.state ? { state: filter.state } : {}, {
          orderBy: filter.newestFirst ? { updatedAt: 'desc', id: 'asc' } : { createdAt: 'asc', id: 'asc' },
          limit: filter.limit ?? 100,
        });
      return rows.map(toView);
    },
    async get(jobId) {
      if (!UUID.test(jobId)) return null;
      const row = await db.orm.em.fork().findOne(OutboxJobEntity, { id: jobId });
      return row && toView(row);
    },
    async counts() {
      const rows = await db.orm.em
        .fork()
        .createQueryBuilder(OutboxJobEntity)
        .select(['state', raw('count(*) as n')])
        .groupBy('state')
        .execute<{ state: string; n: number | string }[]>();
      return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
    },
  };
}

function toView(row: OutboxJobEntity): OutboxJobView {
  return {
    id: row.id,
    system: row.system,
    operation: row.operation,
    entity: row.entity,
    entityId: row.entityId,
    idempotencyKey: row.idempotencyKey,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    lastError: row.lastError,
    nextAttemptAt: row.nextAttemptAt,
    auditId: row.auditId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
