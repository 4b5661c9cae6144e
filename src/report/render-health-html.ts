import { timeoutText } from '../integration-map/describe';
import { count, followersText, millis, outcomesText, percent, ruleText } from './format';
import type { MonthlyHealthReport, SystemHealth } from './health';
import { maintenanceHtml } from './maintenance';
import { esc, page, section, table } from './page';
import { dayLabel } from './period';
import { barChart, lineChart, type BarSegment } from './svg-charts';
import { ALERT_TABLE_HEAD, alertRows, FAILURE_KINDS, FIGURE_NOTES, SYSTEM_TABLE_HEAD, systemRow, TOPIC_TITLES } from './wording';

/** The monthly integrations health report as one HTML page with inline SVG charts. */
export function renderHealthReportHtml(report: MonthlyHealthReport): string {
  const { period } = report;
  const title = `Integrations health report: ${period.title}`;
  const intro = `<p>Every call Plugboard made to the systems of the estate in ${esc(period.title)} (UTC), from the integration log,
  the drift and conflict tables, the alerts and the outbox of ${esc(report.source)}. Written by
  <code>npm run report -- --month ${esc(period.label)}</code> on ${esc(report.generatedAt.toISOString())}.</p>`;
  return page(title, intro, [
    section('renegotiate', 'What to renegotiate', advice(report)),
    section('flaky', 'Which systems are flaky', flaky(report)),
    section('latency', 'Latency', latency(report)),
    section('drift', 'Drift and conflicts per field', drift(report)),
    section('alerts', 'Alerts and dead letters', alerts(report)),
    section('maintenance', 'Maintenance: vendor contracts, credentials, rate limits', maintenanceHtml(report.maintenance)),
    section('figures', 'How these figures are made', `<ul class="note">${FIGURE_NOTES.map((note) => `<li>${esc(note)}</li>`).join('')}</ul>`),
  ]);
}

const called = (report: MonthlyHealthReport): SystemHealth[] => report.systems.filter((system) => system.calls > 0);

function advice(report: MonthlyHealthReport): string {
  if (report.recommendations.length === 0) {
    return '<p class="none">Nothing to renegotiate: every system stayed within its rate limit, its timeout and its error budget.</p>';
  }
  const items = report.recommendations.map(
    (item) => `<li data-system="${esc(item.system)}" data-topic="${item.topic}"><strong>${esc(item.system)}</strong> · ${esc(TOPIC_TITLES[item.topic])}: ${esc(item.text)}</li>`,
  );
  return `<ul class="advice">\n${items.join('\n')}\n</ul>`;
}

function flaky(report: MonthlyHealthReport): string {
  const rows = report.systems.map((system) => systemRow(system).map(esc));
  const chart = barChart({
    id: 'failures',
    title: 'Failed and refused calls by kind (label: error rate)',
    unit: 'calls',
    bars: called(report).map((system) => ({
      label: system.system,
      note: percent(system.errorRate),
      segments: FAILURE_KINDS.map((kind): BarSegment => ({ key: kind.key, label: kind.label, colour: kind.colour, value: system[kind.key] })),
    })),
  });
  return `${table('systems', SYSTEM_TABLE_HEAD, rows, (index) => `data-system="${esc(report.systems[index]!.system)}"`)}\n${chart}`;
}

