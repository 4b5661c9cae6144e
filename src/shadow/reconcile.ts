import { createLegacyMapper } from '../systems/legacy/adapter';
import { ReconciliationDayEntity, type Database } from '../db';
import type { LegacyStore } from '../domain';
import { shiftDay } from './business-day';
import { compareSources, type CompareOptions, type EntityReconciliation, type ReconcileSource } from './compare';
import { CUSTOMER_COMPARISON, ORDER_COMPARISON, RECONCILED_ENTITIES, type ReconciledEntity } from './fields';
import { SILENT_PROGRESS, type ReconcileProgress } from './progress';
import { isClean, writeReconciliationReport, type ReconciliationReport } from './report';
import { legacySource, storeSource } from './sources';
import { createFingerprint, createSyntheticReconciliation, type DifferenceFingerprint, type PlantedDifferences } from './synthetic';

/** Records between two progress updates: the bar moves smoothly and a million records cost a thousand updates. */
const PROGRESS_STEP = 1_000;

/** Compares one entity's two sides, telling `progress` how far it is. */
export async function compareWithProgress(
  entity: string,
  fields: readonly string[],
  store: ReconcileSource,
  legacy: ReconcileSource,
  progress: ReconcileProgress,
  options: Omit<CompareOptions, 'onRecord'> = {},
): Promise<EntityReconciliation> {
  const [storeTotal, legacyTotal] = await Promise.all([store.total?.() ?? 0, legacy.total?.() ?? 0]);
  progress.start(entity, storeTotal + legacyTotal);
  let pending = 0;
  try {
    return await compareSources(entity, fields, store, legacy, {
      ...options,
      onRecord: () => {
        pending += 1;
        if (pending === PROGRESS_STEP) {
          progress.advance(pending);
          pending = 0;
        }
      },
    });
  } finally {
    progress.advance(pending);
    progress.finish();
  }
}

export interface ReconcileDayOptions {
  /** Our database: the site's store, and where the day's result is recorded for the cutover gate. */
  readonly db: Database;
  /** The legacy shop's port. */
  readonly legacy: LegacyStore;
  /** `yyyy-mm-dd`, in `timeZone`. */
  readonly day: string;
  /** The business day's time zone: the legacy shop's server clock. */
  readonly timeZone: string;
  /** Where the Markdown and JSON reports go. */
  readonly outDir: string;
  /** @default every reconciled entity */
  readonly entities?: readonly ReconciledEntity[];
  /** Differences of each kind kept as samples. @default 20 */
  readonly samples?: number;
  readonly progress?: ReconcileProgress;
  readonly now?: () => Date;
}

export interface ReconcileDayResult {
  readonly report: ReconciliationReport;
  readonly files: { readonly markdown: string; readonly json: string };
}

/**
 * The daily reconciliation: for each entity, every record the site's store or the legacy shop changed on the day,
 * compared field by field (the legacy side read through its adapter's mapper); a report in Markdown and JSON; and
 * each entity's result recorded in `reconciliation_days` (reconciling a day again replaces it), which the cutover
 * gate counts.
 */
export async function reconcileDay(options: ReconcileDayOptions): Promise<ReconcileDayResult> {
  const now = options.now ?? (() => new Date());
  const mapper = createLegacyMapper(options.timeZone);
  const range = { from: mapper.startOfDay(options.day), to: mapper.startOfDay(shiftDay(options.day, 1)) };
  const progress = options.progress ?? SILENT_PROGRESS;
  const results: EntityReconciliation[] = [];
  for (const entity of options.entities ?? RECONCILED_ENTITIES) {
    const fields = entity === 'Customer' ? CUSTOMER_COMPARISON.fields : ORDER_COMPARISON.fields;
    results.push(
      await compareWithProgress(entity, fields, storeSource(options.db, entity, range), legacySource(options.legacy, entity, options.day), progress, {
        samples: options.samples,
      }),
    );
  }
  const report: ReconciliationReport = {
    kind: 'daily',
    day: options.day,
    timeZone: options.timeZone,
    generatedAt: now().toISOString(),
    clean: results.every(isClean),
    entities: results,
  };
  const files = await writeReconciliationReport(report, options.outDir, `reconciliation-${options.day}`);
  await recordDay(options.db, options.day, results, files.markdown, now());
  return { report, files };
}

/** Records each entity's result for the day, replacing an earlier run's. */
export async function recordDay(db: Database, day: string, results: readonly EntityReconciliation[], report: string | null, at: Date): Promise<void> {
  await db.orm.em.fork().transactional(async (em) => {
    for (const result of results) {
      await em.upsert(ReconciliationDayEntity, {
        entity: result.entity,
        day,
        clean: isClean(result),
        records: result.records,
        matches: result.matches,
        mismatches: result.mismatches,
        missingInStore: result.missingInStore,
        missingInLegacy: result.missingInLegacy,
        report,
        reconciledAt: at,
      });
    }
  });
}

export interface SyntheticRunOptions {
  /** Records per entity. */
  readonly count: number;
  readonly outDir: string;
  readonly entities?: readonly ReconciledEntity[];
  readonly day?: string;
  readonly timeZone?: string;
  readonly samples?: number;
  readonly progress?: ReconcileProgress;
  readonly now?: () => Date;
}

export interface SyntheticEntityCheck {
  readonly entity: ReconciledEntity;
  readonly planted: PlantedDifferences;
  readonly found: DifferenceFingerprint;
  /** Found exactly what was planted: the same ids, kind by kind, and the same counts per field. */
  readonly exact: boolean;
}

/**
 * Reconciliation at scale, with nothing recorded for the gate: `count` synthetic records per entity through the same
 * comparison as the daily run, then a check that exactly the planted differences were found.
 */
export async function reconcileSynthetic(options: SyntheticRunOptions): Promise<ReconcileDayResult & { readonly checks: readonly SyntheticEntityCheck[] }> {
  const now = options.now ?? (() => new Date());
  const day = options.day ?? '2026-11-26';
  const timeZone = options.timeZone ?? 'Europe/Amsterdam';
  const progress = options.progress ?? SILENT_PROGRESS;
  const started = process.hrtime.bigint();
  const results: EntityReconciliation[] = [];
  const checks: SyntheticEntityCheck[] = [];
  for (const entity of options.entities ?? RECONCILED_ENTITIES) {
    const synthetic = createSyntheticReconciliation({ entity, count: options.count, day, timeZone });
    const fingerprint = createFingerprint();
    const result = await compareWithProgress(entity, synthetic.fields, synthetic.store, synthetic.legacy, progress, {
      samples: options.samples,
      onDifference: fingerprint.add,
    });
    const planted = synthetic.planted();
    const found = fingerprint.value();
    const exact =
      JSON.stringify(found) === JSON.stringify(planted.fingerprint) &&
      result.byField.every((tally) => tally.mismatches === planted.byField[tally.field]);
    results.push(result);
    checks.push({ entity, planted, found, exact });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const records = results.reduce((sum, result) => sum + result.records, 0);
  const report: ReconciliationReport = {
    kind: 'synthetic',
    day,
    timeZone,
    generatedAt: now().toISOString(),
    clean: results.every(isClean),
    entities: results,
    run: {
      recordsPerEntity: options.count,
      seconds: Number(seconds.toFixed(1)),
      recordsPerSecond: Math.round(records / seconds),
      peakRssMb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
      plantedFoundExactly: checks.every((check) => check.exact) ? 'yes' : 'no',
    },
    planted: checks,
  };
  const files = await writeReconciliationReport(report, options.outDir, `reconciliation-synthetic-${options.count}`);
  return { report, files, checks };
}
