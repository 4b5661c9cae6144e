import '../telemetry-off';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../db';
import { runDoctor, writeDoctorReport } from '../doctor';
import { IntegrationMapError, loadIntegrationMap } from '../integration-map';
import { createLogger } from '../logging';

const USAGE = `usage: npm run doctor -- [--out <dir>] [--samples <n>]
Probes every system of the estate: the running sandboxes (npm run sandboxes) while PLUGBOARD_SANDBOXES=on, else each
system's *_URL and credentials. Writes readiness.md and readiness.html to --out (default PLUGBOARD_DATA_DIR/doctor)
and prints one verdict per system. Exit code 0 when every system is ready, 1 when one is not, 2 when it cannot run.`;

/** Exit codes: every system ready; one or more not; the doctor could not run (usage, configuration). */
const READY = 0;
const NOT_READY = 1;
const TROUBLE = 2;

/** `npm run doctor`: the playbook's week-one discovery, in a minute. */
async function main(): Promise<number> {
  let values: { out?: string; samples?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, samples: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return TROUBLE;
  }
  if (values.help) {
    console.log(USAGE);
    return READY;
  }
  const samples = values.samples === undefined ? 5 : Number(values.samples);
  if (!Number.isInteger(samples) || samples < 1 || samples > 100) {
    console.error(`--samples ${values.samples}: a whole number from 1 to 100\n${USAGE}`);
    return TROUBLE;
  }
  let config: ReturnType<typeof loadConfig>;
  let map: ReturnType<typeof loadIntegrationMap>['map'];
  try {
    config = loadConfig();
    map = loadIntegrationMap(loadConfig().PLUGBOARD_SCHEMA_DIR).map;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof IntegrationMapError) {
      console.error(error.message);
      return TROUBLE;
    }
    throw error;
  }
  const out = path.resolve(values.out ?? path.join(config.PLUGBOARD_DATA_DIR, 'doctor'));
  const db = await openDatabase(config.DATABASE_URL, { dataDir: config.PLUGBOARD_DATA_DIR });
  try {
    await db.migrate();
    // The log lines of the probes' calls go to stderr: stdout is the verdicts.
    const logger = createLogger({ name: 'plugboard-doctor', level: config.PLUGBOARD_LOG_LEVEL === 'info' ? 'warn' : config.PLUGBOARD_LOG_LEVEL, destination: pino.destination(2) });
    const report = await runDoctor({ config, db, logger, map, samples });
    for (const system of report.systems) console.log(system.verdict);
    const files = await writeDoctorReport(report, out);
    console.log(`report: ${files.markdown}\n        ${files.html}`);
    return report.ready ? READY : NOT_READY;
  } finally {
    await db.close();
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
