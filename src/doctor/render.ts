import { esc, htmlPage } from '../html/page';
import type { DoctorCheck } from '../systems/kit/doctor';
import type { DoctorReport, SystemReadiness } from './types';

const MARK: Record<DoctorCheck['status'], string> = { ok: 'ok', warn: 'warn', fail: 'FAIL' };

const latencyText = (system: SystemReadiness): string =>
  system.latency ? `p50 ${system.latency.p50Ms.toFixed(1)} ms, p95 ${system.latency.p95Ms.toFixed(1)} ms over ${system.latency.samples} reads` : 'not measured';

const headersText = (system: SystemReadiness): string =>
  Object.entries(system.rateLimitHeaders).map(([name, value]) => `${name}: ${value}`).join('; ') || 'none seen';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The readiness report as Markdown: a verdict table, then each system's checks, figures and data-quality sample. */
export function renderDoctorMarkdown(report: DoctorReport): string {
  const lines = [
    '# Readiness report (npm run doctor)',
    '',
    `Probed ${report.generatedAt.toISOString()} against ${report.mode === 'sandboxes' ? 'the sandboxes (PLUGBOARD_SANDBOXES=on)' : 'the estate\'s real systems'}: ` +
      (report.ready ? '**every system is ready**.' : `**${report.systems.filter((system) => !system.ready).length} system(s) not ready**.`),
    '',
    '| system | verdict | API version | latency | rate-limit headers |',
    '|---|---|---|---|---|',
    ...report.systems.map((system) =>
      `| ${system.system} | ${system.ready ? 'ready' : '**not ready**'} | ${cell(system.apiVersion ?? '?')} | ${latencyText(system)} | ${cell(headersText(system))} |`,
    ),
  ];
  for (const system of report.systems) {
    lines.push('', `## ${system.system}: ${system.ready ? 'ready' : 'not ready'}`, '', `${system.title}, probed at ${system.target}.`, '');
    for (const check of system.checks) {
      lines.push(`- ${MARK[check.status]} **${check.name}**: ${check.detail}${check.action ? `. To do: ${check.action}.` : ''}`);
    }
    for (const sample of system.dataQuality) {
      lines.push(
        '',
        `Data quality, ${sample.records} ${sample.source}: ${sample.duplicateEmails.length} duplicate e-mail(s)` +
          `${sample.duplicateEmails.length ? ` (${sample.duplicateEmails.slice(0, 10).join(', ')})` : ''}, ${sample.invalidEmails.length} invalid` +
          `${sample.invalidEmails.length ? ` (${sample.invalidEmails.slice(0, 10).join(', ')})` : ''}` +
          `${sample.withoutCustomer === undefined ? '' : `, ${sample.withoutCustomer} without a customer`}.`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const CSS = `body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d8dde6;padding:.35rem .5rem;text-align:left;vertical-align:top}
.ok{color:#1a7f37}.warn{color:#9a6700}.fail{color:#cf222e;font-weight:600}section{margin-top:2rem}li{margin:.2rem 0}`;

/** The readiness report as one self-contained HTML page, in the product's page shell. */
export function renderDoctorHtml(report: DoctorReport): string {
  const table = `<section><table><thead><tr><th>system</th><th>verdict</th><th>API version</th><th>latency</th><th>rate-limit headers</th></tr></thead><tbody>
${report.systems
  .map(
    (system) =>
      `<tr><td>${esc(system.system)}</td><td class="${system.ready ? 'ok' : 'fail'}">${system.ready ? 'ready' : 'not ready'}</td><td>${esc(system.apiVersion ?? '?')}</td><td>${esc(latencyText(system))}</td><td>${esc(headersText(system))}</td></tr>`,
  )
  .join('\n')}
</tbody></table></section>`;
  const sections = report.systems.map((system) => {
    const checks = system.checks
      .map((check) => `<li class="${check.status}">${MARK[check.status]} <b>${esc(check.name)}</b>: ${esc(check.detail)}${check.action ? `. To do: ${esc(check.action)}.` : ''}</li>`)
      .join('\n');
    const samples = system.dataQuality
      .map(
        (sample) =>
          `<p>Data quality, ${sample.records} ${esc(sample.source)}: ${sample.duplicateEmails.length} duplicate e-mail(s), ${sample.invalidEmails.length} invalid${sample.withoutCustomer === undefined ? '' : `, ${sample.withoutCustomer} without a customer`}.</p>`,
      )
      .join('\n');
    return `<section><h2>${esc(system.system)}: <span class="${system.ready ? 'ok' : 'fail'}">${system.ready ? 'ready' : 'not ready'}</span></h2>
<p>${esc(system.title)}, probed at ${esc(system.target)}.</p><ul>${checks}</ul>${samples}</section>`;
  });
  const intro = `<p>Probed ${esc(report.generatedAt.toISOString())} against ${report.mode === 'sandboxes' ? 'the sandboxes' : 'the estate\'s real systems'}: <b class="${report.ready ? 'ok' : 'fail'}">${report.ready ? 'every system is ready' : `${report.systems.filter((system) => !system.ready).length} system(s) not ready`}</b>.</p>`;
  return htmlPage({ title: 'Readiness report', intro, sections: [table, ...sections], css: CSS });
}
