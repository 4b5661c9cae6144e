import type { Database } from '../db';
import { LATENCY_BUCKETS_MS } from '../metrics';

/**
 * The dashboard's reads over integration_logs, outbox_jobs, alerts and drift, written once for SQLite and
 * PostgreSQL. Every read of integration_logs names the systems, the direction and a time bound, so it walks the
 * (adapter, direction, timestamp) index over that window only; group-bys answer at most systems × buckets rows.
 */

/** Calls of one system (or one time bucket of it), with their latency counted per LATENCY_BUCKETS_MS bucket. */
export interface CallTally {
  readonly calls: number;
  readonly errors: number;
  /** Calls per latency bucket; the last entry counts calls above the last bound. */
  readonly latencyCounts: readonly number[];
}

export interface BucketTally extends CallTally {
  /** Start of the bucket (ms since the epoch). */
  readonly startMs: number;
}

export interface RecentCall {
  readonly at: string;
  readonly operation: string;
  readonly outcome: string;
  readonly code: string | null;
}

export interface BadPayload {
  readonly at: string;
  readonly operation: string;
  /** What was wrong with it, in words (the adapter's zod schema said so). */
  readonly reason: string;
  /** The start of the redacted payload, as stored. */
  readonly excerpt: string | null;
}

export interface DeadLetter {
  readonly id: string;
  readonly system: string;
  readonly operation: string;
  readonly entity: string;
  readonly entityId: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly deadSince: string;
}

export interface AlertLine {
  readonly id: string;
  readonly system: string;
  readonly kind: string;
  readonly message: string;
  readonly createdAt: string;
}

export interface DriftCount {
  readonly system: string;
  /** Differences still standing. */
  readonly open: number;
  /** Differences seen again (or first) since the time given. */
  readonly seenRecently: number;
}

const placeholders = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

/** Cumulative latency counts as SQL sums, one column per bound: le_0 … le_n. */
const LATENCY_COLUMNS = LATENCY_BUCKETS_MS.map((bound, index) => `sum(case when duration_ms <= ${bound} then 1 else 0 end) as le_${index}`).join(', ');

type TallyRow = { calls: number | string; errors: number | string | null } & Record<`le_${number}`, number | string | null>;

function tallyOf(row: TallyRow): CallTally {
  const calls = Number(row.calls);
  const cumulative = LATENCY_BUCKETS_MS.map((_bound, index) => Number(row[`le_${index}`] ?? 0));
  const latencyCounts = [...cumulative.map((count, index) => count - (index === 0 ? 0 : (cumulative[index - 1] ?? 0))), calls - (cumulative.at(-1) ?? 0)];
  return { calls, errors: Number(row.errors ?? 0), latencyCounts };
}

/** A moment as the dialect compares it: SQLite keeps datetimes as epoch milliseconds, PostgreSQL as timestamptz. */
function momentOf(db: Database, at: Date): Date | number {
  return db.dialect === 'sqlite' ? at.getTime() : at;
}

/** A stored moment, read back raw, as ISO 8601. */
export function isoOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  const text = String(value);
  return /^\d+$/.test(text) ? new Date(Number(text)).toISOString() : new Date(text).toISOString();
}

/** The time bucket of a row, as a whole number of `bucketMs` since the epoch. */
function bucketExpression(db: Database, bucketMs: number): string {
  const ms = Math.trunc(bucketMs);
  return db.dialect === 'sqlite' ? `(timestamp / ${ms})` : `floor(extract(epoch from timestamp) * 1000 / ${ms})`;
}

function execute<Row>(db: Database, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  return db.orm.em.getConnection().execute<Row[]>(sql, [...params]);
}

/** A time range of rows: from `since`, up to (not including) `until` when given. */
export interface Window {
  readonly since: Date;
  readonly until?: Date;
}

function windowCondition(db: Database, window: Window): { sql: string; params: unknown[] } {
  return window.until
    ? { sql: 'timestamp >= ? and timestamp < ?', params: [momentOf(db, window.since), momentOf(db, window.until)] }
    : { sql: 'timestamp >= ?', params: [momentOf(db, window.since)] };
}

/** Calls per system in a window. */
export async function tallySince(db: Database, systems: readonly string[], window: Window): Promise<Map<string, CallTally>> {
  if (systems.length === 0) return new Map();
  const rows = await execute<TallyRow & { adapter: string }>(
    db,
    `select adapter, count(*) as calls, sum(case when outcome = 'error' then 1 else 0 end) as errors, ${LATENCY_COLUMNS}
       from integration_logs where adapter in (${placeholders(systems)}) and direction = 'outbound' and ${windowCondition(db, window).sql}
       group by adapter`,
    [...systems, ...windowCondition(db, window).params],
  );
  return new Map(rows.map((row) => [row.adapter, tallyOf(row)]));
}

