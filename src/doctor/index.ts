import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderDoctorHtml, renderDoctorMarkdown } from './render';
import type { DoctorReport } from './types';

export { runDoctor, quantile, type RunDoctorOptions } from './run-doctor';
export { renderDoctorHtml, renderDoctorMarkdown } from './render';
export type { DoctorReport, LatencyFigures, SystemReadiness } from './types';

/** Writes the report to `outDir` as `readiness.md` and `readiness.html`; answers their paths. */
export async function writeDoctorReport(report: DoctorReport, outDir: string): Promise<{ markdown: string; html: string }> {
  await mkdir(outDir, { recursive: true });
  const markdown = path.join(outDir, 'readiness.md');
  const html = path.join(outDir, 'readiness.html');
  await writeFile(markdown, renderDoctorMarkdown(report));
  await writeFile(html, renderDoctorHtml(report));
  return { markdown, html };
}
