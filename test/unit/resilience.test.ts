import { cachedPartOf, createReadCache, createResilience, staleKeysOf, type CallRecord } from '../../src/resilience';
import { IntegrationError, type BatchRead, type CallOptions } from '../../src/domain';
import { redisForTests } from '../support/redis';

interface Thing {
  readonly id: string;
  readonly seenAt: Date;
}

interface ThingPort {
  findByIds: BatchRead<Thing>;
  save(input: { id: string }, options?: CallOptions): Promise<Thing>;
}

function fakeSystem() {
  const calls: string[][] = [];
  const saves: string[] = [];
  let failure: IntegrationError | null = null;
  /** Failures answered once each, before anything else. */
  const next: IntegrationError[] = [];
  let hang = false;
  const signals: AbortSignal[] = [];
  const port: ThingPort = {
    async findByIds(ids, options) {
      calls.push([...ids]);
      if (options?.signal) signals.push(options.signal);
      if (hang) return new Promise(() => undefined);
      const once = next.shift();
      if (once) throw once;
      if (failure) throw failure;
      return new Map(ids.filter((id) => id !== 'missing').map((id) => [id, { id, seenAt: new Date('2026-11-27T10:00:00Z') }]));
    },
    async save(input) {
      saves.push(input.id);
      const once = next.shift();
      if (once) throw once;
      if (failure) throw failure;
      return { id: input.id, seenAt: new Date() };
    },
  };
  return {
    port,
    calls,
    saves,
    signals,
    fail: (error: IntegrationError | null) => (failure = error),
    failNext: (...errors: IntegrationError[]) => next.push(...errors),
    hang: (value: boolean) => (hang = value),
  };
}

const unavailable = () => new IntegrationError('UPSTREAM_UNAVAILABLE', 'down', { system: 'thing' });

