import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { openDatabase, parseDatabaseUrl } from '../../src/db';
import { describeInBrowser, launchChromium, readPng, type LaunchedChromium } from '../support/browser';
import { testDatabases, type TestDatabase } from '../support/databases';
import { DEAD_LETTER_IDS, seedReportMonth } from '../support/report-month';
import { scratchDatabase } from '../support/scratch-database';

const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

/** `npm run report -- <args>`, as the package script runs it, in a child process. */
function npmRunReport(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['-r', '@swc-node/register', 'src/cli/report.ts', ...args], { cwd: ROOT, env, timeout: 60_000 });
}

interface Prepared {
  readonly dataDir: string;
  readonly monthStdout: string;
  readonly quarterStdout: string;
  readonly monthMarkdown: string;
  readonly quarterMarkdown: string;
  readonly monthHtml: string;
  readonly quarterHtml: string;
  close(): Promise<void>;
}

/**
 * Seeds November 2026 into a database of its own (a SQLite file in a data folder, or a scratch PostgreSQL database)
 * and runs the report command on it as a user would: the month into --out, the quarter into the default folder.
 */
async function prepare(entry: TestDatabase): Promise<Prepared> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-report-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PLUGBOARD_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  let drop = async (): Promise<void> => undefined;
  if (parseDatabaseUrl(entry.url).dialect === 'postgresql') {
    const scratch = await scratchDatabase(entry.url!, 'report');
    env.DATABASE_URL = scratch.url;
    drop = scratch.drop;
  }
  const close = async () => {
    await drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const db = await openDatabase(env.DATABASE_URL, { dataDir });
    try {
      await db.migrate();
      await seedReportMonth(db);
    } finally {
      await db.close();
    }
    const out = path.join(dataDir, 'out');
    const month = await npmRunReport(['--month', '2026-11', '--out', out], env);
    const quarter = await npmRunReport(['--quarter', '2026-Q4'], env);
    const reports = path.join(dataDir, 'reports');
    return {
      dataDir,
      monthStdout: month.stdout,
      quarterStdout: quarter.stdout,
      monthMarkdown: await readFile(path.join(out, 'health-2026-11.md'), 'utf8'),
      quarterMarkdown: await readFile(path.join(reports, 'source-of-truth-review-2026-Q4.md'), 'utf8'),
      monthHtml: path.join(out, 'health-2026-11.html'),
      quarterHtml: path.join(reports, 'source-of-truth-review-2026-Q4.html'),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The lines of one `## heading` section of a Markdown report. */
function sectionOf(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`no section "${heading}" in the report`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The table row of a section whose first cell is `first`. */
function rowOf(lines: readonly string[], first: string): string | undefined {
  return lines.find((line) => line.startsWith(`| ${first} |`));
}

describe.each(testDatabases())('npm run report on $label', (entry) => {
  let prepared: Prepared;

  beforeAll(async () => {
    prepared = await prepare(entry);
  }, 120_000);
  afterAll(async () => {
    await prepared?.close();
  });

  it('says where it wrote: --out for the month, PLUGBOARD_DATA_DIR/reports for the quarter', async () => {
    const out = path.join(prepared.dataDir, 'out');
    expect(prepared.monthStdout.trim().split('\n')).toEqual([`wrote ${path.join(out, 'health-2026-11.html')}`, `wrote ${path.join(out, 'health-2026-11.md')}`]);
    const reports = path.join(prepared.dataDir, 'reports');
    expect(prepared.quarterStdout.trim().split('\n')).toEqual([
      `wrote ${path.join(reports, 'source-of-truth-review-2026-Q4.html')}`,
      `wrote ${path.join(reports, 'source-of-truth-review-2026-Q4.md')}`,
    ]);
    const page = await readFile(prepared.monthHtml, 'utf8');
    // One file a browser shows offline: no script, stylesheet, image or font from anywhere.
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\bsrc=/i);
  });

  it('counts each system\'s calls, failures by kind, breaker openings and refusals over the month', () => {
    const flaky = sectionOf(prepared.monthMarkdown, 'Which systems are flaky');
    expect(flaky.filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))).toEqual([
      '| System | Calls | Attempted | Failed | Error rate | Unreachable/5xx | Timeouts | Rate-limited | Bad answers | Credentials refused | Breaker openings | Refused by breaker | Refused requests (4xx) |',
      '| store | 0 | 0 | 0 | — | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |',
      '| crm | 323 | 314 | 12 | 3.82% | 12 | 0 | 0 | 0 | 0 | 3 | 9 | 0 |',
      '| erp | 606 | 606 | 6 | 0.99% | 0 | 6 | 0 | 0 | 0 | 0 | 0 | 0 |',
      '| payments | 960 | 960 | 60 | 6.25% | 0 | 0 | 60 | 0 | 0 | 0 | 0 | 0 |',
      '| courier-a | 122 | 122 | 2 | 1.64% | 0 | 0 | 0 | 2 | 0 | 0 | 0 | 0 |',
      '| courier-b | 151 | 151 | 0 | 0.00% | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 1 |',
      '| xero | 0 | 0 | 0 | — | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |',
      '| legacy | 0 | 0 | 0 | — | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |',
    ]);
  });

  it('gives p50 and p95 over the month and per day, against each system\'s timeout', () => {
    const latency = sectionOf(prepared.monthMarkdown, 'Latency');
    expect(rowOf(latency, 'crm')).toBe('| crm | 140 ms | 190 ms | 190 ms | 8 s | 2% |');
    expect(rowOf(latency, 'erp')).toBe('| erp | 6000 ms | 7800 ms | 8000 ms | 8 s | 98% |');
    expect(rowOf(latency, 'payments')).toBe('| payments | 80 ms | 80 ms | 80 ms | 8 s | 1% |');
    expect(rowOf(latency, 'courier-a')).toBe('| courier-a | 300 ms | 300 ms | 310 ms | 8 s | 4% |');
    expect(rowOf(latency, 'store')).toBe('| store | — | — | — | 8 s | — |');
    expect(rowOf(latency, 'Day')).toBe('| Day | crm | erp | payments | courier-a | courier-b |');
    expect(latency.filter((line) => /^\| 2026-11-\d\d \|/.test(line))).toHaveLength(30);
    // The crm outage days, the erp timeouts and the erp step up on the 16th.
    expect(rowOf(latency, '2026-11-01')).toBe('| 2026-11-01 | 140 / 190 | 2900 / 3800 | 80 / 80 | 300 / 300 | 200 / 200 |');
    expect(rowOf(latency, '2026-11-05')).toBe('| 2026-11-05 | 120 / 190 | 2900 / 3800 | 80 / 80 | 300 / 300 | 200 / 200 |');
    expect(rowOf(latency, '2026-11-07')).toBe('| 2026-11-07 | 140 / 190 | 2900 / 3800 | 80 / 80 | 300 / 310 | 200 / 200 |');
    expect(rowOf(latency, '2026-11-10')).toBe('| 2026-11-10 | 140 / 190 | 3000 / 8000 | 80 / 80 | 300 / 300 | 200 / 200 |');
    expect(rowOf(latency, '2026-11-16')).toBe('| 2026-11-16 | 140 / 190 | 6900 / 7800 | 80 / 80 | 300 / 300 | 200 / 200 |');
    expect(rowOf(latency, '2026-11-30')).toBe('| 2026-11-30 | 140 / 190 | 6900 / 7800 | 80 / 80 | 300 / 300 | 200 / 200 |');
  });

  it('counts drift and conflicts per field for the month, with the matrix rule of each', () => {
    const fields = sectionOf(prepared.monthMarkdown, 'Drift and conflicts per field').filter((line) => /^\| [A-Z]/.test(line));
    expect(fields).toEqual([
      '| Field | Matrix rule | Differences | New | Resolved | Open at end | By follower | Conflicts | Winners |',
      '| Order.status | store → erp · bidirectional · latest timestamp wins, with audit | 0 | 0 | 0 | 0 | — | 5 | erp over store 3, store over erp 2 |',
      '| Customer.email | store → crm, erp · owner → followers · owner wins | 4 | 3 | 1 | 3 | crm 3, erp 1 | 0 | — |',
      '| Customer.phone | store → crm, erp · owner → followers · owner wins | 2 | 2 | 0 | 2 | erp 2 | 0 | — |',
    ]);
  });

  it('lists the month\'s alerts and the dead letters still waiting for a replay', () => {
    const alerts = sectionOf(prepared.monthMarkdown, 'Alerts and dead letters');
    expect(rowOf(alerts, 'crm')).toBe('| crm | 2 | 1 | 0 | 0 |');
    expect(rowOf(alerts, 'erp')).toBe('| erp | 0 | 1 | 0 | 0 |');
    expect(rowOf(alerts, 'store')).toBe('| store | 0 | 0 | 1 | 0 |');
    expect(rowOf(alerts, 'payments')).toBe('| payments | 0 | 0 | 0 | 1 |');
    expect(alerts).toContain('2 jobs dead-lettered in November 2026 and not replayed since. Replay one with `npm run outbox -- replay <id>`.');
    const dead = alerts.filter((line) => line.startsWith('| `'));
    expect(dead.map((line) => line.split(' | ').slice(0, 3))).toEqual([
      [`| \`${DEAD_LETTER_IDS.erp}\``, 'erp', 'updatePartner'],
      [`| \`${DEAD_LETTER_IDS.crm}\``, 'crm', 'updateContact'],
    ]);
  });

  it('says what to renegotiate, and with whom, from the figures', () => {
    const advice = sectionOf(prepared.monthMarkdown, 'What to renegotiate').filter((line) => line.startsWith('- '));
    expect(advice).toEqual([
      '- **crm** · reliability: Ask the vendor for an uptime commitment and incident reports: 12 of 314 calls (3.82%) failed ' +
        '(unreachable or 5xx: 12, bad answers: 0) and the breaker opened 3 times, on 2026-11-05, 2026-11-20. Who asks: Marketing operations (CRM admin).',
      expect.stringMatching(/^- \*\*erp\*\* · latency: .*p95 was 7800 ms, 98% of its 8 s timeout, and 6 of 606 calls \(0\.99%\) timed out\..* Who asks: Finance IT/),
      expect.stringMatching(/^- \*\*payments\*\* · rate limit: Ask the vendor for a higher rate limit: 60 of 960 calls \(6\.25%\) were refused .*declares 100 requests per 1 s\./),
      expect.stringMatching(/^- \*\*courier-a\*\* · contract: Show the vendor the 2 answers that broke its own contract/),
    ]);
  });

  it('writes the quarterly review: the fields with the most drift and conflicts, each with the rule that decided them', () => {
    const fields = sectionOf(prepared.quarterMarkdown, 'The fields with the most drift and conflicts');
    expect(fields.filter((line) => /^\| \d/.test(line))).toEqual([
      '| 1 | Order.status | store | erp | bidirectional | latest timestamp wins, with audit | 0 | — | 7 | erp over store 5, store over erp 2 |',
      '| 2 | Customer.email | store | crm, erp | owner → followers | owner wins | 4 | crm 3, erp 1 | 0 | — |',
      '| 3 | Customer.phone | store | crm, erp | owner → followers | owner wins | 2 | erp 2 | 0 | — |',
      '| 4 | Customer.name | store | crm, erp | owner → followers | owner wins | 1 | crm 1 | 0 | — |',
    ]);
    expect(fields).toContain('- 3 differences were still open at the end of the quarter.');
    expect(fields).toContain('- 1 difference was still open at the end of the quarter.');
    expect(sectionOf(prepared.quarterMarkdown, 'Bidirectional fields without conflicts')).toContain('Every bidirectional field met conflicts this quarter.');
  });
});

