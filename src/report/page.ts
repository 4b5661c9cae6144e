import { esc, htmlPage } from '../html/page';

/** Internal to src/report: the page both reports are printed on: one self-contained HTML file, no script, no request. */

export { esc };

export function page(title: string, intro: string, sections: readonly string[]): string {
  return htmlPage({ title, intro, sections, css: CSS });
}

export function section(id: string, heading: string, body: string): string {
  return `<section id="${esc(id)}" aria-labelledby="${esc(id)}-heading">\n<h2 id="${esc(id)}-heading">${esc(heading)}</h2>\n${body}\n</section>`;
}

/** A table: header cells, then rows of cells already escaped (or built from escaped parts). */
export function table(className: string, head: readonly string[], rows: readonly (readonly string[])[], rowData?: (index: number) => string): string {
  if (rows.length === 0) return '<p class="none">Nothing recorded.</p>';
  const header = head.map((cell) => `<th>${esc(cell)}</th>`).join('');
  const body = rows
    .map((cells, index) => `<tr${rowData ? ` ${rowData(index)}` : ''}>${cells.map((cell, column) => (column === 0 ? `<th>${cell}</th>` : `<td>${cell}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<div class="table-wrap"><table class="${esc(className)}"><thead><tr>${header}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

const CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d7dce5; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1080px; padding: 24px 20px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
header p, .note, .none { color: var(--muted); margin: 4px 0; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.table-wrap { overflow-x: auto; margin: 8px 0 14px; }
table { width: 100%; border-collapse: collapse; font-size: 12.5px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #f1f4f9; font-weight: 600; }
tbody th { font-weight: 600; white-space: nowrap; }
ul.advice { padding-left: 20px; }
ul.advice li { margin: 6px 0; }
ul.advice strong { font-weight: 700; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 24px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0 16px; border: 1px solid var(--line); border-radius: 8px; background: #fbfcfe; padding: 6px; overflow: visible; }
svg.chart .chart-title { font-size: 13px; font-weight: 700; fill: var(--ink); }
svg.chart .tick, svg.chart .value, svg.chart .axis-label { font-size: 11px; fill: var(--muted); }
svg.chart .axis-label { fill: var(--ink); }
svg.chart .grid { stroke: #e6e9ef; stroke-width: 1; }
svg.chart .reference { stroke: #b3261e; stroke-width: 1.4; stroke-dasharray: 6 4; }
svg.chart .reference-label { font-size: 11px; fill: #b3261e; }
.rule { white-space: nowrap; }
.questions { margin: 0; padding-left: 18px; color: var(--muted); }
`;
