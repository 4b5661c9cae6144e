import { createLegacyMapper, storedCustomer, storedOrder } from '../systems/legacy/adapter';
import { money, type Customer, type OrderStatus } from '../domain';
import { shiftDay } from './business-day';
import type { Difference, ReconcileSource } from './compare';
import { CUSTOMER_COMPARISON, ORDER_COMPARISON, type ComparedOrder, type ReconciledEntity } from './fields';

/**
 * Synthetic sources for reconciliation at scale: a deterministic generator of N records per side, the site's side in
 * the domain's shape and the legacy side as the legacy shop holds it after shadow mode's saves (decimal-string
 * amounts, its own statuses, UTC times, our ids and the sync stamp in meta_data) read through the legacy adapter's
 * mapper, as real answers are. Differences are
 * planted by a rule on each record's number, so the plan (how many of each kind, and which ids) is known without
 * keeping any record: the check compares what reconciliation found with what was planted, in constant memory.
 */

export interface SyntheticOptions {
  readonly entity: ReconciledEntity;
  /** Records per side before planting. */
  readonly count: number;
  /** The day the records changed on (`yyyy-mm-dd`); it must have no clock change in `timeZone`. @default '2026-11-26' */
  readonly day?: string;
  /** The shop's time zone. @default 'Europe/Amsterdam' */
  readonly timeZone?: string;
  /** Roughly one record in this many gets a mismatch planted in one field. @default 97 */
  readonly mismatchEvery?: number;
  /** Roughly one record in this many is left out of one side. @default 499 */
  readonly missingEvery?: number;
  /** Changes which records are planted. @default 1 */
  readonly seed?: number;
}

/** What was planted: counts and an order-independent fingerprint of the ids, per kind. */
export interface PlantedDifferences {
  readonly mismatches: number;
  /** Mismatches per field. */
  readonly byField: Readonly<Record<string, number>>;
  readonly missingInStore: number;
  readonly missingInLegacy: number;
  readonly fingerprint: DifferenceFingerprint;
}

/** An order-independent fingerprint of differences: per kind, the count and a sum of id hashes. */
export interface DifferenceFingerprint {
  readonly mismatch: string;
  readonly missingInStore: string;
  readonly missingInLegacy: string;
}

type Plan = { kind: 'same' } | { kind: 'mismatch'; field: number } | { kind: 'missing-in-store' } | { kind: 'missing-in-legacy' };

/** 32-bit integer hash (a finaliser of MurmurHash3): deterministic, well spread. */
function mix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over an id: what the fingerprint sums. */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let index = 0; index < id.length; index += 1) h = Math.imul(h ^ id.charCodeAt(index), 0x01000193);
  return h >>> 0;
}

/** Accumulates a fingerprint from differences as they are found (or planted). */
export function createFingerprint() {
  const kinds = { mismatch: [0, 0], missingInStore: [0, 0], missingInLegacy: [0, 0] } as Record<keyof DifferenceFingerprint, [number, number]>;
  const add = (kind: keyof DifferenceFingerprint, id: string): void => {
    const entry = kinds[kind];
    entry[0] += 1;
    // Kept below 2^53 by folding: exact integer arithmetic, any order gives the same sum.
    entry[1] = (entry[1] + hashId(id)) % 2 ** 48;
  };
  return {
    add(difference: Difference): void {
      add(difference.kind === 'mismatch' ? 'mismatch' : difference.kind === 'missing-in-store' ? 'missingInStore' : 'missingInLegacy', difference.id);
    },
    addPlanted: add,
    value(): DifferenceFingerprint {
      const text = (kind: keyof DifferenceFingerprint): string => `${kinds[kind][0]}:${kinds[kind][1].toString(16)}`;
      return { mismatch: text('mismatch'), missingInStore: text('missingInStore'), missingInLegacy: text('missingInLegacy') };
    },
  };
}

const STATUSES: readonly OrderStatus[] = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'];

