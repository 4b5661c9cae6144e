import { AsyncLocalStorage } from 'node:async_hooks';
import { currentRequestId, runWithRequestId } from '../../src/logging';
import { requestScoped, witnessReads, type ReadWitness } from '../../src/resilience';
import { createHttpClient, withTrafficObserver } from '../../src/systems/kit/adapter';
import { currentStaleReport, withStaleReport } from '../../subgraphs/kit/stale';

/**
 * The request-scoped values (request id, stale report, read witness) share one AsyncLocalStorage: on Node 20 each one
 * entered copies its store onto every promise the process makes. Building adapters enters none.
 */

it('keeps each value of its own through nested runs and awaits, the others around it untouched', async () => {
  const colour = requestScoped<string>('colour');
  const size = requestScoped<number>('size');
  expect(colour.get()).toBeUndefined();
  await colour.run('red', async () => {
    await size.run(3, async () => {
      await Promise.resolve();
      expect([colour.get(), size.get()]).toEqual(['red', 3]);
      await colour.run('blue', async () => {
        await new Promise((resolve) => setImmediate(resolve));
        expect([colour.get(), size.get()]).toEqual(['blue', 3]);
      });
      expect(colour.get()).toBe('red');
    });
    expect(size.get()).toBeUndefined();
    expect(colour.get()).toBe('red');
  });
  expect(colour.get()).toBeUndefined();
});

it('serves a request\'s id, stale report and read witness from one AsyncLocalStorage, and building adapters enters none', async () => {
  const entered = new Set<AsyncLocalStorage<unknown>>();
  const original = AsyncLocalStorage.prototype.run;
  jest.spyOn(AsyncLocalStorage.prototype, 'run').mockImplementation(function (this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof original>) {
    entered.add(this);
    return original.apply(this, args);
  });
  const witness: ReadWitness = { saw: () => undefined };
  try {
    const handler = withStaleReport(async (_request: { headers: Record<string, unknown> }) => {
      await Promise.resolve();
      return runWithRequestId('r-1', () => witnessReads(witness, async () => [currentRequestId(), currentStaleReport() !== undefined]));
    });
    expect(await handler({ headers: {} })).toEqual(['r-1', true]);
    withTrafficObserver({ onAnswer: () => undefined }, () => createHttpClient({ system: 'crm', baseUrl: 'http://127.0.0.1:9' }));
  } finally {
    jest.restoreAllMocks();
  }
  expect(entered.size).toBe(1);
});
