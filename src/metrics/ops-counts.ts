import type { Database } from '../db';

/** Outbox jobs waiting or stuck for one system, by state. */
export interface QueueDepth {
  readonly system: string;
  readonly state: 'pending' | 'running' | 'failed' | 'dead';
  readonly jobs: number;
}

/** Alerts nobody has acknowledged yet, per system and kind. */
export interface OpenAlerts {
  readonly system: string;
  readonly kind: string;
  readonly alerts: number;
}

/** The states that make up a queue: delivered jobs (`done`) are history, not depth. */
const QUEUED_STATES = ['pending', 'running', 'failed', 'dead'] as const;

/**
 * Outbox jobs per system and state (done jobs left out: they only grow). The state filter walks the
 * (state, next_attempt_at) index, so the count costs what is queued, not the table's history.
 */
export async function queueDepth(db: Database): Promise<QueueDepth[]> {
  const rows = await db.orm.em
    .getConnection()
    .execute<{ system: string; state: QueueDepth['state']; jobs: number | string }[]>(
      `select system, state, count(*) as jobs from outbox_jobs where state in (${QUEUED_STATES.map(() => '?').join(', ')}) group by system, state`,
      [...QUEUED_STATES],
    );
  return rows.map((row) => ({ system: row.system, state: row.state, jobs: Number(row.jobs) }));
}

/** Unacknowledged alerts per system and kind. */
export async function openAlerts(db: Database): Promise<OpenAlerts[]> {
  const rows = await db.orm.em
    .getConnection()
    .execute<{ system: string; kind: string; alerts: number | string }[]>(
      'select system, kind, count(*) as alerts from alerts where acknowledged_at is null group by system, kind',
    );
  return rows.map((row) => ({ system: row.system, kind: row.kind, alerts: Number(row.alerts) }));
}