/** A synthetic pair of sources for one entity, and what was planted in it. */
export function createSyntheticReconciliation(options: SyntheticOptions): {
  readonly store: ReconcileSource;
  readonly legacy: ReconcileSource;
  readonly planted: () => PlantedDifferences;
  readonly fields: readonly string[];
} {
  const { entity, count } = options;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`synthetic reconciliation: count must be a whole number, got ${count}`);
  const day = options.day ?? '2026-11-26';
  const mapper = createLegacyMapper(options.timeZone ?? 'Europe/Amsterdam');
  const dayStart = mapper.startOfDay(day).getTime();
  if (mapper.startOfDay(shiftDay(day, 1)).getTime() - dayStart !== 86_400_000) {
    throw new RangeError(`synthetic reconciliation: ${day} has a clock change; pick another day`);
  }
  const mismatchEvery = options.mismatchEvery ?? 97;
  const missingEvery = options.missingEvery ?? 499;
  const seed = options.seed ?? 1;
  const comparison = entity === 'Customer' ? CUSTOMER_COMPARISON : ORDER_COMPARISON;
  const fieldCount = comparison.fields.length;

  const planOf = (n: number): Plan => {
    const h = mix(n ^ Math.imul(seed, 0x9e3779b9));
    if (h % mismatchEvery === 0) return { kind: 'mismatch', field: (h >>> 8) % fieldCount };
    if (h % missingEvery === 1) return (h >>> 8) % 2 === 0 ? { kind: 'missing-in-store' } : { kind: 'missing-in-legacy' };
    return { kind: 'same' };
  };
  const idOf = (n: number): string => `${entity === 'Customer' ? 'cus' : 'ord'}-${String(n).padStart(9, '0')}`;
  const secondOfDay = (n: number): number => (n * 7919) % 86_400;
  const at = (second: number): Date => new Date(dayStart + second * 1000);

  const siteCustomer = (n: number): Customer => ({
    id: idOf(n),
    email: `customer${n}@example.test`,
    name: `Customer ${n}`,
    phone: n % 3 === 0 ? null : `+49 30 ${String(n).padStart(7, '0')}`,
    createdAt: new Date(dayStart),
    updatedAt: new Date(dayStart + secondOfDay(n) * 1000),
  });
  const siteOrder = (n: number): ComparedOrder => ({
    id: idOf(n),
    customerId: `cus-${String(n % 100_000).padStart(9, '0')}`,
    status: STATUSES[n % STATUSES.length]!,
    total: money(((n * 2_654_435_761) % 99_999_999) + 1, 'EUR'),
    updatedAt: new Date(dayStart + secondOfDay(n) * 1000),
  });

  /** Record n as the shop holds it: the site's facts as shadow mode saved them, with the planted field changed. */
  const customerRow = (n: number, planted: string | undefined) => {
    const site = siteCustomer(n);
    return storedCustomer({
      wooId: n,
      ourId: site.id,
      email: planted === 'email' ? `old.${site.email}` : site.email,
      name: planted === 'name' ? `${site.name} sen.` : site.name,
      phone: planted === 'phone' ? (site.phone === null ? '+49 30 0000000' : null) : site.phone,
      updatedAt: at(planted === 'updatedAt' ? (secondOfDay(n) + 3_600) % 86_400 : secondOfDay(n)),
    });
  };
  const orderRow = (n: number, planted: string | undefined) => {
    const site = siteOrder(n);
    const status = n % STATUSES.length;
    return storedOrder({
      wooId: n,
      ourId: site.id,
      customerWooId: n % 100_000,
      status: STATUSES[planted === 'status' ? (status + 1) % STATUSES.length : status]!,
      total: planted === 'total' ? money(site.total.minor + 1, 'EUR') : site.total,
      updatedAt: at(planted === 'updatedAt' ? (secondOfDay(n) + 3_600) % 86_400 : secondOfDay(n)),
    });
  };
  const customerIdOf = (n: number, planted: string | undefined): string =>
    planted === 'customerId' ? `cus-${String((n % 100_000) + 1).padStart(9, '0')}` : siteOrder(n).customerId;
  const storeRecord = (n: number) =>
    entity === 'Customer' ? CUSTOMER_COMPARISON.fromStore(siteCustomer(n)) : ORDER_COMPARISON.fromStore(siteOrder(n));
  const legacyRecord = (n: number, plan: Plan) => {
    const planted = plan.kind === 'mismatch' ? comparison.fields[plan.field] : undefined;
    return entity === 'Customer'
      ? CUSTOMER_COMPARISON.fromLegacy(mapper.toCustomer(customerRow(n, planted), idOf(n)))
      : ORDER_COMPARISON.fromLegacy(mapper.toOrder(orderRow(n, planted), idOf(n), customerIdOf(n, planted)));
  };

  const side = (which: 'store' | 'legacy'): ReconcileSource => ({
    total: async () => {
      let total = 0;
      for (let n = 1; n <= count; n += 1) if (planOf(n).kind !== (which === 'store' ? 'missing-in-store' : 'missing-in-legacy')) total += 1;
      return total;
    },
    records: {
      async *[Symbol.asyncIterator]() {
        for (let n = 1; n <= count; n += 1) {
          const plan = planOf(n);
          if (plan.kind === (which === 'store' ? 'missing-in-store' : 'missing-in-legacy')) continue;
          yield which === 'store' ? storeRecord(n) : legacyRecord(n, plan);
        }
      },
    },
  });

  return {
    store: side('store'),
    legacy: side('legacy'),
    fields: comparison.fields,
    planted() {
      const fingerprint = createFingerprint();
      const byField: Record<string, number> = Object.fromEntries(comparison.fields.map((field) => [field, 0]));
      let mismatches = 0;
      let missingInStore = 0;
      let missingInLegacy = 0;
      for (let n = 1; n <= count; n += 1) {
        const plan = planOf(n);
        if (plan.kind === 'mismatch') {
          mismatches += 1;
          byField[comparison.fields[plan.field]!]! += 1;
          fingerprint.addPlanted('mismatch', idOf(n));
        } else if (plan.kind === 'missing-in-store') {
          missingInStore += 1;
          fingerprint.addPlanted('missingInStore', idOf(n));
        } else if (plan.kind === 'missing-in-legacy') {
          missingInLegacy += 1;
          fingerprint.addPlanted('missingInLegacy', idOf(n));
        }
      }
      return { mismatches, byField, missingInStore, missingInLegacy, fingerprint: fingerprint.value() };
    },
  };
}
