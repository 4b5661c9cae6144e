import { esc } from '../html/page';

/**
 * Internal to src/report: the report's charts as inline SVG, drawn here so that the page is one file that any browser
 * (or a mail client, or a PDF printer) shows without a script, a font or a request. Every mark carries its figure in
 * `data-*` attributes and a <title>, so a reader can hover it and a test can read it back.
 */

/** One part of a bar: a kind of figure, its value and its colour. */
export interface BarSegment {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly colour: string;
}

export interface BarChartOptions {
  /** Names the chart for tests and styles (`data-chart`). */
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly { readonly label: string; readonly segments: readonly BarSegment[]; readonly note?: string }[];
}

const WIDTH = 760;
const FONT = 'font-family="system-ui, sans-serif"';

/** Horizontal bars, one per label, each stacked from its segments, with a legend of the segment kinds. */
export function barChart(options: BarChartOptions): string {
  const rowHeight = 26;
  const left = 190;
  const right = 110;
  const top = 34;
  const keys = uniqueSegments(options.bars);
  const legendHeight = keys.length > 0 ? 26 : 0;
  const height = top + options.bars.length * rowHeight + 28 + legendHeight;
  const max = niceCeiling(Math.max(0, ...options.bars.map((bar) => sum(bar.segments))));
  const plot = WIDTH - left - right;
  const x = (value: number) => (max === 0 ? 0 : (value / max) * plot);

  const rows = options.bars.map((bar, index) => {
    const y = top + index * rowHeight;
    let offset = 0;
    const rects = bar.segments
      .filter((segment) => segment.value > 0)
      .map((segment) => {
        const rect = `<rect class="bar" x="${fix(left + x(offset))}" y="${y + 4}" width="${fix(Math.max(1, x(segment.value)))}" height="${rowHeight - 8}" ` +
          `fill="${segment.colour}" data-label="${esc(bar.label)}" data-key="${esc(segment.key)}" data-value="${segment.value}">` +
          `<title>${esc(`${bar.label}: ${segment.value} ${segment.label}`)}</title></rect>`;
        offset += segment.value;
        return rect;
      })
      .join('');
    const total = sum(bar.segments);
    return `<text x="${left - 8}" y="${y + rowHeight / 2 + 4}" text-anchor="end" class="axis-label">${esc(bar.label)}</text>${rects}` +
      `<text x="${fix(left + x(total) + 6)}" y="${y + rowHeight / 2 + 4}" class="value">${esc(bar.note ?? String(total))}</text>`;
  });
  const axisY = top + options.bars.length * rowHeight + 4;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((part) => {
    const tx = fix(left + part * plot);
    return `<line x1="${tx}" y1="${top}" x2="${tx}" y2="${axisY}" class="grid"/><text x="${tx}" y="${axisY + 14}" text-anchor="middle" class="tick">${formatTick(max * part)}</text>`;
  });
  const legend = legendOf(keys, axisY + 30);
  return svg(options.id, options.title, height, [
    `<text x="0" y="18" class="chart-title">${esc(options.title)}</text>`,
    `<text x="${WIDTH}" y="18" text-anchor="end" class="tick">${esc(options.unit)}</text>`,
    ...ticks,
    ...rows,
    legend,
  ]);
}

/** One line of a line chart; null values leave a gap (a day with no calls). */
export interface LineSeries {
  readonly key: string;
  readonly label: string;
  readonly colour: string;
  readonly values: readonly (number | null)[];
  readonly dashed?: boolean;
}

export interface LineChartOptions {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  /** One label per point of every series, e.g. the days of the month. */
  readonly xLabels: readonly string[];
  readonly series: readonly LineSeries[];
  /** A horizontal line to compare with, e.g. the system's timeout. */
  readonly reference?: { readonly value: number; readonly label: string };
  /** Extra attributes for the <svg>, e.g. the system it is about. */
  readonly data?: Readonly<Record<string, string>>;
}

