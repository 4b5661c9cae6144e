import { createReadCache, type ReadCache } from '../../src/resilience';
import { createMemoryReadCache } from '../../src/resilience/cache';

/** The in-memory read cache's prefix drops: what its index by group answers against what a scan of every key would. */
describe('in-memory read cache: dropping by prefix', () => {
  const keysOf = async (cache: ReadCache, keys: readonly string[]): Promise<string[]> => {
    const values = await cache.getMany(keys);
    return keys.filter((_, index) => values[index] !== undefined);
  };

  it('drops every key that starts with the prefix, whatever group each was kept under, and no other', async () => {
    const cache = createReadCache();
    await cache.setMany([
      { key: 'crm:find:1', value: 1, ttl: 60_000, group: 'crm:find:' },
      { key: 'crm:find:2', value: 2, ttl: 60_000, group: 'crm:find:' },
      { key: 'crm:findAll:1', value: 3, ttl: 60_000, group: 'crm:findAll:' },
      { key: 'stale:crm:find:1', value: 4, ttl: 60_000, group: 'stale:crm:find:' },
      // No group, and a group that is not a prefix of its key: both are kept as if they had none.
      { key: 'crm:find:3', value: 5, ttl: 60_000 },
      { key: 'crm:find:4', value: 6, ttl: 60_000, group: 'erp:items:' },
    ]);
    const all = ['crm:find:1', 'crm:find:2', 'crm:findAll:1', 'stale:crm:find:1', 'crm:find:3', 'crm:find:4'];

    await cache.deleteByPrefix('crm:find:');
    expect(await keysOf(cache, all)).toEqual(['crm:findAll:1', 'stale:crm:find:1']);
    // A prefix shorter than a group takes the whole group; one longer than it, only its keys that match.
    await cache.setMany([
      { key: 'crm:find:1', value: 1, ttl: 60_000, group: 'crm:find:' },
      { key: 'crm:find:12', value: 1, ttl: 60_000, group: 'crm:find:' },
    ]);
    await cache.deleteByPrefix('crm:find:1');
    expect(await keysOf(cache, [...all, 'crm:find:12'])).toEqual(['crm:findAll:1', 'stale:crm:find:1']);
    await cache.deleteByPrefix('crm:find');
    expect(await keysOf(cache, all)).toEqual(['stale:crm:find:1']);
    await cache.disconnect();
  });

  it('agrees with a scan of every key over a seeded run of keeps, deletes, evictions and prefix drops', async () => {
    // A small seeded generator: the same run every time.
    let seed = 20261207;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const groups = ['crm:find:', 'crm:findAll:', 'stale:crm:find:', 'erp:items:', 'erp:item:', ''];
    const prefixes = [...groups, 'crm:', 'crm:find', 'erp:item', 'stale:', 'crm:find:1', 'erp:items:2'];
    const universe = [...new Set([...groups.filter(Boolean), 'misc:'])].flatMap((group) => Array.from({ length: 30 }, (_, n) => `${group}${n}`));
    const maxEntries = 40;
    const cache = createMemoryReadCache(maxEntries);
    // The model: what each key holds, most recently used last (the cache drops the least recently used first).
    const model = new Map<string, number>();
    const touch = (key: string, value: number) => {
      model.delete(key);
      model.set(key, value);
      if (model.size > maxEntries) model.delete(model.keys().next().value!);
    };
    for (let step = 0; step < 5_000; step += 1) {
      const roll = random();
      if (roll < 0.6) {
        const group = pick(groups);
        const key = `${group || pick(['crm:find:', 'misc:'])}${Math.floor(random() * 30)}`;
        await cache.setMany([{ key, value: step, ttl: 60_000, ...(group ? { group } : {}) }]);
        touch(key, step);
      } else if (roll < 0.8) {
        const key = pick([...model.keys(), 'crm:find:99']);
        await cache.deleteMany([key]);
        model.delete(key);
      } else {
        const prefix = pick(prefixes);
        await cache.deleteByPrefix(prefix);
        for (const key of [...model.keys()]) if (key.startsWith(prefix)) model.delete(key);
      }
      if (step % 50 === 0) {
        // Every key the run can make: those the model does not hold are not in the cache either (reading a key that is
        // not kept changes nothing), then those it holds, read in its order so that both keep the same order of use.
        const gone = universe.filter((key) => !model.has(key));
        expect(await cache.getMany(gone)).toEqual(gone.map(() => undefined));
        const keys = [...model.keys()];
        expect(await cache.getMany(keys)).toEqual(keys.map((key) => model.get(key)));
        // The index by group holds the keys kept and no key that left (evicted, deleted, dropped).
        expect(cache.indexedKeys()).toBe(model.size);
      }
    }
    await cache.disconnect();
  });
});
