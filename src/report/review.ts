import type { Database } from '../db';
import { ruleFor, type FieldRule, type SourceOfTruthMatrix } from '../domain/source-of-truth';
import { sourceText } from './format';
import type { ReportPeriod } from './period';
import { createReportQueries, type ReportQueries } from './queries';

/** One field of the matrix as the quarter treated it: how often its systems disagreed, and the rule that decided. */
export interface FieldReview {
  readonly entity: string;
  /** The field, or 'version' when whole records were compared. */
  readonly field: string;
  /** The matrix's rule for the field; undefined when the matrix has none (e.g. whole-record conflicts). */
  readonly rule: FieldRule | undefined;
  /** Differences between the owner and a follower seen in the quarter (one per distinct follower value). */
  readonly differences: number;
  readonly newDifferences: number;
  readonly resolved: number;
  readonly openAtEnd: number;
  /** Differences by follower system. */
  readonly byFollower: readonly { readonly system: string; readonly differences: number }[];
  /** Conflicts decided in the quarter. */
  readonly conflicts: number;
  /** Who won how often, and under which recorded rule. */
  readonly outcomes: readonly { readonly winner: string; readonly loser: string; readonly rule: string; readonly conflicts: number }[];
  /** Questions for the review meeting, derived from the figures and the rule. */
  readonly questions: readonly string[];
}

export interface SourceOfTruthReview {
  readonly period: ReportPeriod;
  readonly generatedAt: Date;
  /** Which database the figures come from, in words. */
  readonly source: string;
  /** Fields with drift or conflicts, the most first. */
  readonly fields: readonly FieldReview[];
  /** Bidirectional fields of the matrix that met no conflict in the quarter. */
  readonly quietBidirectional: readonly { readonly entity: string; readonly field: string }[];
}

/** The quarterly Source-of-Truth review: the fields with the most drift and conflicts, with the rule that decided them. */
export async function buildSourceOfTruthReview(
  db: Database,
  matrix: SourceOfTruthMatrix,
  period: ReportPeriod,
  now: Date = new Date(),
): Promise<SourceOfTruthReview> {
  const fields = await reviewFields(createReportQueries(db), matrix, period.from, period.to);
  const quietBidirectional = Object.entries(matrix.entities).flatMap(([entity, rules]) =>
    Object.entries(rules.fields)
      .filter(([field, rule]) => rule.direction === 'bidirectional' && !fields.some((seen) => seen.entity === entity && seen.field === field && seen.conflicts > 0))
      .map(([field]) => ({ entity, field })),
  );
  return { period, generatedAt: now, source: sourceText(db), fields, quietBidirectional };
}

/**
 * Drift and conflicts between `from` and `to`, per field (a conflict over several fields counts for each), with the
 * matrix's rule for each field; the fields with the most first.
 */
export async function reviewFields(queries: ReportQueries, matrix: SourceOfTruthMatrix, from: Date, to: Date): Promise<FieldReview[]> {
  const [drift, conflicts] = await Promise.all([queries.drift(from, to), queries.conflicts(from, to)]);

  type Tally = {
    entity: string;
    field: string;
    differences: number;
    newDifferences: number;
    resolved: number;
    openAtEnd: number;
    conflicts: number;
    byFollower: Map<string, number>;
    outcomes: Map<string, { winner: string; loser: string; rule: string; conflicts: number }>;
  };
  const tallies = new Map<string, Tally>();
  const tallyOf = (entity: string, field: string): Tally => {
    const key = `${entity}.${field}`;
    let tally = tallies.get(key);
    if (!tally) {
      tally = { entity, field, differences: 0, newDifferences: 0, resolved: 0, openAtEnd: 0, conflicts: 0, byFollower: new Map(), outcomes: new Map() };
      tallies.set(key, tally);
    }
    return tally;
  };

  for (const row of drift) {
    const tally = tallyOf(row.entity, row.field);
    tally.differences += row.differences;
    tally.newDifferences += row.newDifferences;
    tally.resolved += row.resolved;
    tally.openAtEnd += row.openAtEnd;
    tally.byFollower.set(row.followerSystem, (tally.byFollower.get(row.followerSystem) ?? 0) + row.differences);
  }
  for (const row of conflicts) {
    // A conflict over several fields at once counts for each of them.
    for (const field of row.field.split(',').map((name) => name.trim()).filter(Boolean)) {
      const tally = tallyOf(row.entity, field);
      tally.conflicts += row.conflicts;
      const key = `${row.winnerSystem}>${row.loserSystem}>${row.rule}`;
      const outcome = tally.outcomes.get(key) ?? { winner: row.winnerSystem, loser: row.loserSystem, rule: row.rule, conflicts: 0 };
      outcome.conflicts += row.conflicts;
      tally.outcomes.set(key, outcome);
    }
  }

  return [...tallies.values()]
    .map((tally): FieldReview => {
      const rule = ruleFor(matrix, tally.entity, tally.field);
      const review = {
        ...tally,
        rule,
        byFollower: [...tally.byFollower].map(([system, differences]) => ({ system, differences })).sort((a, b) => b.differences - a.differences || a.system.localeCompare(b.system)),
        outcomes: [...tally.outcomes.values()].sort((a, b) => b.conflicts - a.conflicts || a.winner.localeCompare(b.winner)),
      };
      return { ...review, questions: questionsFor(review) };
    })
    .sort((a, b) => b.differences + b.conflicts - (a.differences + a.conflicts) || a.entity.localeCompare(b.entity) || a.field.localeCompare(b.field));
}

/** What the review meeting should ask about a field, given its figures and its rule. */
function questionsFor(review: Omit<FieldReview, 'questions'>): string[] {
  const questions: string[] = [];
  const { rule } = review;
  if (!rule) {
    questions.push('The matrix has no rule for this field: decide who owns it, or record conflicts per field.');
    return questions;
  }
  if (review.differences > 0 && rule.direction === 'owner-to-followers') {
    const followers = review.byFollower.map((entry) => entry.system).join(', ');
    questions.push(
      `${review.differences} difference${review.differences === 1 ? '' : 's'} between the owner and ${followers}: is the follower ` +
        `sync failing (see the dead letters), or do people edit the field in ${followers}? If they must, it needs a ` +
        'bidirectional rule; if not, close it to edits there.',
    );
  }
  if (review.openAtEnd > 0) questions.push(`${review.openAtEnd} difference${review.openAtEnd === 1 ? ' was' : 's were'} still open at the end of the quarter.`);
  const [top] = review.outcomes;
  if (rule.direction === 'bidirectional' && top && review.conflicts >= 4 && top.conflicts / review.conflicts >= 0.75) {
    questions.push(
      `${top.winner} won ${top.conflicts} of ${review.conflicts} conflicts: if it is where the field really changes, make it the owner ` +
        '(owner → followers is cheaper than bidirectional).',
    );
  }
  return questions;
}
