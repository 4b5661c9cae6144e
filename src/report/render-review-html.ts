import { conflictText, directionText, ownerText } from '../integration-map/describe';
import { count, followersText, outcomesText } from './format';
import { esc, page, section, table } from './page';
import type { SourceOfTruthReview } from './review';
import { barChart } from './svg-charts';

/** The quarterly Source-of-Truth review as one HTML page with an inline SVG chart. */
export function renderReviewHtml(review: SourceOfTruthReview): string {
  const { period } = review;
  const title = `Source-of-Truth review: ${period.title}`;
  const intro = `<p>The fields whose systems disagreed most in ${esc(period.title)} (UTC), each with the rule of
  <code>schema/source-of-truth.yaml</code> that decided them, from the drift and conflict tables of ${esc(review.source)}.
  Written by <code>npm run report -- --quarter ${esc(period.label)}</code> on ${esc(review.generatedAt.toISOString())}.</p>`;
  const rows = review.fields.map((field, index) => [
    esc(String(index + 1)),
    esc(`${field.entity}.${field.field}`),
    esc(field.rule ? ownerText(field.rule.owner) : '—'),
    esc(field.rule ? field.rule.followers.join(', ') || 'none' : '—'),
    esc(field.rule ? directionText(field.rule.direction) : '—'),
    esc(field.rule ? conflictText(field.rule.conflict) : 'no rule in the matrix'),
    esc(count(field.differences)),
    esc(followersText(field.byFollower)),
    esc(count(field.conflicts)),
    esc(outcomesText(field.outcomes)),
    field.questions.length === 0 ? '' : `<ul class="questions">${field.questions.map((question) => `<li>${esc(question)}</li>`).join('')}</ul>`,
  ]);
  const chart = review.fields.length === 0 ? '' : barChart({
    id: 'review',
    title: 'Drift differences and conflicts per field, the most first',
    unit: 'differences and conflicts',
    bars: review.fields.map((field) => ({
      label: `${field.entity}.${field.field}`,
      segments: [
        { key: 'differences', label: 'drift differences', colour: '#edae49', value: field.differences },
        { key: 'conflicts', label: 'conflicts', colour: '#6a4c93', value: field.conflicts },
      ],
    })),
  });
  const fieldsTable = table(
    'review',
    ['#', 'Field', 'Owner', 'Followers', 'Direction', 'Conflict rule', 'Differences', 'By follower', 'Conflicts', 'Winners', 'To discuss'],
    rows,
    (index) => `data-field="${esc(`${review.fields[index]!.entity}.${review.fields[index]!.field}`)}"`,
  );
  const quiet = review.quietBidirectional.length === 0
    ? '<p class="none">Every bidirectional field met conflicts this quarter.</p>'
    : `<ul>${review.quietBidirectional.map(({ entity, field }) => `<li data-field="${esc(`${entity}.${field}`)}"><strong>${esc(`${entity}.${field}`)}</strong> met no conflict: bidirectional flow costs more than owner → followers; ask whether both systems still need to change it.</li>`).join('')}</ul>`;
  return page(title, intro, [
    section('fields', 'The fields with the most drift and conflicts', `${fieldsTable}\n${chart}`),
    section('quiet', 'Bidirectional fields without conflicts', quiet),
  ]);
}