/** Lines over a shared x axis (days), with dots on each point, an optional reference line and a legend. */
export function lineChart(options: LineChartOptions): string {
  const left = 64;
  const right = 16;
  const top = 30;
  const plotHeight = 150;
  const height = top + plotHeight + 30 + 24;
  const plot = WIDTH - left - right;
  const values = options.series.flatMap((series) => series.values.filter((value): value is number => value !== null));
  const max = niceCeiling(Math.max(0, ...values, options.reference?.value ?? 0));
  const count = Math.max(1, options.xLabels.length - 1);
  const x = (index: number) => left + (index / count) * plot;
  const y = (value: number) => top + plotHeight - (max === 0 ? 0 : (value / max) * plotHeight);

  const grid = [0, 0.25, 0.5, 0.75, 1].map((part) => {
    const gy = fix(y(max * part));
    return `<line x1="${left}" y1="${gy}" x2="${WIDTH - right}" y2="${gy}" class="grid"/><text x="${left - 6}" y="${fix(Number(gy) + 4)}" text-anchor="end" class="tick">${formatTick(max * part)}</text>`;
  });
  const step = Math.max(1, Math.ceil(options.xLabels.length / 10));
  const xTicks = options.xLabels
    .map((label, index) => (index % step === 0 ? `<text x="${fix(x(index))}" y="${top + plotHeight + 16}" text-anchor="middle" class="tick">${esc(label)}</text>` : ''))
    .join('');
  const reference = options.reference
    ? `<line x1="${left}" y1="${fix(y(options.reference.value))}" x2="${WIDTH - right}" y2="${fix(y(options.reference.value))}" class="reference" data-value="${options.reference.value}"/>` +
      `<text x="${WIDTH - right}" y="${fix(y(options.reference.value) - 4)}" text-anchor="end" class="reference-label">${esc(options.reference.label)}</text>`
    : '';
  const lines = options.series.map((series) => {
    const points = series.values.flatMap((value, index) => (value === null ? [] : [{ index, value }]));
    const path = segmentsOf(series.values)
      .map((run) => run.map(({ index, value }, at) => `${at === 0 ? 'M' : 'L'}${fix(x(index))},${fix(y(value))}`).join(' '))
      .join(' ');
    const dots = points
      .map(({ index, value }) => `<circle class="point" cx="${fix(x(index))}" cy="${fix(y(value))}" r="2.6" fill="${series.colour}" data-key="${esc(series.key)}" data-value="${value}"><title>${esc(`${options.xLabels[index] ?? ''} ${series.label}: ${value} ${options.unit}`)}</title></circle>`)
      .join('');
    return `<path class="series" d="${path}" fill="none" stroke="${series.colour}" stroke-width="2"${series.dashed ? ' stroke-dasharray="5 4"' : ''} ` +
      `data-key="${esc(series.key)}" data-points="${points.length}"/>${dots}`;
  });
  const legend = legendOf(options.series.map((series) => ({ key: series.key, label: series.label, colour: series.colour })), top + plotHeight + 40);
  return svg(options.id, options.title, height, [
    `<text x="0" y="18" class="chart-title">${esc(options.title)}</text>`,
    `<text x="${WIDTH}" y="18" text-anchor="end" class="tick">${esc(options.unit)}</text>`,
    ...grid,
    xTicks,
    reference,
    ...lines,
    legend,
  ], options.data);
}

function svg(id: string, title: string, height: number, parts: readonly string[], data: Readonly<Record<string, string>> = {}): string {
  const attributes = Object.entries(data).map(([name, value]) => ` data-${name}="${esc(value)}"`).join('');
  return `<svg class="chart" data-chart="${esc(id)}"${attributes} role="img" aria-label="${esc(title)}" viewBox="0 0 ${WIDTH} ${height}" ` +
    `width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg" ${FONT}>${parts.join('')}</svg>`;
}

function legendOf(keys: readonly { key: string; label: string; colour: string }[], y: number): string {
  let x = 0;
  return keys
    .map((entry) => {
      const item = `<g class="legend-item" data-key="${esc(entry.key)}"><rect x="${x}" y="${y - 10}" width="12" height="12" rx="2" fill="${entry.colour}"/>` +
        `<text x="${x + 17}" y="${y}" class="tick">${esc(entry.label)}</text></g>`;
      x += 30 + entry.label.length * 6.6;
      return item;
    })
    .join('');
}

/** The kinds of segment that appear in some bar, in the order the bars stack them. */
function uniqueSegments(bars: BarChartOptions['bars']): { key: string; label: string; colour: string }[] {
  const seen = new Map<string, { key: string; label: string; colour: string }>();
  const longest = Math.max(0, ...bars.map((bar) => bar.segments.length));
  for (let position = 0; position < longest; position += 1) {
    for (const bar of bars) {
      const segment = bar.segments[position];
      if (segment && segment.value > 0 && !seen.has(segment.key)) seen.set(segment.key, segment);
    }
  }
  return [...seen.values()];
}

/** Runs of consecutive non-null values, so that a line breaks where data is missing. */
function segmentsOf(values: readonly (number | null)[]): { index: number; value: number }[][] {
  const runs: { index: number; value: number }[][] = [];
  let current: { index: number; value: number }[] = [];
  values.forEach((value, index) => {
    if (value === null) {
      if (current.length) runs.push(current);
      current = [];
    } else current.push({ index, value });
  });
  if (current.length) runs.push(current);
  return runs;
}

/** The smallest 1, 2, 2.5 or 5 × 10^n at or above a value, so that axes end on a round figure. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 0;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((candidate) => candidate * magnitude >= value) ?? 10;
  return step * magnitude;
}

const sum = (segments: readonly BarSegment[]): number => segments.reduce((total, segment) => total + segment.value, 0);
const fix = (value: number): string => (Math.round(value * 10) / 10).toString();
const formatTick = (value: number): string => (Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1));
