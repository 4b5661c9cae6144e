import '../telemetry-off';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db';
import { IntegrationMapError, loadIntegrationMap, SCHEMA_DIR } from '../integration-map';
import { parseMonth, parseQuarter, PeriodError, writeReport, type ReportPeriod } from '../report';

const USAGE = `usage: npm run report -- --month YYYY-MM [--out <dir>]      the monthly integrations health report
       npm run report -- --quarter YYYY-Qn [--out <dir>]   the quarterly Source-of-Truth review
Reads DATABASE_URL (or the SQLite file in PLUGBOARD_DATA_DIR); writes HTML and Markdown to --out, by default
PLUGBOARD_DATA_DIR/reports.`;

/** A mistake in the command line: said with the usage, exit code 2. */
class UsageError extends Error {}

function periodFrom(argv: readonly string[]): { period: ReportPeriod; out: string | undefined } {
  let values: { month?: string; quarter?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { month: { type: 'string' }, quarter: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new UsageError('');
  if ((values.month === undefined) === (values.quarter === undefined)) throw new UsageError('give either --month or --quarter');
  const period = values.month !== undefined ? parseMonth(values.month) : parseQuarter(values.quarter!);
  return { period, out: values.out };
}

/**
 * `npm run report -- --month 2026-11` writes the monthly integrations health report; `--quarter 2026-Q4` the
 * quarterly Source-of-Truth review. Both as a self-contained HTML page with charts and as Markdown.
 */
async function main(): Promise<number> {
  let request: ReturnType<typeof periodFrom>;
  try {
    request = periodFrom(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError && !error.message) {
      console.log(USAGE);
      return 0;
    }
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof PeriodError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const config = loadConfig();
  const loaded = loadIntegrationMap(SCHEMA_DIR);
  const out = path.resolve(request.out ?? path.join(config.PLUGBOARD_DATA_DIR, 'reports'));
  const db = await openDatabase(config.DATABASE_URL, { dataDir: config.PLUGBOARD_DATA_DIR, poolSize: 4 });
  try {
    await db.migrate();
    const written = await writeReport(db, loaded, request.period, out);
    console.log(`wrote ${written.html}`);
    console.log(`wrote ${written.markdown}`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof IntegrationMapError) console.error(`The integration map is invalid:\n${error.message}`);
    else console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
