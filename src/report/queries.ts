import type { Database } from '../db';

/**
 * Internal to src/report: the aggregations the reports are made of, in SQL that SQLite and PostgreSQL both run
 * (window functions, CASE, derived tables; no date functions, which the two spell differently). Days are told apart
 * by comparing timestamps with bound day boundaries, and every bound timestamp goes through the platform's own
 * conversion (SQLite keeps datetimes as epoch milliseconds, PostgreSQL as timestamptz). The database does the
 * counting and ranking: a month of integration log rows never comes into memory.
 */

/** How many calls of one system ended one way, in one bucket of time. */
export interface OutcomeCount {
  readonly system: string;
  readonly bucket: number;
  readonly outcome: string;
  readonly errorCode: string | null;
  readonly calls: number;
}

/** Nearest-rank percentiles of the durations of one system's calls in one bucket of time. */
export interface LatencyFigures {
  readonly system: string;
  readonly bucket: number;
  /** Calls that reached for the system (breaker refusals, which take no time, are left out). */
  readonly calls: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly slowestMs: number;
}

export interface DriftCount {
  readonly entity: string;
  readonly field: string;
  readonly ownerSystem: string;
  readonly followerSystem: string;
  /** Differences seen in the period (first seen before its end, last seen after its start). */
  readonly differences: number;
  /** Of those, first seen in the period. */
  readonly newDifferences: number;
  /** Differences brought back in line during the period. */
  readonly resolved: number;
  /** Differences still standing at the end of the period. */
  readonly openAtEnd: number;
}

export interface ConflictCount {
  readonly entity: string;
  /** As recorded: one field, a comma-separated list, or 'version' for whole records. */
  readonly field: string;
  readonly rule: string;
  readonly winnerSystem: string;
  readonly loserSystem: string;
  readonly conflicts: number;
}

export interface AlertCount {
  readonly system: string;
  readonly kind: string;
  readonly alerts: number;
}

export interface DeadLetter {
  readonly id: string;
  readonly system: string;
  readonly operation: string;
  readonly entity: string;
  readonly entityId: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly deadSince: Date;
}

type Row = Record<string, unknown>;

/** PostgreSQL answers counts and sums as strings (bigint); SQLite as numbers. */
const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const text = (value: unknown): string => String(value);
const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** The report's queries over one database. */
export interface ReportQueries {
  /** Outbound calls per system, bucket (index into `buckets`) and way they ended. */
  outcomes(buckets: readonly Date[], to: Date): Promise<OutcomeCount[]>;
  /** p50, p95 and slowest call per system and bucket. */
  latency(buckets: readonly Date[], to: Date): Promise<LatencyFigures[]>;
  /**
   * Breaker openings per system, as the integration log shows them: a run of calls refused with CIRCUIT_OPEN (per
   * system and operation, as the breakers are) begins each time the breaker opened and a call came while it was
   * open. An opening during which no call came leaves no row and is not counted.
   */
  breakerOpenings(from: Date, to: Date): Promise<Map<string, number>>;
  drift(from: Date, to: Date): Promise<DriftCount[]>;
  conflicts(from: Date, to: Date): Promise<ConflictCount[]>;
  alerts(from: Date, to: Date): Promise<AlertCount[]>;
  /** Jobs dead-lettered in the period and not replayed since, newest first, at most `limit`, and how many in all. */
  deadLetters(from: Date, to: Date, limit: number): Promise<{ readonly total: number; readonly latest: DeadLetter[] }>;
}

const OUTBOUND_CALLS = `direction = 'outbound' and outcome in ('ok', 'error') and "timestamp" >= ? and "timestamp" < ?`;

