import '../telemetry-off';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db';
import { seedEstate } from '../estate/seed-estate';
import { IntegrationMapError, loadIntegrationMap } from '../integration-map';
import { createLogger } from '../logging';
import { cassetteFileOf, recordSystem, RecordError, writeCassette } from '../record';
import { generateEstate } from '../systems/kit/seed';

const USAGE = `usage: npm run record -- --system <name> [--calls <n>] [--seconds <n>] [--out <file>]
Records a window of one system's traffic into a cassette: the product's own adapter reads the system (reads only,
never a write) for the site's customers, orders and SKUs, until --calls answers (default 50) or --seconds (default
60), whichever comes first. Every answer is redacted by the same rules as the logs. The system is the running
sandbox (npm run sandboxes) while PLUGBOARD_SANDBOXES=on, else its *_URL and credentials. Writes --out (default
PLUGBOARD_DATA_DIR/cassettes/<system>/<UTC time>.json), where npm run doctor holds the newest one against the
vendor's description. Exit code 0 when it wrote a cassette, 2 when it could not record.`;

const TROUBLE = 2;

function wholeNumber(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) throw new RecordError(`--${name} ${value}: a whole number from 1 to ${max}`);
  return number;
}

/** `npm run record -- --system crm`: a cassette of the CRM's answers. */
async function main(): Promise<number> {
  let values: { system?: string; calls?: string; seconds?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { system: { type: 'string' }, calls: { type: 'string' }, seconds: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return TROUBLE;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (!values.system) throw new RecordError('give --system <name>');
    const calls = wholeNumber('calls', values.calls, 50, 10_000);
    const seconds = wholeNumber('seconds', values.seconds, 60, 86_400);
    const config = loadConfig();
    const { map } = loadIntegrationMap(config.PLUGBOARD_SCHEMA_DIR);
    const db = await openDatabase(config.DATABASE_URL, { dataDir: config.PLUGBOARD_DATA_DIR });
    try {
      await db.migrate();
      // Against the sandboxes, the site's store holds the example estate they hold, as npm start seeds it (a no-op when
      // it holds anything): otherwise a fresh clone's empty store gives no ids to read, and nothing is recorded.
      if (config.PLUGBOARD_SANDBOXES === 'on') await seedEstate(db, generateEstate());
      const logger = createLogger({ name: 'plugboard-record', level: config.PLUGBOARD_LOG_LEVEL === 'info' ? 'warn' : config.PLUGBOARD_LOG_LEVEL, destination: pino.destination(2) });
      const cassette = await recordSystem({ config, db, logger, map, system: values.system, calls, seconds });
      if (cassette.entries.length === 0) {
        throw new RecordError(`${values.system}: nothing was recorded: the site's store (${config.DATABASE_URL ? 'DATABASE_URL' : config.PLUGBOARD_DATA_DIR}) has no customers or orders to read it for, or the system served no batch read`);
      }
      const file = path.resolve(values.out ?? cassetteFileOf(path.join(config.PLUGBOARD_DATA_DIR, 'cassettes'), values.system, new Date(cassette.recordedFrom)));
      await writeCassette(file, cassette);
      const statuses = new Map<number, number>();
      for (const entry of cassette.entries) statuses.set(entry.status, (statuses.get(entry.status) ?? 0) + 1);
      const byStatus = [...statuses].map(([status, count]) => `${count} × ${status}`).join(', ') || 'none';
      console.log(`${values.system}: ${cassette.entries.length} answers recorded (${byStatus})\ncassette: ${file}`);
      return 0;
    } finally {
      await db.close();
    }
  } catch (error) {
    if (error instanceof RecordError || error instanceof ConfigError || error instanceof IntegrationMapError) {
      console.error(`${error.message}${error instanceof RecordError ? `\n${USAGE}` : ''}`);
      return TROUBLE;
    }
    throw error;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = TROUBLE;
  },
);
