import { IntegrationError, type BatchRead } from '../../src/domain';
import { createMemoryRateLimiter, createResilience } from '../../src/resilience';
import { redisForTests } from '../support/redis';

/** A system that counts the calls it receives. */
function countingSystem() {
  let calls = 0;
  const port: { findByIds: BatchRead<string> } = {
    async findByIds(ids) {
      calls += 1;
      return new Map(ids.map((id) => [id, id]));
    },
  };
  return { port, calls: () => calls };
}

const settle = <T>(promises: readonly Promise<T>[]) => Promise.allSettled(promises);

describe('the token bucket in memory', () => {
  it('grants the budget at once, then one token per refill interval, and refuses a wait longer than the caller has', async () => {
    let now = 0;
    const limiter = createMemoryRateLimiter(() => now);
    const budget = { requests: 5, perSeconds: 1 }; // a token every 200 ms
    const first = await Promise.all(Array.from({ length: 5 }, () => limiter.reserve('crm', budget, 0)));
    expect(first).toEqual(Array(5).fill({ granted: true, waitMs: 0 }));
    // The sixth and seventh reserve the next tokens, in turn.
    await expect(limiter.reserve('crm', budget, 1_000)).resolves.toEqual({ granted: true, waitMs: 200 });
    await expect(limiter.reserve('crm', budget, 1_000)).resolves.toEqual({ granted: true, waitMs: 400 });
    // The eighth cannot wait 600 ms: refused, told when to come back, and nothing reserved.
    await expect(limiter.reserve('crm', budget, 100)).resolves.toEqual({ granted: false, retryAfterMs: 600 });
    now = 600;
    await expect(limiter.reserve('crm', budget, 0)).resolves.toEqual({ granted: true, waitMs: 0 });
    // Another system has its own bucket.
    await expect(limiter.reserve('erp', budget, 0)).resolves.toEqual({ granted: true, waitMs: 0 });
    // A long pause refills up to the budget, never beyond it.
    now = 60_000;
    const refilled = await Promise.all(Array.from({ length: 6 }, () => limiter.reserve('crm', budget, 0)));
    expect(refilled.filter((reservation) => reservation.granted)).toHaveLength(5);
    await limiter.close();
  });
});

describe('rate limits in the resilience layer', () => {
  afterEach(() => jest.useRealTimers());

  it('makes a call over the budget wait for its token when its timeout allows, without failing it', async () => {
    jest.useFakeTimers();
    const system = countingSystem();
    const resilience = createResilience({ systems: { vendor: { timeoutMs: 1_000, rateLimit: { requests: 2, perSeconds: 1 } } } });
    const port = resilience.wrap('vendor', system.port, { findByIds: { kind: 'batch-read' } });
    const answers = [port.findByIds(['a']), port.findByIds(['b']), port.findByIds(['c'])];
    await jest.advanceTimersByTimeAsync(0);
    expect(system.calls()).toBe(2);
    await jest.advanceTimersByTimeAsync(499);
    expect(system.calls()).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(system.calls()).toBe(3);
    await expect(Promise.all(answers)).resolves.toEqual([new Map([['a', 'a']]), new Map([['b', 'b']]), new Map([['c', 'c']])]);
    await resilience.close();
  });

  it('fails a call whose token would come after its timeout with UPSTREAM_RATE_LIMITED, without calling the system', async () => {
    jest.useFakeTimers();
    const system = countingSystem();
    const resilience = createResilience({ systems: { vendor: { timeoutMs: 300, rateLimit: { requests: 2, perSeconds: 1 } } } });
    const port = resilience.wrap('vendor', system.port, { findByIds: { kind: 'batch-read' } });
    const outcomes = await settle([port.findByIds(['a']), port.findByIds(['b']), port.findByIds(['c'])]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    const refused = (outcomes[2] as PromiseRejectedResult).reason as IntegrationError;
    expect(refused).toBeInstanceOf(IntegrationError);
    expect(refused).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', system: 'vendor', retryAfterMs: 500 });
    expect(system.calls()).toBe(2);
    // Refusing on our side says nothing of the vendor's health.
    expect(resilience.breakerStates()).toContainEqual({ system: 'vendor', operation: 'findByIds', state: 'closed' });
    await resilience.close();
  });
});

describe('rate limits shared through Redis', () => {
  it('spends one budget across replicas: a burst of N+5 costs the system N calls in the window', async () => {
    const url = await redisForTests();
    if (!url) return; // no Redis on this machine and not in CI: the memory bucket above covers the logic
    const system = `rate-test-${process.pid}-${Date.now()}`;
    const budget = 6;
    const counting = countingSystem();
    // A budget refilled once a minute: nothing refills during the burst, whatever the machine's speed.
    const systems = { [system]: { timeoutMs: 500, retries: 0, rateLimit: { requests: budget, perSeconds: 60 } } };
    const replicas = [createResilience({ systems, rateLimitRedis: url }), createResilience({ systems, rateLimitRedis: url })];
    const ports = replicas.map((replica) => replica.wrap(system, counting.port, { findByIds: { kind: 'batch-read' } }));
    const burst = Array.from({ length: budget + 5 }, (_, index) => ports[index % 2]!.findByIds([`k${index}`]));
    const outcomes = await settle(burst);

    expect(counting.calls()).toBe(budget);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(budget);
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as IntegrationError] : []));
    expect(refused).toHaveLength(5);
    for (const error of refused) {
      expect(error).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', system });
      expect(error.retryAfterMs).toBeGreaterThan(500);
      expect(error.retryAfterMs).toBeLessThanOrEqual(10_000);
    }
    await Promise.all(replicas.map((replica) => replica.close()));
  });
});
