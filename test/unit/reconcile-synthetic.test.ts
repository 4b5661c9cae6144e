import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSyntheticReconciliation, type EntityReconciliation, type ReconciliationReport } from '../../src/shadow';

/**
 * Reconciliation at scale: a million synthetic records per entity (the site's side, and the legacy side written in the
 * shop's vocabulary and read through the legacy adapter's mapper), compared in a child process whose heap is capped at
 * 256 MB. The run must finish, show its progress, keep its peak resident memory (maxRSS, the whole process) within
 * 256 MB, and find exactly the differences the generator planted: this test recomputes the plan on its own side.
 */

const ROOT = path.join(__dirname, '..', '..');
const RECORDS = 1_000_000;
const LIMIT_MB = 256;

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run reconcile -- --synthetic 1000000', () => {
  let out: string;
  let result: { code: number | null; stdout: string; stderr: string };
  let report: ReconciliationReport;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'plugboard-reconcile-'));
    // As `npm run reconcile` runs it: built, then the compiled CLI (no TypeScript loader in the process).
    const built = await run(['scripts/build.js'], process.env);
    if (built.code !== 0) throw new Error(`npm run build failed: ${built.stderr}`);
    result = await run(
      [`--max-old-space-size=${LIMIT_MB}`, 'dist/src/cli/reconcile.js', '--synthetic', String(RECORDS), '--out', out],
      { ...process.env, PLUGBOARD_DATA_DIR: out },
    );
    report = JSON.parse(await readFile(path.join(out, `reconciliation-synthetic-${RECORDS}.json`), 'utf8')) as ReconciliationReport;
  }, 180_000);

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('finishes, saying it found exactly what was planted', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Customer: planted \d+ mismatches, \d+ missing in the store, \d+ missing in the legacy shop; found exactly those/);
    expect(result.stdout).toMatch(/Order: planted \d+ mismatches, .*found exactly those/);
  });

  it('shows its progress, as plain lines when stdout is not a terminal', () => {
    for (const entity of ['Customer', 'Order']) {
      const lines = result.stdout.split('\n').filter((line) => line.startsWith(`${entity}: `) && line.includes('records ('));
      expect(lines.length).toBeGreaterThanOrEqual(10);
      expect(lines.at(-1)).toMatch(new RegExp(`^${entity}: (\\d+)/\\1 records \\(100%\\)$`));
    }
  });

  it(`keeps the peak resident memory of the whole process within ${LIMIT_MB} MB`, () => {
    const printed = Number(/peak memory \(maxRSS\): ([\d.]+) MB/.exec(result.stdout)?.[1]);
    expect(printed).toBeGreaterThan(0);
    expect(printed).toBeLessThanOrEqual(LIMIT_MB);
    expect(report.run?.peakRssMb).toBeLessThanOrEqual(LIMIT_MB);
    // For the lead's report: the figure this run measured.
    process.stdout.write(`synthetic reconciliation of ${RECORDS} records per entity: peak RSS ${printed} MB, ${report.run?.seconds} s\n`);
  });

  it('finds exactly the planted mismatches (per field) and missing records, recomputed here', () => {
    for (const entity of ['Customer', 'Order'] as const) {
      const planted = createSyntheticReconciliation({ entity, count: RECORDS }).planted();
      const found = report.entities.find((candidate) => candidate.entity === entity) as EntityReconciliation;
      expect(planted.mismatches).toBeGreaterThan(5_000);
      expect(planted.missingInStore).toBeGreaterThan(500);
      expect(planted.missingInLegacy).toBeGreaterThan(500);
      expect(found.records).toBe(RECORDS);
      expect(found.mismatches).toBe(planted.mismatches);
      expect(found.missingInStore).toBe(planted.missingInStore);
      expect(found.missingInLegacy).toBe(planted.missingInLegacy);
      expect(found.matches).toBe(RECORDS - planted.mismatches - planted.missingInStore - planted.missingInLegacy);
      expect(Object.fromEntries(found.byField.map((tally) => [tally.field, tally.mismatches]))).toEqual(planted.byField);
      expect(report.planted).toContainEqual(expect.objectContaining({ entity, exact: true, found: planted.fingerprint }));
    }
  });

  it('writes the report in Markdown too, with per-field tables and samples', async () => {
    const markdown = await readFile(path.join(out, `reconciliation-synthetic-${RECORDS}.md`), 'utf8');
    expect(markdown).toContain('# Reconciliation (synthetic) 2026-11-26');
    expect(markdown).toMatch(/\| Customer \| 1000000 \| \d+ \| \d+ \| \d+ \| \d+ \| no \|/);
    expect(markdown).toContain('| total |');
    expect(markdown).toMatch(/Mismatches \(first 20 of \d+\):/);
  });
});
