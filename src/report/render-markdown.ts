import { conflictText, directionText, ownerText, timeoutText } from '../integration-map/describe';
import { count, followersText, millis, outcomesText, ruleText } from './format';
import type { MonthlyHealthReport } from './health';
import { maintenanceMarkdown } from './maintenance';
import { dayLabel } from './period';
import type { SourceOfTruthReview } from './review';
import { ALERT_TABLE_HEAD, alertRows, FIGURE_NOTES, SYSTEM_TABLE_HEAD, systemRow, TOPIC_TITLES } from './wording';

/** A Markdown table row; a pipe inside a cell would split it. */
const row = (cells: readonly string[]): string => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;

function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return ['Nothing recorded.'];
  return [row(head), row(head.map(() => '---')), ...rows.map(row)];
}

/** The monthly integrations health report in Markdown: the same figures as the HTML, as tables (charts in the HTML). */
export function renderHealthReportMarkdown(report: MonthlyHealthReport): string {
  const { period } = report;
  const called = report.systems.filter((system) => system.calls > 0);
  const lines = [
    `# Integrations health report: ${period.title}`,
    '',
    `Every call Plugboard made to the systems of the estate in ${period.title} (UTC), from ${report.source}. ` +
      `Written by \`npm run report -- --month ${period.label}\` on ${report.generatedAt.toISOString()}; the charts are in the HTML report.`,
    '',
    '## What to renegotiate',
    '',
    ...(report.recommendations.length === 0
      ? ['Nothing to renegotiate: every system stayed within its rate limit, its timeout and its error budget.']
      : report.recommendations.map((item) => `- **${item.system}** · ${TOPIC_TITLES[item.topic]}: ${item.text}`)),
    '',
    '## Which systems are flaky',
    '',
    ...markdownTable(SYSTEM_TABLE_HEAD, report.systems.map(systemRow)),
    '',
    '## Latency',
    '',
    ...markdownTable(
      ['System', 'p50', 'p95', 'Slowest', 'Timeout', 'p95 of timeout'],
      report.systems.map((system) => [
        system.system,
        millis(system.p50Ms),
        millis(system.p95Ms),
        millis(system.slowestMs),
        system.timeoutMs === null ? '—' : timeoutText(system.timeoutMs),
        system.p95Ms === null || system.timeoutMs === null ? '—' : `${Math.round((system.p95Ms / system.timeoutMs) * 100)}%`,
      ]),
    ),
    '',
    '### p50 / p95 per day (ms)',
    '',
    ...(called.length === 0
      ? ['No calls.']
      : markdownTable(
          ['Day', ...called.map((system) => system.system)],
          period.days.map((day, index) => [
            dayLabel(day),
            ...called.map((system) => {
              const figures = system.days[index]!;
              return figures.p50Ms === null ? '—' : `${figures.p50Ms} / ${figures.p95Ms}`;
            }),
          ]),
        )),
    '',
    '## Drift and conflicts per field',
    '',
    ...markdownTable(
      ['Field', 'Matrix rule', 'Differences', 'New', 'Resolved', 'Open at end', 'By follower', 'Conflicts', 'Winners'],
      report.fields.map((field) => [
        `${field.entity}.${field.field}`,
        ruleText(field.rule),
        count(field.differences),
        count(field.newDifferences),
        count(field.resolved),
        count(field.openAtEnd),
        followersText(field.byFollower),
        count(field.conflicts),
        outcomesText(field.outcomes),
      ]),
    ),
    '',
    '## Alerts and dead letters',
    '',
    ...markdownTable(
      ALERT_TABLE_HEAD,
      alertRows(report).map((alert) => alert.cells),
    ),
    '',
    `${count(report.deadLetters.total)} job${report.deadLetters.total === 1 ? '' : 's'} dead-lettered in ${period.title} and not replayed since. ` +
      'Replay one with `npm run outbox -- replay <id>`.',
    '',
    ...(report.deadLetters.total === 0
      ? []
      : [
          ...markdownTable(
            ['Job', 'System', 'Operation', 'Entity', 'Attempts', 'Dead since', 'Last error'],
            report.deadLetters.latest.map((job) => [
              `\`${job.id}\``, job.system, job.operation, `${job.entity} ${job.entityId}`, String(job.attempts),
              job.deadSince.toISOString(), (job.lastError ?? '').slice(0, 160),
            ]),
          ),
          '',
        ]),
    ...maintenanceMarkdown(report.maintenance, markdownTable),
    '## How these figures are made',
    '',
    ...FIGURE_NOTES.map((note) => `- ${note}`),
    '',
  ];
  return lines.join('\n');
}

/** The quarterly Source-of-Truth review in Markdown. */
export function renderReviewMarkdown(review: SourceOfTruthReview): string {
  const { period } = review;
  const lines = [
    `# Source-of-Truth review: ${period.title}`,
    '',
    `The fields whose systems disagreed most in ${period.title} (UTC), each with the rule of \`schema/source-of-truth.yaml\` ` +
      `that decided them, from ${review.source}. Written by \`npm run report -- --quarter ${period.label}\` on ` +
      `${review.generatedAt.toISOString()}.`,
    '',
    '## The fields with the most drift and conflicts',
    '',
    ...markdownTable(
      ['#', 'Field', 'Owner', 'Followers', 'Direction', 'Conflict rule', 'Differences', 'By follower', 'Conflicts', 'Winners'],
      review.fields.map((field, index) => [
        String(index + 1),
        `${field.entity}.${field.field}`,
        field.rule ? ownerText(field.rule.owner) : '—',
        field.rule ? field.rule.followers.join(', ') || 'none' : '—',
        field.rule ? directionText(field.rule.direction) : '—',
        field.rule ? conflictText(field.rule.conflict) : 'no rule in the matrix',
        count(field.differences),
        followersText(field.byFollower),
        count(field.conflicts),
        outcomesText(field.outcomes),
      ]),
    ),
    '',
    ...review.fields
      .filter((field) => field.questions.length > 0)
      .flatMap((field) => [`### To discuss: ${field.entity}.${field.field}`, '', ...field.questions.map((question) => `- ${question}`), '']),
    '## Bidirectional fields without conflicts',
    '',
    ...(review.quietBidirectional.length === 0
      ? ['Every bidirectional field met conflicts this quarter.']
      : review.quietBidirectional.map(
          ({ entity, field }) =>
            `- **${entity}.${field}** met no conflict: bidirectional flow costs more than owner → followers; ask whether both systems still need to change it.`,
        )),
    '',
  ];
  return lines.join('\n');
}
