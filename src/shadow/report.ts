import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EntityReconciliation } from './compare';

/** One reconciliation run: a day's (or a synthetic run's) result for each entity. */
export interface ReconciliationReport {
  /** `daily`: the site's store against the legacy shop; `synthetic`: generated sources with planted differences. */
  readonly kind: 'daily' | 'synthetic';
  readonly day: string;
  readonly timeZone: string;
  readonly generatedAt: string;
  /** No entity has a mismatch or a missing record. */
  readonly clean: boolean;
  readonly entities: readonly EntityReconciliation[];
  /** Figures of the run itself (records per second, peak memory), for synthetic runs. */
  readonly run?: Readonly<Record<string, number | string>>;
  /** Synthetic runs: per entity, what was planted and whether exactly that was found. */
  readonly planted?: readonly unknown[];
}

export function isClean(result: EntityReconciliation): boolean {
  return result.mismatches === 0 && result.missingInStore === 0 && result.missingInLegacy === 0;
}

/** Writes the report as Markdown and JSON in `dir`; answers both paths. */
export async function writeReconciliationReport(report: ReconciliationReport, dir: string, baseName: string): Promise<{ markdown: string; json: string }> {
  await mkdir(dir, { recursive: true });
  const markdown = path.join(dir, `${baseName}.md`);
  const json = path.join(dir, `${baseName}.json`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(markdown, renderMarkdown(report));
  return { markdown, json };
}

const cell = (value: string | null): string => (value === null ? '_(empty)_' : `\`${value.replace(/`/g, "'").replace(/\|/g, '\\|')}\``);

export function renderMarkdown(report: ReconciliationReport): string {
  const lines: string[] = [
    `# Reconciliation ${report.kind === 'synthetic' ? '(synthetic) ' : ''}${report.day}`,
    '',
    report.kind === 'daily'
      ? `The site's store against the legacy shop: every record either side changed on ${report.day} (${report.timeZone}), field by field.`
      : `Generated sources with planted differences (${report.timeZone}); nothing was recorded for the cutover gate.`,
    '',
    `**${report.clean ? 'Clean' : 'Not clean'}**, generated ${report.generatedAt}.`,
    '',
    '| entity | records | matches | mismatches | missing in store | missing in legacy | clean |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...report.entities.map(
      (entity) =>
        `| ${entity.entity} | ${entity.records} | ${entity.matches} | ${entity.mismatches} | ${entity.missingInStore} | ${entity.missingInLegacy} | ${isClean(entity) ? 'yes' : 'no'} |`,
    ),
  ];
  for (const entity of report.entities) {
    lines.push('', `## ${entity.entity}`, '', '| field | matches | mismatches |', '|---|---:|---:|');
    lines.push(...entity.byField.map((tally) => `| ${tally.field} | ${tally.matches} | ${tally.mismatches} |`));
    if (entity.samples.mismatches.length > 0) {
      lines.push('', `Mismatches (first ${entity.samples.mismatches.length} of ${entity.mismatches}):`, '', '| id | field | store | legacy |', '|---|---|---|---|');
      for (const sample of entity.samples.mismatches) {
        for (const field of sample.fields) lines.push(`| ${sample.id} | ${field.field} | ${cell(field.store)} | ${cell(field.legacy)} |`);
      }
    }
    const missing = (label: string, ids: readonly string[], total: number) => {
      if (ids.length > 0) lines.push('', `${label} (first ${ids.length} of ${total}): ${ids.join(', ')}`);
    };
    missing('Missing in the store (only the legacy shop has them)', entity.samples.missingInStore, entity.missingInStore);
    missing('Missing in the legacy shop (only the store has them)', entity.samples.missingInLegacy, entity.missingInLegacy);
  }
  if (report.run) {
    lines.push('', '## The run', '', '| figure | value |', '|---|---|', ...Object.entries(report.run).map(([key, value]) => `| ${key} | ${value} |`));
  }
  return `${lines.join('\n')}\n`;
}