describe('resilience', () => {
  afterEach(() => jest.useRealTimers());

  it('opens the breaker after repeated failures, fails fast while open, and closes again after a good trial', async () => {
    jest.useFakeTimers();
    const system = fakeSystem();
    const resilience = createResilience({
      // No retries: each call is one attempt, so that three calls are three failures.
      systems: { thing: { retries: 0, breaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 1_000, rollingWindowMs: 10_000 } } },
    });
    const port = resilience.wrap('thing', system.port, { findByIds: { kind: 'batch-read' }, save: { kind: 'write' } });
    system.fail(unavailable());
    for (let i = 0; i < 3; i += 1) await expect(port.findByIds(['a'])).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(resilience.breakerStates()).toContainEqual({ system: 'thing', operation: 'findByIds', state: 'open' });

    const before = system.calls.length;
    // The refusal says when the breaker lets a trial through, so that queued work (the outbox) waits until then.
    await jest.advanceTimersByTimeAsync(400);
    await expect(port.findByIds(['a'])).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', system: 'thing', retryAfterMs: 600 });
    expect(system.calls.length).toBe(before);

    system.fail(null);
    await jest.advanceTimersByTimeAsync(601);
    await expect(port.findByIds(['a'])).resolves.toEqual(new Map([['a', expect.objectContaining({ id: 'a' })]]));
    expect(resilience.breakerStates()).toContainEqual({ system: 'thing', operation: 'findByIds', state: 'closed' });
    await resilience.close();
  });

  it('does not count a refusal (4xx) against the system\'s health', async () => {
    const system = fakeSystem();
    const resilience = createResilience({ systems: { thing: { breaker: { errorThresholdPercentage: 1, volumeThreshold: 1, resetTimeoutMs: 60_000, rollingWindowMs: 10_000 } } } });
    const port = resilience.wrap('thing', system.port, { findByIds: { kind: 'batch-read' }, save: { kind: 'write' } });
    system.fail(new IntegrationError('UPSTREAM_REJECTED', 'no such thing', { system: 'thing' }));
    for (let i = 0; i < 5; i += 1) await expect(port.save({ id: 'x' })).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED' });
    expect(resilience.breakerStates()).toContainEqual({ system: 'thing', operation: 'save', state: 'closed' });
    await resilience.close();
  });

  it('abandons a call at its timeout, aborts the call\'s own signal, and names the system', async () => {
    jest.useFakeTimers();
    const system = fakeSystem();
    system.hang(true);
    const resilience = createResilience({ systems: { thing: { timeoutMs: 250 } } });
    const port = resilience.wrap('thing', system.port, { findByIds: { kind: 'batch-read' }, save: { kind: 'write' } });
    const outcome = expect(port.findByIds(['a'])).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT', system: 'thing' });
    const second = expect(port.findByIds(['b'])).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    await jest.advanceTimersByTimeAsync(251);
    await outcome;
    await second;
    expect(system.signals).toHaveLength(2);
    expect(system.signals[0]).not.toBe(system.signals[1]);
    expect(system.signals.every((signal) => signal.aborted)).toBe(true);
    await resilience.close();
  });

  it('caches batch reads per key: a later batch asks the system only for the keys it has not seen', async () => {
    const system = fakeSystem();
    const resilience = createResilience({ cache: createReadCache() });
    const port = resilience.wrap('thing', system.port, { findByIds: { kind: 'batch-read', cacheTtlMs: 60_000 }, save: { kind: 'write' } });
    await port.findByIds(['a', 'b']);
    const found = await port.findByIds(['a', 'b', 'c', 'missing']);
    expect([...found.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(system.calls).toEqual([['a', 'b'], ['c', 'missing']]);
    await resilience.invalidate('thing', 'findByIds', ['a']);
    await port.findByIds(['a', 'b']);
    expect(system.calls.at(-1)).toEqual(['a']);
    await resilience.close();
  });

  it('counts the calls asked and not settled, from before their cache lookup (callsRunning)', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const port = {
      findByIds: async (ids: readonly string[]) => {
        await held;
        return new Map(ids.map((id) => [id, { id }]));
      },
    };
    const resilience = createResilience({ cache: createReadCache() });
    const wrapped = resilience.wrap('thing', port, { findByIds: { kind: 'batch-read', cacheTtlMs: 60_000 } });
    const first = wrapped.findByIds(['a']);
    const second = wrapped.findByIds(['b']);
    expect(resilience.callsRunning()).toBe(2);
    release();
    await Promise.all([first, second]);
    expect(resilience.callsRunning()).toBe(0);
    await wrapped.findByIds(['a']);
    expect(resilience.callsRunning()).toBe(0);
    await resilience.close();
  });

  it('remembers the keys a system has no record of, until they expire or are dropped', async () => {
    const system = fakeSystem();
    const resilience = createResilience({ cache: createReadCache() });
    const port = resilience.wrap('thing', system.port, { findByIds: { kind: 'batch-read', cacheTtlMs: 60_000 }, save: { kind: 'write' } });
    await port.findByIds(['a', 'missing']);
    const again = await port.findByIds(['a', 'missing']);
    // Asked once: the second read is answered from the cache, absence included, and absence is no record.
    expect(system.calls).toEqual([['a', 'missing']]);
    expect([...again.keys()]).toEqual(['a']);
    await resilience.invalidate('thing', 'findByIds', ['missing']);
    await port.findByIds(['a', 'missing']);
    expect(system.calls.at(-1)).toEqual(['missing']);
    // Dropping every cached read of the operation drops what is known to be absent too.
    await resilience.invalidate('thing', 'findByIds');
    await port.findByIds(['a', 'missing']);
    expect(system.calls.at(-1)).toEqual(['a', 'missing']);
    jest.useFakeTimers({ now: Date.now() + 60_001, doNotFake: ['nextTick', 'setImmediate'] });
    await port.findByIds(['missing']);
    expect(system.calls.at(-1)).toEqual(['missing']);
    expect(system.calls).toHaveLength(4);
    await resilience.close();
  });

  it('drops every key of an operation, those another replica cached included, when told no keys (shared Redis)', async () => {
    const url = await redisForTests();
    if (!url) return; // no Redis on this machine and not in CI: the memory path is the one below
    const namespace = `test-all-${process.pid}-${Date.now()}`;
    const system = fakeSystem();
    const caches = [createReadCache(url), createReadCache(url)] as const;
    const first = createResilience({ cache: caches[0] });
    const second = createResilience({ cache: caches[1] });
    const a = first.wrap(namespace, system.port, { findByIds: { kind: 'batch-read', cacheTtlMs: 60_000 }, save: { kind: 'write' } });
    second.wrap(namespace, system.port, { findByIds: { kind: 'batch-read', cacheTtlMs: 60_000 }, save: { kind: 'write' } });
    try {
      await a.findByIds(['r1', 'r2']);
      // The replica that is told (a webhook reached it) never read these keys itself.
      await second.invalidate(namespace, 'findByIds');
      await a.findByIds(['r1', 'r2']);
      expect(system.calls).toEqual([['r1', 'r2'], ['r1', 'r2']]);
    } finally {
      await first.invalidate(namespace, 'findByIds');
      await first.close();
      await second.close();
      await Promise.all(caches.map((cache) => cache.disconnect()));
    }
  });

  it('drops every key of an operation when told no keys (in memory)', async () => {
    const system = fakeSystem();
    const resilience = createResilience({ cache: createReadCache() });
    const port = resilience.wrap('thing', system.port, { findByIds: { kind: 'batch-read', cacheTtlMs: 60_000 }, save: { kind: 'write' } });
    await port.findByIds(['a', 'b']);
    await resilience.invalidate('thing', 'findByIds');
    await port.findByIds(['a', 'b']);
    expect(system.calls).toEqual([['a', 'b'], ['a', 'b']]);
    await resilience.close();
  });

  it('keeps Dates intact through a Redis cache shared by replicas', async () => {
    const url = await redisForTests();
    if (!url) return; // no Redis on this machine and not in CI: the memory path above covers the logic
    const namespace = `test-${process.pid}-${Date.now()}`;
    const system = fakeSystem();
    const caches = [createReadCache(url), createReadCache(url)] as const;
    const first = createResilience({ cache: caches[0] });
    const second = createResilience({ cache: caches[1] });
    const a = first.wrap(namespace, system.port, { findByIds: { kind: 'batch-read', cacheTtlMs: 60_000 }, save: { kind: 'write' } });
    const b = second.wrap(namespace, system.port, { findByIds: { kind: 'batch-read', cacheTtlMs: 60_000 }, save: { kind: 'write' } });
    try {
      await a.findByIds(['r1', 'missing']);
      const fromOtherReplica = await b.findByIds(['r1', 'missing']);
      // Absence is shared too: the other replica does not ask again.
      expect(system.calls).toEqual([['r1', 'missing']]);
      expect([...fromOtherReplica.keys()]).toEqual(['r1']);
      expect(fromOtherReplica.get('r1')?.seenAt).toBeInstanceOf(Date);
      expect(fromOtherReplica.get('r1')?.seenAt.toISOString()).toBe('2026-11-27T10:00:00.000Z');
    } finally {
      await first.invalidate(namespace, 'findByIds', ['r1', 'missing']);
      await first.close();
      await second.close();
      await Promise.all(caches.map((cache) => cache.disconnect()));
    }
  });
});

