import type { Database } from '../db';
import type { LoadedIntegrationMap, SystemEntry } from '../integration-map';
import { sourceText } from './format';
import { maintenanceOf, type MaintenanceFigures } from './maintenance';
import type { ReportPeriod } from './period';
import {
  createReportQueries,
  type AlertCount,
  type DeadLetter,
  type LatencyFigures,
  type OutcomeCount,
} from './queries';
import { renegotiate, type Recommendation } from './renegotiate';
import { reviewFields, type FieldReview } from './review';

/** How one system's outbound calls went over a stretch of time. Rates are shares (0..1). */
export interface CallFigures {
  /** Calls the integration log holds: made, or refused by the open breaker. */
  readonly calls: number;
  /** Calls that reached for the system: `calls` less the breaker's refusals. */
  readonly attempted: number;
  /** Attempts that failed for the system's sake: every failure but the system refusing our request (4xx). */
  readonly failures: number;
  /** failures / attempted; 0 when nothing was attempted. */
  readonly errorRate: number;
  readonly unavailable: number;
  readonly timeouts: number;
  readonly rateLimited: number;
  readonly badResponses: number;
  readonly authFailures: number;
  /** Failures with a code none of the above names. */
  readonly otherFailures: number;
  /** The system understood the request and refused it (validation, business rule): our request, not its health. */
  readonly rejected: number;
  /** Calls not attempted because the breaker was open. */
  readonly breakerRefusals: number;
  /** Nearest-rank percentiles of the attempted calls' durations; null when there were none. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly slowestMs: number | null;
}

/** A system's month: its figures, its breaker openings and what the integration map declares for it. */
export interface SystemHealth extends CallFigures {
  readonly system: string;
  readonly title: string;
  readonly credentialsOwner: string | null;
  readonly timeoutMs: number | null;
  readonly rateLimit: SystemEntry['rateLimit'];
  /** Times the breaker opened and refused calls (runs of CIRCUIT_OPEN in the log). */
  readonly breakerOpenings: number;
  /** One entry per day of the month. */
  readonly days: readonly DayFigures[];
}

export interface DayFigures extends CallFigures {
  readonly day: Date;
}

export interface MonthlyHealthReport {
  readonly period: ReportPeriod;
  readonly generatedAt: Date;
  /** Which database the figures come from, in words. */
  readonly source: string;
  /** Every system of the map, in map order, then any system the log names that the map does not. */
  readonly systems: readonly SystemHealth[];
  /** Drift and conflicts per field, the most first, each with the matrix's rule. */
  readonly fields: readonly FieldReview[];
  readonly alerts: readonly AlertCount[];
  readonly deadLetters: { readonly total: number; readonly latest: readonly DeadLetter[] };
  readonly recommendations: readonly Recommendation[];
  /** The maintenance autopilot's month: contract drift, credential and rate-limit alerts, rotation dates. */
  readonly maintenance: MaintenanceFigures;
}

/** Dead letters listed one by one in the report; the rest are counted. */
const DEAD_LETTERS_LISTED = 20;

/** Reads the month's figures from the database and puts them together with the integration map. */
export async function buildMonthlyHealthReport(
  db: Database,
  loaded: LoadedIntegrationMap,
  period: ReportPeriod,
  now: Date = new Date(),
): Promise<MonthlyHealthReport> {
  const queries = createReportQueries(db);
  const { from, to, days } = period;
  const [monthOutcomes, monthLatency, dayOutcomes, dayLatency, openings, fields, alerts, deadLetters, maintenance] = await Promise.all([
    queries.outcomes([from], to),
    queries.latency([from], to),
    queries.outcomes(days, to),
    queries.latency(days, to),
    queries.breakerOpenings(from, to),
    reviewFields(queries, loaded.matrix, from, to),
    queries.alerts(from, to),
    queries.deadLetters(from, to, DEAD_LETTERS_LISTED),
    maintenanceOf(db, loaded, from, to),
  ]);

  const names = [...Object.keys(loaded.map.systems)];
  for (const row of monthOutcomes) if (!names.includes(row.system)) names.push(row.system);

  const systems = names.map((system): SystemHealth => {
    const entry = Object.hasOwn(loaded.map.systems, system) ? loaded.map.systems[system] : undefined;
    return {
      system,
      title: entry?.title ?? system,
      credentialsOwner: entry?.credentialsOwner ?? null,
      timeoutMs: entry?.timeoutMs ?? null,
      rateLimit: entry?.rateLimit ?? null,
      breakerOpenings: openings.get(system) ?? 0,
      ...figuresOf(monthOutcomes, monthLatency, system, 0),
      days: days.map((day, bucket) => ({ day, ...figuresOf(dayOutcomes, dayLatency, system, bucket) })),
    };
  });
  return {
    period,
    generatedAt: now,
    source: sourceText(db),
    systems,
    fields,
    alerts: [...alerts].sort((a, b) => a.system.localeCompare(b.system) || a.kind.localeCompare(b.kind)),
    deadLetters,
    recommendations: renegotiate(systems),
    maintenance,
  };
}

/** Folds the outcome counts and latency of one system and bucket into its figures. */
function figuresOf(outcomes: readonly OutcomeCount[], latency: readonly LatencyFigures[], system: string, bucket: number): CallFigures {
  const tally = { calls: 0, unavailable: 0, timeouts: 0, rateLimited: 0, badResponses: 0, authFailures: 0, otherFailures: 0, rejected: 0, breakerRefusals: 0 };
  for (const row of outcomes) {
    if (row.system !== system || row.bucket !== bucket) continue;
    tally.calls += row.calls;
    if (row.outcome !== 'error') continue;
    switch (row.errorCode) {
      case 'CIRCUIT_OPEN': tally.breakerRefusals += row.calls; break;
      case 'UPSTREAM_REJECTED': tally.rejected += row.calls; break;
      case 'UPSTREAM_UNAVAILABLE': tally.unavailable += row.calls; break;
      case 'UPSTREAM_TIMEOUT': tally.timeouts += row.calls; break;
      case 'UPSTREAM_RATE_LIMITED': tally.rateLimited += row.calls; break;
      case 'UPSTREAM_BAD_RESPONSE': tally.badResponses += row.calls; break;
      case 'UPSTREAM_AUTH_FAILED': tally.authFailures += row.calls; break;
      default: tally.otherFailures += row.calls;
    }
  }
  const attempted = tally.calls - tally.breakerRefusals;
  const failures = tally.unavailable + tally.timeouts + tally.rateLimited + tally.badResponses + tally.authFailures + tally.otherFailures;
  const durations = latency.find((row) => row.system === system && row.bucket === bucket);
  return {
    ...tally,
    attempted,
    failures,
    errorRate: attempted === 0 ? 0 : failures / attempted,
    p50Ms: durations?.p50Ms ?? null,
    p95Ms: durations?.p95Ms ?? null,
    slowestMs: durations?.slowestMs ?? null,
  };
}
