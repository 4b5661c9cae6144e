import { createReadCache, createResilience } from '../../src/resilience';
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
  let failure: IntegrationError | null = null;
  let hang = false;
  const signals: AbortSignal[] = [];
  const port: ThingPort = {
    async findByIds(ids, options) {
      calls.push([...ids]);
      if (options?.signal) signals.push(options.signal);
      if (hang) return new Promise(() => undefined);
      if (failure) throw failure;
      return new Map(ids.filter((id) => id !== 'missing').map((id) => [id, { id, seenAt: new Date('2026-11-27T10:00:00Z') }]));
    },
    async save(input) {
      if (failure) throw failure;
      return { id: input.id, seenAt: new Date() };
    },
  };
  return {
    port,
    calls,
    signals,
    fail: (error: IntegrationError | null) => (failure = error),
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
      systems: { thing: { breaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 1_000, rollingWindowMs: 10_000 } } },
    });
    const port = resilience.wrap('thing', system.port, { findByIds: { kind: 'batch-read' }, save: { kind: 'write' } });
    system.fail(unavailable());
    for (let i = 0; i < 3; i += 1) await expect(port.findByIds(['a'])).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(resilience.breakerStates()).toContainEqual({ system: 'thing', operation: 'findByIds', state: 'open' });

    const before = system.calls.length;
    await expect(port.findByIds(['a'])).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', system: 'thing' });
    expect(system.calls.length).toBe(before);

    system.fail(null);
    await jest.advanceTimersByTimeAsync(1_001);
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
    await a.findByIds(['r1']);
    const fromOtherReplica = await b.findByIds(['r1']);
    expect(system.calls).toEqual([['r1']]);
    expect(fromOtherReplica.get('r1')?.seenAt).toBeInstanceOf(Date);
    expect(fromOtherReplica.get('r1')?.seenAt.toISOString()).toBe('2026-11-27T10:00:00.000Z');
    await first.invalidate(namespace, 'findByIds', ['r1']);
    await first.close();
    await second.close();
    await Promise.all(caches.map((cache) => cache.disconnect()));
  });
});