export function createReportQueries(db: Database): ReportQueries {
  const platform = db.orm.em.getPlatform();
  const at = (date: Date): unknown => platform.processDateProperty(date);
  const run = (sql: string, params: readonly unknown[]): Promise<Row[]> =>
    db.orm.em.getConnection().execute<Row[]>(sql, [...params], 'all');

  /** `case when "timestamp" < <day 2> then 0 when … else n-1 end`: which bucket a row's timestamp falls in. */
  const bucketOf = (buckets: readonly Date[]): { sql: string; params: unknown[] } => {
    if (buckets.length <= 1) return { sql: '0', params: [] };
    const whens = buckets.slice(1).map((_, index) => `when "timestamp" < ? then ${index}`);
    return { sql: `case ${whens.join(' ')} else ${buckets.length - 1} end`, params: buckets.slice(1).map(at) };
  };

  return {
    async outcomes(buckets, to) {
      const bucket = bucketOf(buckets);
      const rows = await run(
        `select adapter, bucket, outcome, error_code, count(*) as calls
         from (select adapter, outcome, error_code, ${bucket.sql} as bucket from integration_logs where ${OUTBOUND_CALLS}) calls
         group by adapter, bucket, outcome, error_code`,
        [...bucket.params, at(buckets[0]!), at(to)],
      );
      return rows.map((row) => ({
        system: text(row.adapter),
        bucket: num(row.bucket),
        outcome: text(row.outcome),
        errorCode: textOrNull(row.error_code),
        calls: num(row.calls),
      }));
    },

    async latency(buckets, to) {
      const bucket = bucketOf(buckets);
      // Nearest rank: the p-th percentile is the smallest duration whose rank r satisfies r >= p% of n.
      const rows = await run(
        `select adapter, bucket, n,
                min(case when rn * 100 >= n * 50 then duration_ms end) as p50,
                min(case when rn * 100 >= n * 95 then duration_ms end) as p95,
                max(duration_ms) as slowest
         from (
           select adapter, bucket, duration_ms,
                  row_number() over (partition by adapter, bucket order by duration_ms) as rn,
                  count(*) over (partition by adapter, bucket) as n
           from (
             select adapter, duration_ms, ${bucket.sql} as bucket from integration_logs
             where ${OUTBOUND_CALLS} and (error_code is null or error_code <> 'CIRCUIT_OPEN')
           ) calls
         ) ranked
         group by adapter, bucket, n`,
        [...bucket.params, at(buckets[0]!), at(to)],
      );
      return rows.map((row) => ({
        system: text(row.adapter),
        bucket: num(row.bucket),
        calls: num(row.n),
        p50Ms: num(row.p50),
        p95Ms: num(row.p95),
        slowestMs: num(row.slowest),
      }));
    },

    async breakerOpenings(from, to) {
      const rows = await run(
        `select adapter, count(*) as openings
         from (
           select adapter, error_code,
                  lag(error_code) over (partition by adapter, operation order by "timestamp", id) as prev_code
           from integration_logs where ${OUTBOUND_CALLS}
         ) calls
         where error_code = 'CIRCUIT_OPEN' and (prev_code is null or prev_code <> 'CIRCUIT_OPEN')
         group by adapter`,
        [at(from), at(to)],
      );
      return new Map(rows.map((row) => [text(row.adapter), num(row.openings)]));
    },

    async drift(from, to) {
      const rows = await run(
        `select entity, field, owner_system, follower_system,
                count(*) as differences,
                sum(case when first_seen_at >= ? then 1 else 0 end) as new_differences,
                sum(case when resolved_at is not null and resolved_at >= ? and resolved_at < ? then 1 else 0 end) as resolved,
                sum(case when resolved_at is null or resolved_at >= ? then 1 else 0 end) as open_at_end
         from drift
         where first_seen_at < ? and last_seen_at >= ?
         group by entity, field, owner_system, follower_system`,
        [at(from), at(from), at(to), at(to), at(to), at(from)],
      );
      return rows.map((row) => ({
        entity: text(row.entity),
        field: text(row.field),
        ownerSystem: text(row.owner_system),
        followerSystem: text(row.follower_system),
        differences: num(row.differences),
        newDifferences: num(row.new_differences),
        resolved: num(row.resolved),
        openAtEnd: num(row.open_at_end),
      }));
    },

    async conflicts(from, to) {
      const rows = await run(
        `select entity, field, rule, winner_system, loser_system, count(*) as conflicts
         from conflicts where decided_at >= ? and decided_at < ?
         group by entity, field, rule, winner_system, loser_system`,
        [at(from), at(to)],
      );
      return rows.map((row) => ({
        entity: text(row.entity),
        field: text(row.field),
        rule: text(row.rule),
        winnerSystem: text(row.winner_system),
        loserSystem: text(row.loser_system),
        conflicts: num(row.conflicts),
      }));
    },

    async alerts(from, to) {
      const rows = await run(
        `select system, kind, count(*) as alerts from alerts where created_at >= ? and created_at < ? group by system, kind`,
        [at(from), at(to)],
      );
      return rows.map((row) => ({ system: text(row.system), kind: text(row.kind), alerts: num(row.alerts) }));
    },

    async deadLetters(from, to, limit) {
      const where = `state = 'dead' and updated_at >= ? and updated_at < ?`;
      const [count] = await run(`select count(*) as total from outbox_jobs where ${where}`, [at(from), at(to)]);
      const rows = await run(
        `select id, system, operation, entity, entity_id, attempts, last_error, updated_at from outbox_jobs
         where ${where} order by updated_at desc, id limit ${Math.max(1, Math.floor(limit))}`,
        [at(from), at(to)],
      );
      return {
        total: num(count?.total),
        latest: rows.map((row) => ({
          id: text(row.id),
          system: text(row.system),
          operation: text(row.operation),
          entity: text(row.entity),
          entityId: text(row.entity_id),
          attempts: num(row.attempts),
          lastError: textOrNull(row.last_error),
          deadSince: toDate(row.updated_at),
        })),
      };
    },
  };
}

/** A datetime column read back raw: epoch milliseconds (SQLite) or a Date (PostgreSQL). */
function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) return new Date(Number(value));
  return new Date(String(value));
}
