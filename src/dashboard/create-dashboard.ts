import type { Database } from '../db';
import { queueDepth, quantileOfBuckets, type QueueDepth } from '../metrics';
import type { Alerts } from '../alerts';
import type { Autopilot } from '../autopilot';
import { maintenanceTiles, type MaintenanceTile } from './maintenance';
import type { Outbox, OutboxJobView } from '../outbox';
import type { BreakerState } from '../resilience';
import {
  driftCounts,
  lastBadPayload,
  recentCalls,
  seriesSince,
  tallySince,
  type AlertLine,
  type BadPayload,
  type BucketTally,
  type CallTally,
  type DeadLetter,
  type RecentCall,
} from './queries';
import { systemStateOf, type SystemState } from './system-state';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The figures of one tile. */
export interface SystemTile {
  readonly name: string;
  readonly kind: string;
  readonly state: SystemState;
  /** Why the state is what it is, in words. */
  readonly stateReason: string;
  readonly breakers: ReadonlyArray<{ readonly operation: string; readonly state: BreakerState }>;
  /** Share of the last day's calls that succeeded (null: no calls). */
  readonly uptime: number | null;
  readonly callsToday: number;
  /** The live window (the last few minutes). */
  readonly live: {
    readonly calls: number;
    readonly errors: number;
    readonly errorRate: number | null;
    readonly callsPerMinute: number;
    readonly p50Ms: number | null;
    readonly p95Ms: number | null;
  };
  readonly recentCalls: readonly RecentCall[];
  /** Outbox jobs for this system not yet delivered, by state. */
  readonly queue: Readonly<Record<QueueDepth['state'], number>>;
  readonly deadLetters: readonly DeadLetter[];
  readonly alerts: readonly AlertLine[];
  readonly lastBadPayload: BadPayload | null;
  readonly drift: { readonly open: number; readonly seenToday: number };
  /** The maintenance autopilot: contract drift, credentials' expiry, the vendor's rate limit. */
  readonly maintenance: MaintenanceTile;
}

/** One chart's worth: calls, errors and p95 per system per bucket, over a range. */
export interface ChartSeries {
  readonly range: 'hour' | 'day';
  readonly bucketMs: number;
  /** Bucket starts (ms since the epoch), oldest first, every bucket of the range (empty ones too). */
  readonly buckets: readonly number[];
  readonly systems: Readonly<Record<string, { readonly calls: readonly number[]; readonly errors: readonly number[]; readonly p95Ms: ReadonlyArray<number | null> }>>;
}

export interface DashboardSnapshot {
  readonly generatedAt: string;
  readonly liveWindowMinutes: number;
  readonly systems: readonly SystemTile[];
  readonly charts: { readonly hour: ChartSeries; readonly day: ChartSeries };
  /** Outbox jobs the page asked to follow (e.g. dead letters it replayed), as they stand now. */
  readonly followed: readonly OutboxJobView[];
}

export interface DashboardOptions {
  readonly db: Database;
  /** The systems of the estate, in the order their tiles appear. */
  readonly systems: ReadonlyArray<{ readonly name: string; readonly kind: string }>;
  /** The breakers of the process that calls the systems (Resilience.breakerStates); absent when it runs elsewhere. */
  readonly breakerStates?: () => ReadonlyArray<{ readonly system: string; readonly operation: string; readonly state: BreakerState }>;
  /** The outbox: its dead letters, and the jobs the page follows. */
  readonly outbox?: Pick<Outbox, 'get' | 'list'>;
  /** The ops alerts, for the ones nobody has acknowledged. */
  readonly alerts?: Pick<Alerts, 'list'>;
  /** The maintenance autopilot of the process that calls the systems: credentials and rate limits for the tiles. */
  readonly autopilot?: Pick<Autopilot, 'credentials' | 'rateLimits'>;
  /** The live window of the error rate, latency and calls per minute. @default 5 minutes */
  readonly liveWindowMs?: number;
  readonly now?: () => Date;
}

export interface Dashboard {
  /** Everything the page shows, read from the tables and the breakers: no system is called. */
  snapshot(follow?: readonly string[]): Promise<DashboardSnapshot>;
}

/** Tiles without the recent calls look this far back for a system's latest calls (its state). */
const RECENT_WINDOW_MS = 2 * MINUTE;
const RECENT_CALLS = 5;
const DEAD_LETTERS_PER_SYSTEM = 5;
const ALERTS_PER_SYSTEM = 5;
/** Most outbox jobs one poll may follow. */
export const MAX_FOLLOWED_JOBS = 20;

