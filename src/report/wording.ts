import type { AlertKind } from '../alerts';
import { count, percent } from './format';
import type { CallFigures, MonthlyHealthReport, SystemHealth } from './health';
import type { RenegotiationTopic } from './renegotiate';
import { RENEGOTIATION_THRESHOLDS } from './renegotiate';

/** Internal to src/report: the words and columns the HTML and the Markdown of the health report share. */

/** The ways a call fails (or is refused), as the failure chart stacks them. */
type FailureKey = 'unavailable' | 'timeouts' | 'rateLimited' | 'badResponses' | 'authFailures' | 'otherFailures' | 'breakerRefusals';

export const FAILURE_KINDS: readonly { readonly key: FailureKey & keyof CallFigures; readonly label: string; readonly colour: string }[] = [
  { key: 'unavailable', label: 'unreachable or 5xx', colour: '#d1495b' },
  { key: 'timeouts', label: 'timed out', colour: '#edae49' },
  { key: 'rateLimited', label: 'rate-limited', colour: '#00798c' },
  { key: 'badResponses', label: 'bad answers', colour: '#8f2d56' },
  { key: 'authFailures', label: 'credentials refused', colour: '#6a4c93' },
  { key: 'otherFailures', label: 'other failures', colour: '#7d8597' },
  { key: 'breakerRefusals', label: 'refused by the open breaker', colour: '#30638e' },
];

export const TOPIC_TITLES: Readonly<Record<RenegotiationTopic, string>> = {
  'rate-limit': 'rate limit',
  latency: 'latency',
  reliability: 'reliability',
  contract: 'contract',
  credentials: 'credentials',
};

export const SYSTEM_TABLE_HEAD = [
  'System', 'Calls', 'Attempted', 'Failed', 'Error rate', 'Unreachable/5xx', 'Timeouts', 'Rate-limited', 'Bad answers',
  'Credentials refused', 'Breaker openings', 'Refused by breaker', 'Refused requests (4xx)',
] as const;

/** The alerts table's columns: the alert kinds, in this order. */
export const ALERT_TABLE_HEAD = [
  'System', 'Jobs failing (3rd failure)', 'Jobs dead-lettered', 'Writes finished after their process died', 'Webhook events it could not apply',
] as const;
const ALERT_KINDS = ['job-failing', 'job-dead', 'write-interrupted', 'webhook-unusable'] as const satisfies readonly AlertKind[];

/** The alerts table: a row per system that had any, with its count of each kind, as text. */
export function alertRows(report: MonthlyHealthReport): { readonly system: string; readonly cells: string[] }[] {
  const systems = [...new Set(report.alerts.map((alert) => alert.system))];
  const countOf = (system: string, kind: string) => report.alerts.find((alert) => alert.system === system && alert.kind === kind)?.alerts ?? 0;
  return systems.map((system) => ({ system, cells: [system, ...ALERT_KINDS.map((kind) => count(countOf(system, kind)))] }));
}

/** A system's row of the flaky-systems table, as text. */
export function systemRow(system: SystemHealth): string[] {
  return [
    system.system,
    count(system.calls),
    count(system.attempted),
    count(system.failures),
    system.attempted === 0 ? '—' : percent(system.errorRate),
    count(system.unavailable),
    count(system.timeouts),
    count(system.rateLimited),
    count(system.badResponses),
    count(system.authFailures),
    count(system.breakerOpenings),
    count(system.breakerRefusals),
    count(system.rejected),
  ];
}

export const FIGURE_NOTES: readonly string[] = [
  'Calls are the outbound rows of integration_logs: every call Plugboard made to a system (reads answered from the cache never reach it and are not logged).',
  'Attempted calls leave out those the open breaker refused without calling. Failed calls are the attempts that ended in UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, UPSTREAM_RATE_LIMITED, UPSTREAM_BAD_RESPONSE, UPSTREAM_AUTH_FAILED or another failure code; a system refusing our request (UPSTREAM_REJECTED, a 4xx) says nothing about its health and is counted apart. Error rate = failed / attempted.',
  'Breaker openings are read from the log: each run of calls refused with CIRCUIT_OPEN (per system and operation, as the breakers are) is one opening. An opening during which no call came leaves no row and is not counted; a run that began the month before counts in this month.',
  'Latency: nearest-rank p50 and p95 of the durations of the attempted calls (failures included, so that calls that timed out weigh in), per day and over the month, in UTC days.',
  'Drift: differences between a field\'s owner and a follower seen during the period (one per distinct follower value); new ones were first seen in it; resolved ones were brought back in line in it. Conflicts: decisions of the matrix\'s conflict rule made in the period; a conflict over several fields counts for each.',
  `What to renegotiate is derived from the figures: rate-limited calls at or above ${percent(RENEGOTIATION_THRESHOLDS.rateLimitedShare)} of the attempts; p95 at or above ${Math.round(RENEGOTIATION_THRESHOLDS.p95OfTimeout * 100)}% of the timeout in schema/integration-map.yaml, or timeouts at or above ${percent(RENEGOTIATION_THRESHOLDS.timeoutShare)}; failures (unreachable, 5xx, bad answers) at or above ${percent(RENEGOTIATION_THRESHOLDS.failureShare)}, or any breaker opening; any bad answer; any refused credentials.`,
];