function latency(report: MonthlyHealthReport): string {
  const rows = report.systems.map((system) => [
    esc(system.system),
    esc(millis(system.p50Ms)),
    esc(millis(system.p95Ms)),
    esc(millis(system.slowestMs)),
    esc(system.timeoutMs === null ? '—' : timeoutText(system.timeoutMs)),
    esc(system.p95Ms === null || system.timeoutMs === null ? '—' : `${Math.round((system.p95Ms / system.timeoutMs) * 100)}%`),
  ]);
  const xLabels = report.period.days.map((day) => dayLabel(day).slice(8));
  const charts = called(report).map((system) => {
    const p95Max = Math.max(0, ...system.days.map((day) => day.p95Ms ?? 0));
    // The timeout is drawn only when the calls come near it; otherwise it would flatten every line to the floor.
    const showTimeout = system.timeoutMs !== null && p95Max >= system.timeoutMs / 4;
    return lineChart({
      id: 'latency',
      data: { system: system.system },
      title: `${system.system}: p50 and p95 per day${system.timeoutMs !== null && !showTimeout ? ` (timeout ${timeoutText(system.timeoutMs)}, off the scale)` : ''}`,
      unit: 'ms',
      xLabels,
      series: [
        { key: 'p50', label: 'p50', colour: '#30638e', values: system.days.map((day) => day.p50Ms) },
        { key: 'p95', label: 'p95', colour: '#d1495b', values: system.days.map((day) => day.p95Ms) },
      ],
      ...(showTimeout && system.timeoutMs !== null ? { reference: { value: system.timeoutMs, label: `timeout ${timeoutText(system.timeoutMs)}` } } : {}),
    });
  });
  return `${table('latency', ['System', 'p50', 'p95', 'Slowest', 'Timeout', 'p95 of timeout'], rows, (index) => `data-system="${esc(report.systems[index]!.system)}"`)}
<div class="charts">${charts.join('\n')}</div>`;
}

function drift(report: MonthlyHealthReport): string {
  const rows = report.fields.map((field) => [
    esc(`${field.entity}.${field.field}`),
    `<span class="rule">${esc(ruleText(field.rule))}</span>`,
    esc(count(field.differences)),
    esc(count(field.newDifferences)),
    esc(count(field.resolved)),
    esc(count(field.openAtEnd)),
    esc(followersText(field.byFollower)),
    esc(count(field.conflicts)),
    esc(outcomesText(field.outcomes)),
  ]);
  const chart = report.fields.length === 0 ? '' : barChart({
    id: 'drift',
    title: 'Drift differences and conflicts per field',
    unit: 'differences and conflicts',
    bars: report.fields.map((field) => ({
      label: `${field.entity}.${field.field}`,
      segments: [
        { key: 'differences', label: 'drift differences', colour: '#edae49', value: field.differences },
        { key: 'conflicts', label: 'conflicts', colour: '#6a4c93', value: field.conflicts },
      ],
    })),
  });
  return `${table('fields', ['Field', 'Matrix rule', 'Differences', 'New', 'Resolved', 'Open at end', 'By follower', 'Conflicts', 'Winners'], rows,
    (index) => `data-field="${esc(`${report.fields[index]!.entity}.${report.fields[index]!.field}`)}"`)}\n${chart}`;
}

function alerts(report: MonthlyHealthReport): string {
  const alerted = alertRows(report);
  const { total, latest } = report.deadLetters;
  const deadRows = latest.map((job) => [
    `<code>${esc(job.id)}</code>`,
    esc(job.system),
    esc(job.operation),
    esc(`${job.entity} ${job.entityId}`),
    esc(String(job.attempts)),
    esc(job.deadSince.toISOString()),
    esc((job.lastError ?? '').slice(0, 160)),
  ]);
  const shown = total > latest.length ? ` (the latest ${latest.length} below)` : '';
  return `<h3>Alerts raised</h3>
${table('alerts', ALERT_TABLE_HEAD, alerted.map((alert) => alert.cells.map(esc)), (index) => `data-system="${esc(alerted[index]!.system)}"`)}
<h3>Dead letters waiting for a replay</h3>
<p class="note">${esc(`${count(total)} job${total === 1 ? '' : 's'} dead-lettered in ${report.period.title} and not replayed since${shown}. Replay one with npm run outbox -- replay <id>.`)}</p>
${total === 0 ? '' : table('dead-letters', ['Job', 'System', 'Operation', 'Entity', 'Attempts', 'Dead since', 'Last error'], deadRows)}`;
}