/** The live integrations dashboard's data: per system tiles and the hour and day charts. */
/** The latest dead letters, read through the outbox that owns them. */
async function deadLettersOf(outbox: DashboardOptions['outbox']): Promise<DeadLetter[]> {
  const jobs = (await outbox?.list({ state: 'dead', limit: 200, newestFirst: true })) ?? [];
  return jobs.map((job) => ({
    id: job.id,
    system: job.system,
    operation: job.operation,
    entity: job.entity,
    entityId: job.entityId,
    attempts: job.attempts,
    lastError: job.lastError,
    deadSince: job.updatedAt.toISOString(),
  }));
}

/** The alerts nobody has acknowledged, newest first, read through the alerts that own them. */
async function unacknowledgedAlertsOf(alerts: DashboardOptions['alerts']): Promise<AlertLine[]> {
  const rows = (await alerts?.list({ unacknowledged: true, limit: 200 })) ?? [];
  return rows.map((alert) => ({ id: alert.id, system: alert.system, kind: alert.kind, message: alert.message, createdAt: alert.createdAt.toISOString() }));
}

export function createDashboard(options: DashboardOptions): Dashboard {
  const { db } = options;
  const names = options.systems.map((system) => system.name);
  const now = options.now ?? (() => new Date());
  const liveWindowMs = options.liveWindowMs ?? 5 * MINUTE;
  // The day's figures are the sum of two reads: the older quarter hours, which no longer change and are read once per
  // quarter hour, and the last hour or so (since the quarter hour before the hour), read at every poll. Each poll
  // thus reads at most 75 minutes of the log, and the day's figures are as fresh as the hour's.
  let settled: { until: number; value: Promise<SettledDay> } | undefined;
  const settledDay = (since: Date, until: Date): Promise<SettledDay> => {
    if (settled?.until === until.getTime()) return settled.value;
    const window = { since, until };
    const value = Promise.all([tallySince(db, names, window), seriesSince(db, names, window, DAY_BUCKET_MS)]).then(([tallies, series]) => ({ tallies, series }));
    settled = { until: until.getTime(), value };
    // A failed read is not kept: the next poll tries again.
    value.catch(() => (settled = undefined));
    return value;
  };
  const dayFigures = async (at: Date): Promise<DayFigures> => {
    const first = startOfBucket(at.getTime() - DAY, DAY_BUCKET_MS);
    const boundary = new Date(startOfBucket(at.getTime() - HOUR, DAY_BUCKET_MS));
    const [older, tallies, series] = await Promise.all([
      settledDay(new Date(first), boundary),
      tallySince(db, names, { since: boundary }),
      seriesSince(db, names, { since: boundary }, DAY_BUCKET_MS),
    ]);
    return { tallies: addTallies(older.tallies, tallies), chart: chartOf('day', mergeSeries(older.series, series), names, at, DAY, DAY_BUCKET_MS) };
  };

  return {
    async snapshot(follow = []) {
      const at = now();
      const since = new Date(at.getTime() - HOUR);
      const liveSince = new Date(at.getTime() - liveWindowMs);
      const recentSince = new Date(at.getTime() - RECENT_WINDOW_MS);
      const [day, hourSeries, live, depth, dead, alerts, drift, recent, bad, followed, maintenance] = await Promise.all([
        dayFigures(at),
        seriesSince(db, names, { since }, HOUR_BUCKET_MS),
        tallySince(db, names, { since: liveSince }),
        queueDepth(db),
        deadLettersOf(options.outbox),
        unacknowledgedAlertsOf(options.alerts),
        driftCounts(db, new Date(at.getTime() - DAY)),
        Promise.all(names.map((name) => recentCalls(db, name, recentSince, RECENT_CALLS))),
        Promise.all(names.map((name) => lastBadPayload(db, name, new Date(at.getTime() - DAY)))),
        Promise.all(follow.slice(0, MAX_FOLLOWED_JOBS).map((id) => options.outbox?.get(id) ?? Promise.resolve(null))),
        maintenanceTiles(db, names, options.autopilot, new Date(at.getTime() - DAY)),
      ]);
      const breakers = options.breakerStates?.() ?? [];
      const systems = options.systems.map((system, index): SystemTile => {
        const ownBreakers = breakers.filter((breaker) => breaker.system === system.name).map(({ operation, state }) => ({ operation, state }));
        const recentOfSystem = recent[index] ?? [];
        const liveTally = live.get(system.name);
        const { state, reason } = systemStateOf({ breakers: ownBreakers, recent: recentOfSystem, live: liveTally });
        const today = day.tallies.get(system.name);
        const driftOfSystem = drift.find((row) => row.system === system.name);
        return {
          name: system.name,
          kind: system.kind,
          state,
          stateReason: reason,
          breakers: ownBreakers,
          uptime: today && today.calls > 0 ? (today.calls - today.errors) / today.calls : null,
          callsToday: today?.calls ?? 0,
          live: liveFigures(liveTally, liveWindowMs),
          recentCalls: recentOfSystem,
          queue: queueOf(depth, system.name),
          deadLetters: dead.filter((job) => job.system === system.name).slice(0, DEAD_LETTERS_PER_SYSTEM),
          alerts: alerts.filter((alert) => alert.system === system.name).slice(0, ALERTS_PER_SYSTEM),
          lastBadPayload: bad[index] ?? null,
          drift: { open: driftOfSystem?.open ?? 0, seenToday: driftOfSystem?.seenRecently ?? 0 },
          maintenance: maintenance.get(system.name)!,
        };
      });
      return {
        generatedAt: at.toISOString(),
        liveWindowMinutes: liveWindowMs / MINUTE,
        systems,
        charts: { hour: chartOf('hour', hourSeries, names, at, HOUR, HOUR_BUCKET_MS), day: day.chart },
        followed: followed.filter((job): job is OutboxJobView => job !== null),
      };
    },
  };
}

