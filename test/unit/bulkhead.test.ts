import { createBulkhead, createResilience } from '../../src/resilience';
import { IntegrationError, type BatchRead } from '../../src/domain';

/** A system whose calls stay open until the test answers them, counting how many were in flight at once. */
function heldSystem() {
  const open: Array<(value: ReadonlyMap<string, { id: string }>) => void> = [];
  const seen = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const port: { findByIds: BatchRead<{ id: string }> } = {
    findByIds() {
      seen.calls += 1;
      seen.inFlight += 1;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      return new Promise((resolve) =>
        open.push((value) => {
          seen.inFlight -= 1;
          resolve(value);
        }),
      );
    },
  };
  const answerNext = () => open.shift()?.(new Map([['a', { id: 'a' }]]));
  return { port, seen, answerNext, pending: () => open.length };
}

describe('bulkhead', () => {
  afterEach(() => jest.useRealTimers());

  it('lets maxConcurrent calls in, queues the next ones in order, and sheds the one past the queue at once', async () => {
    const bulkhead = createBulkhead('erp', { maxConcurrent: 2, maxQueue: 1, maxQueueWaitMs: 60_000 });
    const first = await bulkhead.acquire();
    await bulkhead.acquire();
    const third = bulkhead.acquire();
    await expect(bulkhead.acquire()).rejects.toMatchObject({ code: 'SYSTEM_BUSY', system: 'erp' });
    expect({ active: bulkhead.active, queued: bulkhead.queued }).toEqual({ active: 2, queued: 1 });
    first();
    first(); // a second release of the same place is ignored
    await expect(third).resolves.toEqual(expect.any(Function));
    expect({ active: bulkhead.active, queued: bulkhead.queued }).toEqual({ active: 2, queued: 0 });
  });

  it('refuses a call that waited maxQueueWaitMs, and one whose caller gave up, with SYSTEM_BUSY', async () => {
    jest.useFakeTimers();
    const bulkhead = createBulkhead('erp', { maxConcurrent: 1, maxQueue: 5, maxQueueWaitMs: 1_000 });
    await bulkhead.acquire();
    const waiting = bulkhead.acquire();
    const settled = jest.fn();
    waiting.catch(settled);
    await jest.advanceTimersByTimeAsync(999);
    expect(settled).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    await expect(waiting).rejects.toMatchObject({ code: 'SYSTEM_BUSY' });

    const caller = new AbortController();
    const abandoned = bulkhead.acquire(caller.signal);
    caller.abort();
    await expect(abandoned).rejects.toMatchObject({ code: 'SYSTEM_BUSY' });
    expect(bulkhead.queued).toBe(0);
  });
});

describe('resilience with a bulkhead per system', () => {
  afterEach(() => jest.useRealTimers());

  it('sheds calls past the bulkhead as SYSTEM_BUSY without calling the system or opening its breaker', async () => {
    const system = heldSystem();
    const resilience = createResilience({
      systems: { erp: { retries: 0, bulkhead: { maxConcurrent: 2, maxQueue: 0 }, breaker: { volumeThreshold: 3, errorThresholdPercentage: 10 } } },
    });
    const port = resilience.wrap('erp', system.port, { findByIds: { kind: 'batch-read' } });
    const held = [port.findByIds(['a']), port.findByIds(['a'])];
    const shed = await Promise.allSettled(Array.from({ length: 20 }, () => port.findByIds(['a'])));
    expect(shed.every((result) => result.status === 'rejected' && (result.reason as IntegrationError).code === 'SYSTEM_BUSY')).toBe(true);
    expect(system.seen).toMatchObject({ calls: 2, maxInFlight: 2 });
    expect(resilience.breakerStates()).toEqual([{ system: 'erp', operation: 'findByIds', state: 'closed' }]);
    system.answerNext();
    system.answerNext();
    await Promise.all(held);
    const after = port.findByIds(['a']);
    await new Promise(setImmediate);
    system.answerNext();
    await expect(after).resolves.toBeInstanceOf(Map);
    await resilience.close();
  });

  it('gives the place back when a call fails, so that the next call is attempted', async () => {
    let attempts = 0;
    const port: { findByIds: BatchRead<{ id: string }> } = {
      async findByIds() {
        attempts += 1;
        throw new IntegrationError('UPSTREAM_REJECTED', 'no', { system: 'erp' });
      },
    };
    const resilience = createResilience({ systems: { erp: { retries: 0, bulkhead: { maxConcurrent: 1, maxQueue: 0 } } } });
    const wrapped = resilience.wrap('erp', port, { findByIds: { kind: 'batch-read' } });
    await expect(wrapped.findByIds(['a'])).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED' });
    await expect(wrapped.findByIds(['a'])).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED' });
    expect(attempts).toBe(2);
    await resilience.close();
  });

  it('does not count the time a call waited for its place against the system\'s timeout', async () => {
    jest.useFakeTimers();
    const system = heldSystem();
    const resilience = createResilience({ systems: { erp: { timeoutMs: 1_000, retries: 0, bulkhead: { maxConcurrent: 1, maxQueue: 5, maxQueueWaitMs: 5_000 } } } });
    const port = resilience.wrap('erp', system.port, { findByIds: { kind: 'batch-read' } });
    const first = port.findByIds(['a']);
    const second = port.findByIds(['a']);
    const secondSettled = jest.fn();
    second.then(secondSettled, secondSettled);
    await jest.advanceTimersByTimeAsync(900);
    expect(system.seen.calls).toBe(1);
    system.answerNext();
    await first;
    // The second call got its place 900 ms in: 900 ms later it is still within its own 1 s.
    await jest.advanceTimersByTimeAsync(900);
    expect(system.seen).toMatchObject({ calls: 2, maxInFlight: 1 });
    expect(secondSettled).not.toHaveBeenCalled();
    system.answerNext();
    await expect(second).resolves.toBeInstanceOf(Map);
    await resilience.close();
  });
});