describe('npm run report refuses bad arguments', () => {
  const env = { ...process.env, PLUGBOARD_DATA_DIR: path.join(tmpdir(), 'plugboard-report-never-written') };
  const failure = (args: readonly string[]) =>
    npmRunReport(args, env).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );

  it.each([
    [['--month', '2026-13'], '--month 2026-13: there is no month 13 (use 01 to 12)'],
    [['--month', 'November'], '--month November: write a month as YYYY-MM, e.g. 2026-11'],
    [['--quarter', '2026-Q5'], '--quarter 2026-Q5: there is no quarter 5 (use Q1 to Q4)'],
    [['--month', '2026-11', '--quarter', '2026-Q4'], 'give either --month or --quarter'],
    [[], 'give either --month or --quarter'],
  ])('%j: exit 2 and says why', async (args, message) => {
    const result = await failure(args);
    expect(result?.code).toBe(2);
    expect(result?.stderr.split('\n')[0]).toBe(message);
    await expect(stat(env.PLUGBOARD_DATA_DIR)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 30_000);
});

describeInBrowser()('the report pages in a browser', () => {
  let prepared: Prepared;
  let chromium: LaunchedChromium;
  let passed = false;
  const requested: string[] = [];

  beforeAll(async () => {
    prepared = await prepare({ label: 'SQLite', url: undefined });
    chromium = await launchChromium();
    chromium.context.on('request', (request) => requested.push(request.url()));
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    // A failed run keeps the pages and their screenshots for a person to look at.
    if (passed) await prepared?.close();
    else if (prepared) console.warn(`report pages and screenshots kept in ${prepared.dataDir}`);
  });

  it('draws the monthly charts from the figures, and the marks are really painted', async () => {
    const page = await chromium.context.newPage();
    const url = pathToFileURL(prepared.monthHtml).href;
    await page.goto(url, { waitUntil: 'load' });

    // Failures by kind: one stacked bar per system that was called, each segment carrying its figure.
    const bars = await page.locator('svg.chart[data-chart="failures"] rect.bar').evaluateAll((rects) =>
      rects.map((rect) => ({ system: rect.getAttribute('data-label'), kind: rect.getAttribute('data-key'), value: Number(rect.getAttribute('data-value')) })),
    );
    expect(bars).toEqual([
      { system: 'crm', kind: 'unavailable', value: 12 },
      { system: 'crm', kind: 'breakerRefusals', value: 9 },
      { system: 'erp', kind: 'timeouts', value: 6 },
      { system: 'payments', kind: 'rateLimited', value: 60 },
      { system: 'courier-a', kind: 'badResponses', value: 2 },
    ]);
    // Laid out: the payments bar (60) is five times the crm unavailable one (12), as wide as the figures say.
    const widths = await page.locator('svg.chart[data-chart="failures"] rect.bar').evaluateAll((rects) =>
      rects.map((rect) => (rect as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width),
    );
    expect(widths[3]! / widths[0]!).toBeCloseTo(5, 1);

    // Latency: a chart per system that was called, a point a day for p50 and p95; erp's shows its timeout.
    const latency = page.locator('svg.chart[data-chart="latency"]');
    expect(await latency.evaluateAll((charts) => charts.map((chart) => chart.getAttribute('data-system')))).toEqual(['crm', 'erp', 'payments', 'courier-a', 'courier-b']);
    const erp = page.locator('svg.chart[data-chart="latency"][data-system="erp"]');
    expect(await erp.locator('path.series[data-key="p95"]').getAttribute('data-points')).toBe('30');
    expect(await erp.locator('circle.point[data-key="p95"]').evaluateAll((dots) => dots.map((dot) => Number(dot.getAttribute('data-value'))).slice(8, 17)))
      .toEqual([3800, 8000, 8000, 8000, 3800, 3800, 3800, 7800, 7800]);
    expect(await erp.locator('line.reference').getAttribute('data-value')).toBe('8000');
    expect(await page.locator('svg.chart[data-chart="latency"][data-system="crm"] line.reference').count()).toBe(0);

    // Drift and conflicts per field.
    expect(await page.locator('svg.chart[data-chart="drift"] rect.bar').evaluateAll((rects) => rects.map((rect) => `${rect.getAttribute('data-label')} ${rect.getAttribute('data-key')} ${rect.getAttribute('data-value')}`)))
      .toEqual(['Order.status conflicts 5', 'Customer.email differences 4', 'Customer.phone differences 2']);

    // What the browser painted: the middle of the payments bar is its colour; the erp chart is drawn, not blank.
    const decoder = await chromium.context.newPage();
    const paymentsBar = await page.locator('svg.chart[data-chart="failures"] rect.bar[data-label="payments"]').screenshot();
    expect((await readPng(decoder, paymentsBar)).middle).toBe('#00798c');
    const erpChart = await readPng(decoder, await erp.screenshot());
    expect(erpChart.opaque).toBe(true);
    expect(erpChart.colours).toBeGreaterThan(20);

    const shot = path.join(prepared.dataDir, 'health-2026-11.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(50_000);
    await decoder.close();
    await page.close();
  }, 60_000);

  it('draws the quarterly review, and neither page asked the network for anything', async () => {
    const page = await chromium.context.newPage();
    await page.goto(pathToFileURL(prepared.quarterHtml).href, { waitUntil: 'load' });
    expect(await page.locator('table.review tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-field'))))
      .toEqual(['Order.status', 'Customer.email', 'Customer.phone', 'Customer.name']);
    expect(await page.locator('svg.chart[data-chart="review"] rect.bar').count()).toBe(4);
    const shot = path.join(prepared.dataDir, 'source-of-truth-review-2026-Q4.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(20_000);
    await page.close();

    expect(requested.filter((url) => !url.startsWith('file://'))).toEqual([]);
    passed = true;
  }, 60_000);
});
