import type { ClaimedJob, Outbox } from '../../src/outbox/outbox';
import { startOutboxWorker } from '../../src/outbox/worker';

/**
 * An idle worker looks for due jobs less and less often (from pollMs, doubling, up to idlePollMs): each look is a
 * transaction and a query, and four a second were most of an idle process's CPU. A job this process queues wakes it
 * at once. Driven by jest's fake clock: no test here waits on a real timer.
 */
function fakeOutbox() {
  const queue: ClaimedJob[] = [];
  const claims: number[] = [];
  const done: string[] = [];
  let release: (() => void) | undefined;
  const outbox = {
    async claim(workerId: string, limit: number) {
      claims.push(Date.now());
      // A held look read the table before the jobs queued while it waits: it finds nothing.
      if (release) return new Promise<ClaimedJob[]>((resolve) => (release = () => resolve([])));
      return queue.splice(0, limit).map((job) => ({ ...job, lockedBy: workerId }));
    },
    async complete(jobId: string) {
      done.push(jobId);
    },
  } as unknown as Outbox;
  const job = (id: string): ClaimedJob => ({ id, system: 'crm', operation: 'upsert', payload: {}, idempotencyKey: id, attempts: 1, maxAttempts: 8, lockedBy: '' });
  return {
    outbox,
    queue,
    claims,
    done,
    job,
    /** The next claim waits until `go` is called. */
    holdNextClaim() {
      release = () => undefined;
      return { go: () => { const open = release; release = undefined; open?.(); } };
    },
  };
}

describe('the outbox worker polls seldom when idle and at once when woken', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('doubles its wait from pollMs to idlePollMs while it finds nothing', async () => {
    const fake = fakeOutbox();
    const worker = startOutboxWorker({ outbox: fake.outbox, handlers: {}, pollMs: 250, idlePollMs: 1_000 });
    await jest.advanceTimersByTimeAsync(10_000);
    await worker.close();
    expect(fake.claims.slice(0, 4)).toEqual([0, 500, 1_500, 2_500]);
    // Eleven looks in ten seconds, where a fixed 250 ms poll made forty.
    expect(fake.claims).toHaveLength(11);
  });

  it('looks again soon after a look that ran jobs', async () => {
    const fake = fakeOutbox();
    const ran: string[] = [];
    const worker = startOutboxWorker({ outbox: fake.outbox, handlers: { 'crm:upsert': async (job) => void ran.push(job.id) }, pollMs: 250, idlePollMs: 1_000 });
    await jest.advanceTimersByTimeAsync(3_000);
    fake.queue.push(fake.job('j1'));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(ran).toEqual(['j1']);
    const found = fake.claims.find((at) => at >= 3_000)!;
    // After it ran a job the next look is pollMs later, not idlePollMs.
    expect(fake.claims).toContain(found + 250);
    await worker.close();
  });

  it('a wake starts a look at once', async () => {
    const fake = fakeOutbox();
    const ran: string[] = [];
    const worker = startOutboxWorker({ outbox: fake.outbox, handlers: { 'crm:upsert': async (job) => void ran.push(job.id) }, pollMs: 250, idlePollMs: 1_000 });
    await jest.advanceTimersByTimeAsync(3_200);
    const before = fake.claims.length;
    fake.queue.push(fake.job('j2'));
    worker.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(fake.claims.length).toBe(before + 2);
    expect(fake.claims.at(-2)).toBe(3_200);
    expect(ran).toEqual(['j2']);
    await worker.close();
  });

  it('a wake during a look that claimed nothing yet makes it look again right after', async () => {
    const fake = fakeOutbox();
    const ran: string[] = [];
    const worker = startOutboxWorker({ outbox: fake.outbox, handlers: { 'crm:upsert': async (job) => void ran.push(job.id) }, pollMs: 250, idlePollMs: 1_000 });
    await jest.advanceTimersByTimeAsync(3_000);
    const held = fake.holdNextClaim();
    await jest.advanceTimersByTimeAsync(1_000);
    const lookAt = fake.claims.at(-1)!;
    // The job is queued and the worker woken while its look's query runs: that look finds nothing.
    fake.queue.push(fake.job('j3'));
    worker.wake();
    const endedAt = Date.now();
    held.go();
    await jest.advanceTimersByTimeAsync(0);
    expect(ran).toEqual(['j3']);
    // The next look came as the held one ended, not a whole idle wait after it began.
    // (two looks: the one that found the job, and the drain's next, which found none)
    expect(fake.claims.filter((at) => at > lookAt)).toEqual([endedAt, endedAt]);
    expect(endedAt - lookAt).toBeLessThan(1_000);
    await worker.close();
  });
});
