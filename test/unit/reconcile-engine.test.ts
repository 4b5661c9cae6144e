import { loadIntegrationMap } from '../../src/integration-map';
import {
  applyCutovers,
  cleanStreak,
  compareSources,
  SourceOrderError,
  type ComparableRecord,
  type Difference,
  type ReconcileSource,
} from '../../src/shadow';
import { ownerOf, followersOf, type SourceOfTruthMatrix } from '../../src/domain';

/** A side from a list, optionally able to look records up by id (and counting the look-ups). */
function side(records: readonly ComparableRecord[], lookUp?: readonly ComparableRecord[]): ReconcileSource & { lookUps: string[][] } {
  const lookUps: string[][] = [];
  return {
    lookUps,
    total: async () => records.length,
    records: {
      async *[Symbol.asyncIterator]() {
        yield* records;
      },
    },
    ...(lookUp
      ? {
          lookUp: async (ids: readonly string[]) => {
            lookUps.push([...ids]);
            return new Map(lookUp.filter((record) => ids.includes(record.id)).map((record) => [record.id, record]));
          },
        }
      : {}),
  };
}

const rec = (id: string, ...values: (string | null)[]): ComparableRecord => ({ id, values });
const FIELDS = ['email', 'name', 'phone'];

describe('reconciliation: the sorted merge of two id-ordered sides', () => {
  it('counts matches, mismatches per field and records missing on either side, with samples', async () => {
    const store = side([rec('a', 'a@x', 'A', null), rec('b', 'b@x', 'B', '1'), rec('c', 'c@x', 'C', null), rec('e', 'e@x', 'E', null)]);
    const legacy = side([rec('a', 'a@x', 'A', null), rec('b', 'b@y', 'B', null), rec('d', 'd@x', 'D', null), rec('e', 'e@x', 'E', null)]);
    const differences: Difference[] = [];
    const result = await compareSources('Customer', FIELDS, store, legacy, { onDifference: (d) => differences.push(d) });

    expect(result).toMatchObject({ entity: 'Customer', records: 5, matches: 2, mismatches: 1, missingInStore: 1, missingInLegacy: 1 });
    expect(result.byField).toEqual([
      { field: 'email', matches: 2, mismatches: 1 },
      { field: 'name', matches: 3, mismatches: 0 },
      { field: 'phone', matches: 2, mismatches: 1 },
    ]);
    expect(result.samples).toEqual({
      mismatches: [{ id: 'b', fields: [{ field: 'email', store: 'b@x', legacy: 'b@y' }, { field: 'phone', store: '1', legacy: null }] }],
      missingInStore: ['d'],
      missingInLegacy: ['c'],
    });
    expect(differences).toEqual(
      expect.arrayContaining([
        { kind: 'mismatch', id: 'b', fields: ['email', 'phone'] },
        { kind: 'missing-in-store', id: 'd' },
        { kind: 'missing-in-legacy', id: 'c' },
      ]),
    );
  });

  it('looks up what one side listed alone, in batches: found is compared, not found is missing', async () => {
    // "b" changed on the day only in the store; the legacy shop has it from another day, with an old name.
    const store = side([rec('a', '1', 'A', null), rec('b', '2', 'B2', null), rec('c', '3', 'C', null)], [rec('d', '4', 'D', null)]);
    const legacy = side([rec('a', '1', 'A', null), rec('d', '4', 'D', null)], [rec('b', '2', 'B1', null)]);
    const result = await compareSources('Customer', FIELDS, store, legacy, { lookUpBatch: 1 });

    expect(result).toMatchObject({ records: 4, matches: 2, mismatches: 1, missingInStore: 0, missingInLegacy: 1 });
    expect(result.samples.mismatches).toEqual([{ id: 'b', fields: [{ field: 'name', store: 'B2', legacy: 'B1' }] }]);
    expect(result.samples.missingInLegacy).toEqual(['c']);
    expect(legacy.lookUps).toEqual([['b'], ['c']]);
    expect(store.lookUps).toEqual([['d']]);
  });

  it('keeps only the first samples of each kind but counts them all', async () => {
    const many = Array.from({ length: 50 }, (_, n) => `id-${String(n).padStart(3, '0')}`);
    const result = await compareSources(
      'Order',
      ['status'],
      side(many.map((id) => rec(id, 'PENDING'))),
      side(many.map((id) => rec(id, 'SHIPPED'))),
      { samples: 3 },
    );
    expect(result.mismatches).toBe(50);
    expect(result.samples.mismatches.map((sample) => sample.id)).toEqual(['id-000', 'id-001', 'id-002']);
  });

  it('stops with SourceOrderError when a side is out of id order, naming the side and the ids', async () => {
    const legacy = side([rec('b', 'x', 'y', null), rec('a', 'x', 'y', null)]);
    const failure = compareSources('Customer', FIELDS, side([]), legacy);
    await expect(failure).rejects.toThrow(SourceOrderError);
    await expect(compareSources('Customer', FIELDS, side([]), legacy)).rejects.toThrow('the legacy side is not in ascending id order: "a" came after "b"');
  });
});

