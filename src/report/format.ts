import type { Database } from '../db';
import type { FieldRule } from '../domain/source-of-truth';
import { conflictText, directionText, ownerText } from '../integration-map/describe';
import type { FieldReview } from './review';

/** Internal to src/report: how figures are written, the same in the HTML, the Markdown and the recommendations. */

/** A share as a percentage with two decimals: 0.038216 → "3.82%". */
export const percent = (share: number): string => `${(share * 100).toFixed(2)}%`;

/** A duration: "140 ms"; "—" when there was nothing to measure. */
export const millis = (ms: number | null): string => (ms === null ? '—' : `${ms} ms`);

/** A count with thousands separated: 12345 → "12,345". */
export const count = (value: number): string => value.toLocaleString('en-US');


/** A matrix rule in one line: "store → crm, erp · owner → followers · owner wins". */
export function ruleText(rule: FieldRule | undefined): string {
  if (!rule) return 'no rule in the matrix';
  const followers = rule.followers.length > 0 ? rule.followers.join(', ') : 'no followers';
  return `${ownerText(rule.owner)} → ${followers} · ${directionText(rule.direction)} · ${conflictText(rule.conflict)}`;
}

/** Who won the conflicts: "erp over store 3, store over erp 2". */
export const outcomesText = (outcomes: FieldReview['outcomes']): string =>
  outcomes.map((outcome) => `${outcome.winner} over ${outcome.loser} ${outcome.conflicts}`).join(', ') || '—';

/** Differences by follower: "crm 3, erp 1". */
export const followersText = (byFollower: FieldReview['byFollower']): string =>
  byFollower.map((entry) => `${entry.system} ${entry.differences}`).join(', ') || '—';

/** The database a report was read from, never with its password. */
export const sourceText = (db: Database): string =>
  db.dialect === 'sqlite' ? 'the embedded SQLite database' : 'PostgreSQL (DATABASE_URL)';