/** The hour chart has a point a minute; the day chart one every quarter of an hour. */
const HOUR_BUCKET_MS = MINUTE;
const DAY_BUCKET_MS = 15 * MINUTE;

interface DayFigures {
  readonly tallies: Map<string, CallTally>;
  readonly chart: ChartSeries;
}

interface SettledDay {
  readonly tallies: Map<string, CallTally>;
  readonly series: Map<string, BucketTally[]>;
}

const startOfBucket = (ms: number, bucketMs: number): number => Math.floor(ms / bucketMs) * bucketMs;

function addTally(a: CallTally | undefined, b: CallTally | undefined): CallTally | undefined {
  if (!a || !b) return a ?? b;
  return { calls: a.calls + b.calls, errors: a.errors + b.errors, latencyCounts: a.latencyCounts.map((count, index) => count + (b.latencyCounts[index] ?? 0)) };
}

function addTallies(a: Map<string, CallTally>, b: Map<string, CallTally>): Map<string, CallTally> {
  const sum = new Map(a);
  for (const [system, tally] of b) sum.set(system, addTally(sum.get(system), tally)!);
  return sum;
}

/** The buckets of two reads of one series; a bucket both reads saw (none, when they meet at a boundary) is added up. */
function mergeSeries(a: Map<string, BucketTally[]>, b: Map<string, BucketTally[]>): Map<string, BucketTally[]> {
  const merged = new Map<string, BucketTally[]>();
  for (const system of new Set([...a.keys(), ...b.keys()])) {
    const byStart = new Map<number, BucketTally>();
    for (const tally of [...(a.get(system) ?? []), ...(b.get(system) ?? [])]) {
      const known = byStart.get(tally.startMs);
      byStart.set(tally.startMs, known ? { ...addTally(known, tally)!, startMs: tally.startMs } : tally);
    }
    merged.set(system, [...byStart.values()]);
  }
  return merged;
}

function liveFigures(tally: CallTally | undefined, windowMs: number): SystemTile['live'] {
  const calls = tally?.calls ?? 0;
  const errors = tally?.errors ?? 0;
  return {
    calls,
    errors,
    errorRate: calls > 0 ? errors / calls : null,
    callsPerMinute: calls / (windowMs / MINUTE),
    p50Ms: tally ? (quantileOfBuckets(tally.latencyCounts, 0.5) ?? null) : null,
    p95Ms: tally ? (quantileOfBuckets(tally.latencyCounts, 0.95) ?? null) : null,
  };
}

function queueOf(depth: readonly QueueDepth[], system: string): SystemTile['queue'] {
  const queue = { pending: 0, running: 0, failed: 0, dead: 0 };
  for (const row of depth) if (row.system === system) queue[row.state] += row.jobs;
  return queue;
}

/** Every bucket of the range, oldest first, with zeros where no call was made. */
function chartOf(range: ChartSeries['range'], series: Map<string, BucketTally[]>, names: readonly string[], at: Date, spanMs: number, bucketMs: number): ChartSeries {
  const last = startOfBucket(at.getTime(), bucketMs);
  const count = Math.round(spanMs / bucketMs);
  const buckets = Array.from({ length: count + 1 }, (_unused, index) => last - (count - index) * bucketMs);
  const systems: Record<string, { calls: number[]; errors: number[]; p95Ms: (number | null)[] }> = {};
  for (const name of names) {
    const byStart = new Map((series.get(name) ?? []).map((tally) => [tally.startMs, tally]));
    systems[name] = {
      calls: buckets.map((start) => byStart.get(start)?.calls ?? 0),
      errors: buckets.map((start) => byStart.get(start)?.errors ?? 0),
      p95Ms: buckets.map((start) => {
        const tally = byStart.get(start);
        return tally ? (quantileOfBuckets(tally.latencyCounts, 0.95) ?? null) : null;
      }),
    };
  }
  return { range, bucketMs, buckets, systems };
}