describe('the cutover gate: consecutive clean days up to today', () => {
  const TODAY = '2026-11-27';
  const days = (...flags: boolean[]) => flags.map((clean, back) => ({ day: shift(TODAY, -1 - back), clean }));

  it('counts the run of clean days ending yesterday or today', () => {
    expect(cleanStreak(days(true, true, true, true), TODAY)).toBe(4);
    expect(cleanStreak(days(true, true, true, true, true), TODAY)).toBe(5);
    expect(cleanStreak([...days(true, true, true, true), { day: TODAY, clean: true }], TODAY)).toBe(5);
  });

  it('restarts after a day with a mismatch, a day nobody reconciled, or a run that stopped', () => {
    expect(cleanStreak(days(true, true, false, true, true, true), TODAY)).toBe(2);
    expect(cleanStreak([...days(true, true, true, true, true), { day: TODAY, clean: false }], TODAY)).toBe(0);
    const gap = days(true, true, true, true, true).filter((result) => result.day !== shift(TODAY, -3));
    expect(cleanStreak(gap, TODAY)).toBe(2);
    expect(cleanStreak(days(true, true, true).map((result) => ({ ...result, day: shift(result.day, -2) })), TODAY)).toBe(0);
    expect(cleanStreak([{ day: '2026-11-28', clean: true }, ...days(true)], TODAY)).toBe(1);
  });
});

describe('the cutover as an override of the declared matrix', () => {
  const declared = loadIntegrationMap().matrix;

  it('leaves the matrix as declared until an entity is cut over, and entities not cut over as they are', () => {
    expect(applyCutovers(declared, [])).toBe(declared);
    expect(applyCutovers(declared, [{ entity: 'Order' }]).entities.Customer).toBe(declared.entities.Customer);
  });

  it('gives what the legacy shop owned to the store and takes the legacy shop out of the followers', () => {
    const legacyEra: SourceOfTruthMatrix = {
      entities: {
        ...declared.entities,
        Customer: {
          fields: {
            email: { owner: { kind: 'system', system: 'legacy' }, followers: ['store', 'crm'], direction: 'owner-to-followers', conflict: 'owner-wins' },
            segment: { owner: { kind: 'system', system: 'crm' }, followers: ['legacy'], direction: 'owner-to-followers', conflict: 'owner-wins' },
          },
        },
        Order: {
          fields: { status: { owner: { kind: 'system', system: 'legacy' }, followers: ['store'], direction: 'bidirectional', conflict: 'latest-timestamp-wins' } },
        },
      },
    };
    const cut = applyCutovers(legacyEra, [{ entity: 'Customer' }, { entity: 'Order' }]);
    expect(ownerOf(cut, 'Customer', 'email')).toBe('store');
    expect(followersOf(cut, 'Customer', 'email')).toEqual(['crm']);
    expect(ownerOf(cut, 'Customer', 'segment')).toBe('crm');
    expect(followersOf(cut, 'Customer', 'segment')).toEqual([]);
    // Nobody left to flow both ways with: the store's alone.
    expect(cut.entities.Order!.fields.status).toMatchObject({ owner: { system: 'store' }, followers: [], direction: 'owner-to-followers', conflict: 'owner-wins' });
    expect(ownerOf(legacyEra, 'Customer', 'email')).toBe('legacy');
  });
});

function shift(day: string, delta: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + delta)).toISOString().slice(0, 10);
}
