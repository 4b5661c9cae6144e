import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../db';
import type { LoadedIntegrationMap } from '../integration-map';
import { buildMonthlyHealthReport } from './health';
import type { ReportPeriod } from './period';
import { renderHealthReportHtml } from './render-health-html';
import { renderHealthReportMarkdown, renderReviewMarkdown } from './render-markdown';
import { renderReviewHtml } from './render-review-html';
import { buildSourceOfTruthReview } from './review';

/** The files a report was written to. */
export interface WrittenReport {
  readonly html: string;
  readonly markdown: string;
}

/**
 * Builds the report of a period (a month: the health report; a quarter: the Source-of-Truth review) and writes it to
 * `outDir` as `health-<YYYY-MM>.html/.md` or `source-of-truth-review-<YYYY-Qn>.html/.md`.
 */
export async function writeReport(db: Database, loaded: LoadedIntegrationMap, period: ReportPeriod, outDir: string, now = new Date()): Promise<WrittenReport> {
  let files: { name: string; html: string; markdown: string };
  switch (period.kind) {
    case 'month': {
      const report = await buildMonthlyHealthReport(db, loaded, period, now);
      files = { name: `health-${period.label}`, html: renderHealthReportHtml(report), markdown: renderHealthReportMarkdown(report) };
      break;
    }
    case 'quarter': {
      const review = await buildSourceOfTruthReview(db, loaded.matrix, period, now);
      files = { name: `source-of-truth-review-${period.label}`, html: renderReviewHtml(review), markdown: renderReviewMarkdown(review) };
      break;
    }
  }
  await mkdir(outDir, { recursive: true });
  const html = path.join(outDir, `${files.name}.html`);
  const markdown = path.join(outDir, `${files.name}.md`);
  await writeFile(html, files.html);
  await writeFile(markdown, files.markdown);
  return { html, markdown };
}