const THING_POLICIES = { findByIds: { kind: 'batch-read' }, save: { kind: 'write' } } as const;

describe('retries: reads retry within their budget, writes never', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a read that failed twice, after three attempts', async () => {
    jest.useFakeTimers();
    const system = fakeSystem();
    const records: CallRecord[] = [];
    const resilience = createResilience({ onCall: (record) => records.push(record), systems: { thing: { timeoutMs: 5_000 } } });
    const port = resilience.wrap('thing', system.port, THING_POLICIES);
    system.failNext(unavailable(), new IntegrationError('UPSTREAM_TIMEOUT', 'slow', { system: 'thing' }));
    const answer = port.findByIds(['a']);
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(answer).resolves.toEqual(new Map([['a', expect.objectContaining({ id: 'a' })]]));
    expect(system.calls).toEqual([['a'], ['a'], ['a']]);
    expect(records).toEqual([expect.objectContaining({ outcome: 'ok', attempts: 3 })]);
    await resilience.close();
  });

  it('waits as long as the system asked (Retry-After) before trying again', async () => {
    jest.useFakeTimers();
    const system = fakeSystem();
    const resilience = createResilience({ systems: { thing: { timeoutMs: 5_000 } } });
    const port = resilience.wrap('thing', system.port, THING_POLICIES);
    system.failNext(new IntegrationError('UPSTREAM_RATE_LIMITED', 'slow down', { system: 'thing', retryAfterMs: 300 }));
    const answer = port.findByIds(['a']);
    await jest.advanceTimersByTimeAsync(299);
    expect(system.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(answer).resolves.toEqual(new Map([['a', expect.objectContaining({ id: 'a' })]]));
    expect(system.calls).toHaveLength(2);
    await resilience.close();
  });

  it('fails a write at once, after its one attempt', async () => {
    const system = fakeSystem();
    const records: CallRecord[] = [];
    const resilience = createResilience({ onCall: (record) => records.push(record) });
    const port = resilience.wrap('thing', system.port, THING_POLICIES);
    system.failNext(unavailable());
    await expect(port.save({ id: 'x' })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'thing' });
    expect(system.saves).toEqual(['x']);
    expect(records).toEqual([expect.objectContaining({ operation: 'save', outcome: 'error', attempts: 1 })]);
    await resilience.close();
  });

  it('does not retry what a retry cannot cure', async () => {
    const system = fakeSystem();
    const resilience = createResilience();
    const port = resilience.wrap('thing', system.port, THING_POLICIES);
    system.failNext(new IntegrationError('UPSTREAM_BAD_RESPONSE', 'garbage', { system: 'thing' }));
    await expect(port.findByIds(['a'])).rejects.toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
    expect(system.calls).toHaveLength(1);
    await resilience.close();
  });

  it('gives up with UPSTREAM_TIMEOUT when the call\'s budget is spent, each attempt with its own aborted signal', async () => {
    jest.useFakeTimers();
    const system = fakeSystem();
    system.hang(true);
    const resilience = createResilience({ systems: { thing: { timeoutMs: 1_000, attemptTimeoutMs: 300, retries: 10 } } });
    const port = resilience.wrap('thing', system.port, THING_POLICIES);
    let settledAt: number | undefined;
    const started = Date.now();
    const outcome = port.findByIds(['a']).finally(() => (settledAt = Date.now() - started));
    const failed = expect(outcome).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT', system: 'thing' });
    await jest.advanceTimersByTimeAsync(1_000);
    await failed;
    expect(settledAt).toBeLessThanOrEqual(1_000);
    // 300 ms attempts with waits between them: at least three fit in one second, at most four.
    expect(system.calls.length).toBeGreaterThanOrEqual(3);
    expect(system.calls.length).toBeLessThanOrEqual(4);
    expect(new Set(system.signals).size).toBe(system.signals.length);
    expect(system.signals.every((signal) => signal.aborted)).toBe(true);
    await resilience.close();
  });

  it('counts every failed attempt in the breaker, and stops retrying once it opens', async () => {
    jest.useFakeTimers();
    const system = fakeSystem();
    const resilience = createResilience({
      systems: { thing: { timeoutMs: 5_000, retries: 5, breaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 60_000, rollingWindowMs: 60_000 } } },
    });
    const port = resilience.wrap('thing', system.port, THING_POLICIES);
    system.fail(unavailable());
    const first = expect(port.findByIds(['a'])).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await jest.advanceTimersByTimeAsync(5_000);
    await first;
    expect(system.calls).toHaveLength(3);
    expect(resilience.breakerStates()).toContainEqual({ system: 'thing', operation: 'findByIds', state: 'open' });
    await expect(port.findByIds(['a'])).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(system.calls).toHaveLength(3);
    await resilience.close();
  });
});

