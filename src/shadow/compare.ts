import type { ComparableRecord } from './fields';

/**
 * One side of a reconciliation: its records in ascending id order (UTF-16 code-unit order, which for our ASCII ids is
 * byte order), and optionally a look-up by id for the records the other side listed alone (changed on the day on one
 * side only: the look-up tells a record that differs from one that is missing).
 */
export interface ReconcileSource {
  readonly records: AsyncIterable<ComparableRecord>;
  readonly lookUp?: (ids: readonly string[]) => Promise<ReadonlyMap<string, ComparableRecord>>;
  /** How many records `records` will yield, when the side can tell (for the progress bar). */
  readonly total?: () => Promise<number>;
}

export type ReconcileSide = 'store' | 'legacy';

/** A difference as it is found, for callers that follow every one (the synthetic check counts them). */
export type Difference =
  | { readonly kind: 'mismatch'; readonly id: string; readonly fields: readonly string[] }
  | { readonly kind: 'missing-in-store'; readonly id: string }
  | { readonly kind: 'missing-in-legacy'; readonly id: string };

export interface FieldTally {
  readonly field: string;
  matches: number;
  mismatches: number;
}

export interface MismatchSample {
  readonly id: string;
  readonly fields: readonly { readonly field: string; readonly store: string | null; readonly legacy: string | null }[];
}

/** One entity's reconciliation: counts, per-field tallies and the first few differences of each kind, by id. */
export interface EntityReconciliation {
  readonly entity: string;
  readonly fields: readonly string[];
  /** Records seen on either side. */
  readonly records: number;
  /** Records on both sides, equal in every field. */
  readonly matches: number;
  /** Records on both sides that differ in at least one field. */
  readonly mismatches: number;
  readonly missingInStore: number;
  readonly missingInLegacy: number;
  readonly byField: readonly FieldTally[];
  readonly samples: {
    readonly mismatches: readonly MismatchSample[];
    readonly missingInStore: readonly string[];
    readonly missingInLegacy: readonly string[];
  };
}

export interface CompareOptions {
  /** Differences of each kind kept as samples (the first ones by id). @default 20 */
  readonly samples?: number;
  /** Ids looked up on the other side per call. @default 200 */
  readonly lookUpBatch?: number;
  /** Told of every record read from a side (progress). */
  readonly onRecord?: (side: ReconcileSide) => void;
  readonly onDifference?: (difference: Difference) => void;
}

/** A side read out of order: the merge would report wrong differences, so reconciliation stops instead. */
export class SourceOrderError extends Error {
  override readonly name = 'SourceOrderError';
}

/**
 * Compares two id-ordered sources with a sorted merge: memory holds one record per side, the pending look-ups (at most
 * `lookUpBatch`) and the samples, whatever the number of records. A record one side listed alone is looked up on the
 * other side (when it can look up) in batches; found, it is compared; not found, it is missing there.
 */
export async function compareSources(
  entity: string,
  fields: readonly string[],
  store: ReconcileSource,
  legacy: ReconcileSource,
  options: CompareOptions = {},
): Promise<EntityReconciliation> {
  const sampleLimit = options.samples ?? 20;
  const batch = options.lookUpBatch ?? 200;
  const byField: FieldTally[] = fields.map((field) => ({ field, matches: 0, mismatches: 0 }));
  const samples = { mismatches: [] as MismatchSample[], missingInStore: [] as string[], missingInLegacy: [] as string[] };
  const counts = { records: 0, matches: 0, mismatches: 0, missingInStore: 0, missingInLegacy: 0 };

  const compare = (inStore: ComparableRecord, inLegacy: ComparableRecord): void => {
    let differing: number[] | undefined;
    for (let index = 0; index < fields.length; index += 1) {
      const tally = byField[index]!;
      if (inStore.values[index] === inLegacy.values[index]) tally.matches += 1;
      else {
        tally.mismatches += 1;
        (differing ??= []).push(index);
      }
    }
    if (!differing) {
      counts.matches += 1;
      return;
    }
    counts.mismatches += 1;
    if (samples.mismatches.length < sampleLimit) {
      samples.mismatches.push({
        id: inStore.id,
        fields: differing.map((index) => ({ field: fields[index]!, store: inStore.values[index] ?? null, legacy: inLegacy.values[index] ?? null })),
      });
    }
    options.onDifference?.({ kind: 'mismatch', id: inStore.id, fields: differing.map((index) => fields[index]!) });
  };

  const missing = (id: string, where: 'missing-in-store' | 'missing-in-legacy'): void => {
    const inStore = where === 'missing-in-store';
    if (inStore) counts.missingInStore += 1;
    else counts.missingInLegacy += 1;
    const kept = inStore ? samples.missingInStore : samples.missingInLegacy;
    if (kept.length < sampleLimit) kept.push(id);
    options.onDifference?.({ kind: where, id });
  };

  /** Records one side listed alone, waiting to be looked up on the other side. */
  const alone = { store: [] as ComparableRecord[], legacy: [] as ComparableRecord[] };
  const settle = async (side: ReconcileSide): Promise<void> => {
    const records = alone[side].splice(0);
    if (records.length === 0) return;
    const other = side === 'store' ? legacy : store;
    const found = other.lookUp ? await other.lookUp(records.map((record) => record.id)) : new Map<string, ComparableRecord>();
    for (const record of records) {
      const counterpart = found.get(record.id);
      if (!counterpart) missing(record.id, side === 'store' ? 'missing-in-legacy' : 'missing-in-store');
      else if (side === 'store') compare(record, counterpart);
      else compare(counterpart, record);
    }
  };
  const listedAlone = async (side: ReconcileSide, record: ComparableRecord): Promise<void> => {
    alone[side].push(record);
    if (alone[side].length >= batch) await settle(side);
  };

  const fromStore = inOrder('store', store.records, options.onRecord);
  const fromLegacy = inOrder('legacy', legacy.records, options.onRecord);
  let a = await fromStore.next();
  let b = await fromLegacy.next();
  while (a || b) {
    counts.records += 1;
    if (a && b && a.id === b.id) {
      compare(a, b);
      [a, b] = await Promise.all([fromStore.next(), fromLegacy.next()]);
    } else if (a && (!b || a.id < b.id)) {
      await listedAlone('store', a);
      a = await fromStore.next();
    } else {
      await listedAlone('legacy', b!);
      b = await fromLegacy.next();
    }
  }
  await settle('store');
  await settle('legacy');
  return { entity, fields, ...counts, byField, samples };
}

/** Reads a side, refusing a record whose id is not above the one before it. */
function inOrder(side: ReconcileSide, records: AsyncIterable<ComparableRecord>, onRecord?: (side: ReconcileSide) => void) {
  const iterator = records[Symbol.asyncIterator]();
  let last: string | undefined;
  return {
    async next(): Promise<ComparableRecord | undefined> {
      const step = await iterator.next();
      if (step.done) return undefined;
      const record = step.value;
      if (last !== undefined && !(record.id > last)) {
        await iterator.return?.();
        throw new SourceOrderError(`the ${side} side is not in ascending id order: "${record.id}" came after "${last}"`);
      }
      last = record.id;
      onRecord?.(side);
      return record;
    },
  };
}
