import { openDatabase, OutboxJobEntity, type Database } from '../../src/db';
import { createOutbox, startOutboxWorker } from '../../src/outbox';

const START = new Date('2026-12-07T10:00:00.000Z');

/** A long job (a backfill) that answers its progress: the outbox queues it again from there. */
describe('outbox: a job that answers its progress', () => {
  let db: Database;
  let clock: Date;
  const enqueue = async (id: string) => {
    await db.orm.em.fork().insert(OutboxJobEntity, {
      id,
      kind: 'backfill',
      system: 'courier-x',
      operation: 'backfillBookings',
      entity: 'Order',
      entityId: 'all',
      payload: {},
      idempotencyKey: `key-${id}`,
      state: 'pending',
      attempts: 0,
      maxAttempts: 2,
      nextAttemptAt: clock,
      createdAt: clock,
      updatedAt: clock,
    });
  };

  beforeAll(async () => {
    db = await openDatabase('sqlite::memory:');
    await db.migrate();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(() => {
    clock = START;
  });

  it('runs again with the payload it answered, its attempts reset, until it answers nothing', async () => {
    const outbox = createOutbox(db, { now: () => clock });
    const id = '00000000-0000-4000-8000-0000000000a1';
    await enqueue(id);
    const seen: unknown[] = [];
    const worker = startOutboxWorker({
      outbox,
      pollMs: 60_000,
      handlers: {
        'courier-x:backfillBookings': async (job) => {
          seen.push({ payload: job.payload, attempts: job.attempts });
          const page = ((job.payload as { page?: number }).page ?? 0) + 1;
          return page < 4 ? { continueWith: { page } } : undefined;
        },
      },
    });
    await worker.drain();
    await worker.close();
    // Four claims, each the first attempt: a job of many parts is never dead-lettered for its length (max 2 attempts).
    expect(seen).toEqual([
      { payload: {}, attempts: 1 },
      { payload: { page: 1 }, attempts: 1 },
      { payload: { page: 2 }, attempts: 1 },
      { payload: { page: 3 }, attempts: 1 },
    ]);
    expect(await outbox.get(id)).toEqual(expect.objectContaining({ state: 'done', attempts: 1 }));
  });

  it('keeps nothing of a worker whose claim ran out: the worker that took the job over goes on', async () => {
    const outbox = createOutbox(db, { now: () => clock });
    const id = '00000000-0000-4000-8000-0000000000a2';
    await enqueue(id);
    const [first] = await outbox.claim('worker-1', 1, 1_000);
    clock = new Date(START.getTime() + 2_000);
    const [second] = await outbox.claim('worker-2', 1, 1_000);
    expect(second?.id).toBe(id);
    expect(await outbox.progress(first!, { page: 9 })).toBe('stale');
    expect(await outbox.progress(second!, { page: 1 })).toBe('pending');
    const [again] = await outbox.claim('worker-3', 1, 1_000);
    expect(again).toEqual(expect.objectContaining({ id, payload: { page: 1 }, attempts: 1 }));
  });
});
