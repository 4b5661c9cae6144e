import '../telemetry-off';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { openDatabase } from '../db';
import { composeSystems, connectionsFor, type ComposedSystems } from '../runtime/compose-systems';
import { loadIntegrationMap } from '../integration-map';
import { createLogger } from '../logging';
import type { Connection } from '../systems';
import {
  createProgress,
  dayIn,
  isDay,
  isReconciledEntity,
  reconcileDay,
  reconcileSynthetic,
  shiftDay,
  RECONCILED_ENTITIES,
  type ReconciledEntity,
  type ReconciliationReport,
} from '../shadow';

const USAGE = [
  'usage: npm run reconcile -- [--date yyyy-mm-dd] [--entity Customer|Order] [--out dir] [--samples n]',
  '       npm run reconcile -- --synthetic <records per entity> [--entity …] [--out dir]',
].join('\n');

/** Exit codes, as diff(1) has them: the day is clean; differences were found; reconciliation could not run. */
const CLEAN = 0;
const DIFFERENCES = 1;
const TROUBLE = 2;

class UsageError extends Error {}

/**
 * `npm run reconcile -- --date 2026-11-26` compares the site's store (DATABASE_URL, or the SQLite file in
 * PLUGBOARD_DATA_DIR) with the legacy shop (the sandbox of `npm start` while PLUGBOARD_SANDBOXES=on, else LEGACY_URL)
 * for every record either changed that day, writes the report (Markdown + JSON) to PLUGBOARD_DATA_DIR/reports or
 * --out, and records the day's result for the cutover gate. Without --date: yesterday.
 *
 * `npm run reconcile -- --synthetic 1000000` runs the same comparison over generated records with planted differences
 * (nothing is recorded for the gate) and checks that exactly those were found; it prints the peak memory.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      date: { type: 'string' },
      entity: { type: 'string', multiple: true },
      out: { type: 'string' },
      samples: { type: 'string' },
      synthetic: { type: 'string' },
    },
  });
  const config = loadConfig();
  const entities = entitiesFrom(values.entity);
  const samples = wholeNumber('--samples', values.samples ?? '20', 0, 1_000);
  const outDir = path.resolve(values.out ?? path.join(config.PLUGBOARD_DATA_DIR, 'reports'));
  const progress = createProgress(process.stdout);
  const timeZone = config.PLUGBOARD_RECONCILE_TIME_ZONE;

  if (values.synthetic !== undefined) {
    if (values.date !== undefined) throw new UsageError('--synthetic runs on generated records: it takes no --date');
    const count = wholeNumber('--synthetic', values.synthetic, 1, 100_000_000);
    const result = await reconcileSynthetic({ count, entities, outDir, samples, progress, timeZone });
    console.log(summary(result.report));
    for (const check of result.checks) {
      const planted = check.planted;
      console.log(
        `${check.entity}: planted ${planted.mismatches} mismatches, ${planted.missingInStore} missing in the store, ` +
          `${planted.missingInLegacy} missing in the legacy shop; found ${check.exact ? 'exactly those' : 'something else'}`,
      );
    }
    console.log(`peak memory (maxRSS): ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
    console.log(`report: ${result.files.markdown}\n        ${result.files.json}`);
    return result.checks.every((check) => check.exact) ? CLEAN : DIFFERENCES;
  }

  const today = dayIn(timeZone, new Date());
  const day = values.date ?? shiftDay(today, -1);
  if (!isDay(day)) throw new UsageError(`--date ${day}: use a calendar day written yyyy-mm-dd`);
  if (day > today) throw new UsageError(`--date ${day}: that day has not begun yet in ${timeZone} (today is ${today})`);

  const db = await openDatabase(config.DATABASE_URL, { dataDir: config.PLUGBOARD_DATA_DIR });
  let systems: ComposedSystems | undefined;
  try {
    await db.migrate();
    // The legacy shop, composed as every process composes a system (the map's timeout and rate limit, the integration
    // log, metrics); reconciliation reads it as it is now (its day listings are never cached). Its clock is our zone's.
    const connections = await connectionsFor(config, ['legacy']);
    systems = await composeSystems({
      config,
      db,
      logger: createLogger({ name: 'plugboard-reconcile', level: config.PLUGBOARD_LOG_LEVEL === 'info' ? 'warn' : config.PLUGBOARD_LOG_LEVEL }),
      map: loadIntegrationMap(config.PLUGBOARD_SCHEMA_DIR).map,
      connections: { legacy: { ...connections['legacy']!, timeZone } as Connection },
      only: ['legacy'],
    });
    const legacy = systems.ports.legacy;
    const { report, files } = await reconcileDay({ db, legacy, day, timeZone, entities, outDir, samples, progress });
    console.log(summary(report));
    console.log(`report: ${files.markdown}\n        ${files.json}`);
    console.log(`recorded for the cutover gate: ${day} ${report.clean ? 'clean' : 'NOT clean'}`);
    return report.clean ? CLEAN : DIFFERENCES;
  } finally {
    await systems?.close();
    await db.close();
  }
}

function entitiesFrom(names: readonly string[] | undefined): readonly ReconciledEntity[] {
  if (!names || names.length === 0) return RECONCILED_ENTITIES;
  for (const name of names) {
    if (!isReconciledEntity(name)) throw new UsageError(`--entity ${name}: use ${RECONCILED_ENTITIES.join(' or ')}`);
  }
  return names as ReconciledEntity[];
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`${flag} ${text}: a whole number from ${min} to ${max}`);
  return value;
}

function summary(report: ReconciliationReport): string {
  const rows = [
    ['ENTITY', 'RECORDS', 'MATCHES', 'MISMATCHES', 'MISSING IN STORE', 'MISSING IN LEGACY'],
    ...report.entities.map((entity) =>
      [entity.entity, entity.records, entity.matches, entity.mismatches, entity.missingInStore, entity.missingInLegacy].map(String),
    ),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
  return `${report.kind === 'synthetic' ? 'synthetic reconciliation' : `reconciliation of ${report.day}`}: ${report.clean ? 'clean' : 'differences found'}\n${table}`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n${USAGE}`);
    else console.error(error instanceof Error ? error.message : error);
    process.exit(TROUBLE);
  },
);