/** Calls per system and time bucket in a window (buckets without calls are absent). */
export async function seriesSince(db: Database, systems: readonly string[], window: Window, bucketMs: number): Promise<Map<string, BucketTally[]>> {
  if (systems.length === 0) return new Map();
  const bucket = bucketExpression(db, bucketMs);
  const rows = await execute<TallyRow & { adapter: string; bucket: number | string }>(
    db,
    `select adapter, ${bucket} as bucket, count(*) as calls, sum(case when outcome = 'error' then 1 else 0 end) as errors, ${LATENCY_COLUMNS}
       from integration_logs where adapter in (${placeholders(systems)}) and direction = 'outbound' and ${windowCondition(db, window).sql}
       group by adapter, ${bucket}`,
    [...systems, ...windowCondition(db, window).params],
  );
  const series = new Map<string, BucketTally[]>();
  for (const row of rows) {
    const list = series.get(row.adapter) ?? [];
    list.push({ ...tallyOf(row), startMs: Number(row.bucket) * Math.trunc(bucketMs) });
    series.set(row.adapter, list);
  }
  return series;
}

/** The latest calls of one system (newest first), at most `limit`, since a moment. */
export async function recentCalls(db: Database, system: string, since: Date, limit: number): Promise<RecentCall[]> {
  const rows = await execute<{ timestamp: unknown; operation: string; outcome: string; error_code: string | null }>(
    db,
    `select timestamp, operation, outcome, error_code from integration_logs
       where adapter = ? and direction = 'outbound' and timestamp >= ? order by timestamp desc limit ${Math.trunc(limit)}`,
    [system, momentOf(db, since)],
  );
  return rows.map((row) => ({ at: isoOf(row.timestamp), operation: row.operation, outcome: row.outcome, code: row.error_code }));
}

/** The latest payload of a system its adapter refused as malformed or wrong-shaped, since a moment. */
export async function lastBadPayload(db: Database, system: string, since: Date): Promise<BadPayload | null> {
  const [row] = await execute<{ timestamp: unknown; operation: string; reason: string | null; payload: unknown }>(
    db,
    `select timestamp, operation, reason, payload from integration_logs
       where adapter = ? and direction = 'outbound' and timestamp >= ? and error_code = 'UPSTREAM_BAD_RESPONSE'
       order by timestamp desc limit 1`,
    [system, momentOf(db, since)],
  );
  if (!row) return null;
  const payload = row.payload === null || row.payload === undefined ? null : typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload);
  return {
    at: isoOf(row.timestamp),
    operation: row.operation,
    reason: row.reason ?? 'the system answered something its contract does not allow',
    excerpt: payload === null ? null : payload.length > 400 ? `${payload.slice(0, 400)}…` : payload,
  };
}

/** Drift per follower system: differences standing, and those seen since a moment. */
export async function driftCounts(db: Database, since: Date): Promise<DriftCount[]> {
  const rows = await execute<{ system: string; standing: number | string; seen: number | string | null }>(
    db,
    `select follower_system as system, count(*) as standing, sum(case when last_seen_at >= ? then 1 else 0 end) as seen
       from drift where resolved_at is null group by follower_system`,
    [momentOf(db, since)],
  );
  return rows.map((row) => ({ system: row.system, open: Number(row.standing), seenRecently: Number(row.seen ?? 0) }));
}

/** A contract drift row as a tile lists it. */
export interface ContractDriftLine {
  readonly operation: string;
  readonly field: string;
  readonly change: string;
  readonly source: string;
  readonly firstSeenAt: string;
}

/** Contract drift per system: rows in all, rows first seen since a moment, and the latest few. */
export async function contractDriftOf(
  db: Database,
  since: Date,
  latestPerSystem: number,
): Promise<Map<string, { total: number; recent: number; latest: ContractDriftLine[] }>> {
  const counts = await execute<{ system: string; total: number | string; recent: number | string | null }>(
    db,
    `select system, count(*) as total, sum(case when first_seen_at >= ? then 1 else 0 end) as recent from contract_drift group by system`,
    [momentOf(db, since)],
  );
  const rows = await execute<{ system: string; operation: string; field: string; change: string; source: string; first_seen_at: unknown }>(
    db,
    `select system, operation, field, change, source, first_seen_at from contract_drift order by first_seen_at desc limit 500`,
  );
  const bySystem = new Map(counts.map((row) => [row.system, { total: Number(row.total), recent: Number(row.recent ?? 0), latest: [] as ContractDriftLine[] }]));
  for (const row of rows) {
    const entry = bySystem.get(row.system);
    if (entry && entry.latest.length < latestPerSystem) {
      entry.latest.push({ operation: row.operation, field: row.field, change: row.change, source: row.source, firstSeenAt: isoOf(row.first_seen_at) });
    }
  }
  return bySystem;
}