describe('stale-if-error', () => {
  afterEach(() => jest.useRealTimers());

  const cachedPolicies = { findByIds: { kind: 'batch-read', cacheTtlMs: 1_000, staleTtlMs: 60_000 }, save: { kind: 'write' } } as const;

  it('serves the last answer, marked stale as of when it was read, when the system fails', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-27T10:00:00Z') });
    const system = fakeSystem();
    const resilience = createResilience({ cache: createReadCache(), systems: { thing: { retries: 0 } } });
    const port = resilience.wrap('thing', system.port, cachedPolicies);
    const fresh = await port.findByIds(['a', 'b']);
    expect(staleKeysOf(fresh)).toBeUndefined();

    await jest.advanceTimersByTimeAsync(5_000); // the fresh copies have expired
    system.fail(unavailable());
    const served = await port.findByIds(['a', 'b']);
    expect([...served.keys()].sort()).toEqual(['a', 'b']);
    expect(served.get('a')?.seenAt).toEqual(new Date('2026-11-27T10:00:00Z'));
    expect(staleKeysOf(served)).toEqual({
      system: 'thing',
      operation: 'findByIds',
      asOf: new Map([
        ['a', new Date('2026-11-27T10:00:00Z')],
        ['b', new Date('2026-11-27T10:00:00Z')],
      ]),
    });

    // A key never read has no copy: it fails, and the copies of the others come with the failure, marked.
    const failure: unknown = await port.findByIds(['a', 'c']).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect([...(cachedPartOf(failure)?.keys() ?? [])]).toEqual(['a']);
    expect(staleKeysOf(cachedPartOf(failure))?.asOf.get('a')).toEqual(new Date('2026-11-27T10:00:00Z'));

    // Back to health: fresh answers, unmarked.
    system.fail(null);
    const again = await port.findByIds(['a', 'b']);
    expect(staleKeysOf(again)).toBeUndefined();
    await resilience.close();
  });

  it('serves stale copies while the breaker is open, and none once they are older than staleTtlMs', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-27T10:00:00Z') });
    const system = fakeSystem();
    const resilience = createResilience({
      cache: createReadCache(),
      systems: { thing: { retries: 0, breaker: { errorThresholdPercentage: 10, volumeThreshold: 1, resetTimeoutMs: 600_000, rollingWindowMs: 600_000 } } },
    });
    const port = resilience.wrap('thing', system.port, cachedPolicies);
    await port.findByIds(['a']);
    await jest.advanceTimersByTimeAsync(2_000);
    system.fail(unavailable());
    await expect(port.findByIds(['z'])).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(resilience.breakerStates()).toContainEqual({ system: 'thing', operation: 'findByIds', state: 'open' });
    const calls = system.calls.length;
    const served = await port.findByIds(['a']);
    expect(system.calls).toHaveLength(calls);
    expect(staleKeysOf(served)?.asOf.get('a')).toEqual(new Date('2026-11-27T10:00:00Z'));

    await jest.advanceTimersByTimeAsync(60_000);
    await expect(port.findByIds(['a'])).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    await resilience.close();
  });

  it('never stands an old answer in for a refusal', async () => {
    const system = fakeSystem();
    const resilience = createResilience({ cache: createReadCache() });
    const port = resilience.wrap('thing', system.port, { findByIds: { kind: 'batch-read', cacheTtlMs: 0, staleTtlMs: 60_000 }, save: { kind: 'write' } });
    await port.findByIds(['a']);
    system.fail(new IntegrationError('UPSTREAM_REJECTED', 'no', { system: 'thing' }));
    await expect(port.findByIds(['a'])).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED' });
    await resilience.close();
  });
});
