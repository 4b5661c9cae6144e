import { createReadCache, createResilience } from '../../src/resilience';
import { IntegrationError, type BatchAnswer, type BatchRead, type CallOptions, type Page } from '../../src/domain';

/**
 * Staleness is in the port's result type (issue 17): a read served from older copies says so in its `stale` field
 * (BatchAnswer, Page), and a failed batch read's cached part is the error's `cachedPart`; no hidden symbol carries it.
 */
interface Thing {
  readonly id: string;
}

interface ThingPort {
  findByIds: BatchRead<Thing>;
  listThings(request: { first: number }, options?: CallOptions): Promise<Page<Thing>>;
}

const READ_AT = new Date('2026-11-27T10:00:00Z');

function thingSystem() {
  const state = { down: false };
  const fail = () => new IntegrationError('UPSTREAM_UNAVAILABLE', 'thing is down', { system: 'thing', operation: 'read' });
  const port: ThingPort = {
    async findByIds(ids) {
      if (state.down) throw fail();
      return new Map(ids.filter((id) => id !== 'ghost').map((id) => [id, { id }]));
    },
    async listThings(request) {
      if (state.down) throw fail();
      const items = Array.from({ length: request.first }, (_, index) => ({ id: `t${index}` }));
      return { items, cursors: items.map((item) => item.id), endCursor: null, hasNextPage: false, totalCount: items.length };
    },
  };
  return { port, state };
}

describe('a stale answer says so in its type', () => {
  afterEach(() => jest.useRealTimers());

  it('batch reads and pages carry `stale` as a field, failed batch reads their `cachedPart`', async () => {
    jest.useFakeTimers({ now: READ_AT });
    const system = thingSystem();
    const resilience = createResilience({ cache: createReadCache(), systems: { thing: { retries: 0 } } });
    const port = resilience.wrap('thing', system.port, {
      findByIds: { kind: 'batch-read', cacheTtlMs: 1_000, staleTtlMs: 60_000 },
      listThings: { kind: 'read', cacheTtlMs: 1_000, staleTtlMs: 60_000 },
    });
    const fresh: BatchAnswer<Thing> = await port.findByIds(['a', 'b']);
    const freshPage = await port.listThings({ first: 2 });
    expect(fresh.stale).toBeUndefined();
    expect(freshPage.stale).toBeUndefined();

    await jest.advanceTimersByTimeAsync(5_000);
    system.state.down = true;
    const served = await port.findByIds(['a', 'b']);
    expect(served.stale).toEqual({ system: 'thing', operation: 'findByIds', asOf: new Map([['a', READ_AT], ['b', READ_AT]]) });
    expect(Object.getOwnPropertySymbols(served)).toEqual([]);
    const page = await port.listThings({ first: 2 });
    expect(page.items.map((item) => item.id)).toEqual(['t0', 't1']);
    expect(page.stale).toEqual({ system: 'thing', operation: 'listThings', asOf: new Map([[JSON.stringify({ first: 2 }), READ_AT]]) });
    expect(Object.getOwnPropertySymbols(page)).toEqual([]);

    const failure: unknown = await port.findByIds(['a', 'never-read']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IntegrationError);
    const cached = (failure as IntegrationError).cachedPart;
    expect([...(cached?.keys() ?? [])]).toEqual(['a']);
    expect(cached?.stale?.asOf.get('a')).toEqual(READ_AT);
    expect(Object.getOwnPropertySymbols(failure)).toEqual([]);

    // The cached originals were never marked: healthy again, the answers are fresh.
    system.state.down = false;
    await jest.advanceTimersByTimeAsync(5_000);
    expect((await port.findByIds(['a'])).stale).toBeUndefined();
    expect((await port.listThings({ first: 2 })).stale).toBeUndefined();
    await resilience.close();
  });
});
