import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db';
import { IdempotencyClaimEntity, MutationAuditEntity } from '../../src/db/entities';
import { createManualClock, type ManualClock } from '../../src/writes/clock';
import { createWriteUnit } from '../../src/writes/db-unit';
import { fingerprintOf } from '../../src/writes/fingerprint';
import { createOnce, type Apply, type Once, type OnceOptions } from '../../src/writes/idempotency';
import { WriteRejection } from '../../src/writes/saga';
import type { Actor, Receipt, WriteUnit } from '../../src/writes/types';
import { openTestDatabase, testDatabases } from '../support/databases';

const ALICE: Actor = { subject: 'alice', scopes: ['orders:write'] };
const MALLORY: Actor = { subject: 'mallory', scopes: ['orders:write'] };

/** A promise and the hand that settles it: a mutation held half-way while a test looks at the other process. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * The outcome of a request that waits on the claims' clock: the clock is moved on only while the request sleeps on it
 * (it has looked at the database and found nothing yet), never while it is talking to the database, so the test
 * waits on what the request does, not on timers firing on time.
 */
async function settledOn<T>(clock: ManualClock, request: Promise<T>, stepMs = 1_000): Promise<T> {
  let done = false;
  const watched = request.finally(() => (done = true));
  while (!done) {
    await Promise.race([watched.catch(() => undefined), clock.sleeping()]);
    if (!done) await clock.advance(stepMs);
  }
  return watched;
}

/**
 * Two processes of Plugboard over one database, as two gateway replicas behind a load balancer run: each has its own
 * write path (its own copies in flight), and they share only the database.
 */
describe.each(testDatabases())('idempotency keys across processes, on $label', (database) => {
  let db: Database;
  let unit: WriteUnit;

  beforeAll(async () => {
    db = await openTestDatabase(database);
    await db.migrate();
    unit = createWriteUnit(db);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
  });

  /** What one process's mutation does: counts that it ran, then commits its audit row (the receipt) under the key. */
  function mutation(runs: { count: number }, hold?: Promise<void>) {
    return async (idempotencyKey: string): Promise<Receipt> => {
      runs.count += 1;
      await hold;
      const id = randomUUID();
      const receipt: Receipt = {
        status: 'APPLIED',
        auditId: id,
        operation: 'placeOrder',
        owner: 'store',
        entity: 'Order',
        entityId: `ord-${id.slice(0, 8)}`,
        followerJobs: [],
        error: null,
        steps: [],
      };
      await unit.transaction((tx) =>
        tx.audit(
          {
            id,
            actor: 'alice',
            operation: 'placeOrder',
            entity: 'Order',
            entityId: receipt.entityId,
            input: {},
            owner: 'store',
            before: null,
            after: null,
            result: 'APPLIED',
            errorCode: null,
            idempotencyKey,
          },
          receipt,
        ),
      );
      return receipt;
    };
  }

  /**
   * A clock of the test's own, and the database as the write path sees it on that clock (claims' leases are written and
   * read in its time). Waits are long: a copy gives up only when a test wants it to.
   */
  const clocked = () => {
    const clock = createManualClock(new Date());
    return { clock, unit: createWriteUnit(db, { now: clock.now }), options: (more: OnceOptions = {}): OnceOptions => ({ clock, waitMs: 600_000, ...more }) };
  };

  const auditRows = (key: string) => db.orm.em.fork().count(MutationAuditEntity, { operation: 'placeOrder', idempotencyKey: key });
  const claims = (key: string) => db.orm.em.fork().count(IdempotencyClaimEntity, { operation: 'placeOrder', idempotencyKey: key });
  /** Until the first process holds the key in the database (a few milliseconds; 5 s means it never took it). */
  const untilClaimed = async (key: string) => {
    const giveUpAt = Date.now() + 5_000;
    while ((await claims(key)) === 0) {
      if (Date.now() > giveUpAt) throw new Error(`no claim on ${key} in the database`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  /** A copy of the request sent to a process of its own, after its first process died: applied there, once. */
  const expectAppliedOnceBySurvivor = async (key: string, options: OnceOptions = {}, on: WriteUnit = unit, clock?: ManualClock) => {
    const [survivor] = processes(options, on);
    const runs = { count: 0 };
    const applying = survivor('placeOrder', key, ALICE, mutation(runs));
    const receipt = await (clock ? settledOn(clock, applying, 100) : applying);
    expect(receipt.status).toBe('APPLIED');
    expect(runs.count).toBe(1);
    expect(await auditRows(key)).toBe(1);
    expect(await claims(key)).toBe(0);
  };
  /**
   * The first of two processes applying a request under a fresh key, held half-way once it has claimed the key; the
   * second process, to send a copy to.
   */
  const firstHolding = async (label: string, options: OnceOptions = {}, on: WriteUnit = unit) => {
    const [one, two] = processes(options, on);
    const key = `replica-${label}-${randomUUID()}`;
    const runs = { count: 0 };
    const held = gate();
    const first = one('placeOrder', key, ALICE, mutation(runs, held.opened));
    await untilClaimed(key);
    // And applies the request (its claim's renewals have started).
    const giveUpAt = Date.now() + 5_000;
    while (runs.count === 0 && Date.now() < giveUpAt) await new Promise((resolve) => setImmediate(resolve));
    return { one, two, key, runs, held, first };
  };
  /** A process's write path as its mutations call it (their input does not matter here: `mutation` ignores it). */
  type Process = (operation: string, key: string | undefined, actor: Actor, run: Apply, input?: unknown) => Promise<Receipt>;
  const processOf = (once: Once): Process => (operation, key, actor, run, input = {}) => once.apply(operation, key, actor, input, run);
  const processes = (options: OnceOptions = {}, on: WriteUnit = unit): [Process, Process] => [processOf(createOnce(on, options)), processOf(createOnce(on, options))];

  it.each([
    { case: 'a copy that reaches a second process while the first applies it waits and answers the first receipt: applied once', label: 'race', leaseMs: 10_000, heldMs: 100 },
    // Held for five leases: a claim that was not renewed would be taken over by the copy, which would apply it again.
    // On the claims' own clock (issue 16: with real timers, a busy machine let the lease run out between two beats).
    { case: 'a claim stands as long as its process applies the request: renewed, it outlives its lease, and a copy waits for the receipt', label: 'renewed', leaseMs: 150, heldMs: 750 },
  ])('$case', async ({ label, leaseMs, heldMs }) => {
    const { clock, unit: on, options } = clocked();
    // The first process holds the key before the copy arrives at the second.
    const { two, key, runs, held, first } = await firstHolding(label, options({ leaseMs }), on);
    const copy = two('placeOrder', key, ALICE, mutation(runs));
    // Time passes while the copy waits; each renewal of the first's claim lands before time moves past it.
    for (let passed = 0; passed < heldMs; passed += 50) {
      await clock.sleeping();
      await clock.advance(50);
    }
    await clock.sleeping();
    expect(runs.count).toBe(1);
    held.open();
    const [a, b] = await Promise.all([first, settledOn(clock, copy)]);
    expect(b.auditId).toBe(a.auditId);
    expect(runs.count).toBe(1);
    expect(await auditRows(key)).toBe(1);
    expect(await claims(key)).toBe(0);
  });

  it('copies sent to both processes at the same moment are applied once', async () => {
    const [one, two] = processes();
    const key = `replica-same-moment-${randomUUID()}`;
    const runs = { count: 0 };
    const answers = await Promise.all([one, two, one, two].map((process) => process('placeOrder', key, ALICE, mutation(runs))));
    expect(new Set(answers.map((answer) => answer.auditId)).size).toBe(1);
    expect(runs.count).toBe(1);
    expect(await auditRows(key)).toBe(1);
    expect(await claims(key)).toBe(0);
  });

  it('refuses another caller who sends the key while it is being applied elsewhere (BAD_USER_INPUT), and applies nothing for them', async () => {
    const { two, key, runs, held, first: mine } = await firstHolding('foreign');
    const theirs = two('placeOrder', key, MALLORY, mutation(runs));
    await expect(theirs).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/by another caller/) });
    held.open();
    await mine;
    expect(runs.count).toBe(1);
    expect(await auditRows(key)).toBe(1);
  });

  describe('a key names one request, as Stripe\'s do (issue 15)', () => {
    const ORDER = { customerId: 'cus-00001', lines: [{ sku: 'SKU-00001', quantity: 1 }] };
    const OTHER = { customerId: 'cus-00001', lines: [{ sku: 'SKU-00001', quantity: 9 }] };
    const REUSED = { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringMatching(/another placeOrder request .*nothing was applied/) };

    it('refuses the key sent again with another request (IDEMPOTENCY_KEY_REUSED), applying nothing; the same request, fields in another order, answers the first receipt', async () => {
      const [one, two] = processes();
      const key = `reused-${randomUUID()}`;
      const runs = { count: 0 };
      const first = await one('placeOrder', key, ALICE, mutation(runs), ORDER);
      await expect(one('placeOrder', key, ALICE, mutation(runs), OTHER)).rejects.toMatchObject(REUSED);
      await expect(two('placeOrder', key, ALICE, mutation(runs), OTHER)).rejects.toMatchObject(REUSED);
      const reordered = { lines: [{ quantity: 1, sku: 'SKU-00001' }], customerId: 'cus-00001' };
      expect((await two('placeOrder', key, ALICE, mutation(runs), reordered)).auditId).toBe(first.auditId);
      expect(runs.count).toBe(1);
      expect(await auditRows(key)).toBe(1);
      const receipt = await db.orm.em.fork().findOneOrFail(MutationAuditEntity, { operation: 'placeOrder', idempotencyKey: key });
      expect(receipt.fingerprint).toBe(fingerprintOf('placeOrder', 'alice', ORDER));
    });

    it('refuses another request under a key being applied, in this process or another, at once: it waits for nothing', async () => {
      const { one, two, key, runs, held, first } = await firstHolding('reused-in-flight');
      await expect(one('placeOrder', key, ALICE, mutation(runs), OTHER)).rejects.toMatchObject(REUSED);
      await expect(two('placeOrder', key, ALICE, mutation(runs), OTHER)).rejects.toMatchObject(REUSED);
      held.open();
      await first;
      expect(runs.count).toBe(1);
      expect(await auditRows(key)).toBe(1);
    });

    it('keeps a dead process\'s key for its own request: another request under it is refused, and the sweep finishes the first', async () => {
      const { clock, unit: on, options } = clocked();
      const key = `reused-dead-${randomUUID()}`;
      await on.claim('placeOrder', key, 'alice', 300, { input: ORDER, scopes: ALICE.scopes, fingerprint: fingerprintOf('placeOrder', 'alice', ORDER) });
      await clock.advance(400);
      const runs = { count: 0 };
      const [survivor] = processes(options({ leaseMs: 300 }), on);
      await expect(survivor('placeOrder', key, ALICE, mutation(runs), OTHER)).rejects.toMatchObject(REUSED);
      const lapsed = (await on.lapsedClaims(1_000)).find((claim) => claim.idempotencyKey === key)!;
      expect(lapsed.input).toEqual(ORDER);
      expect(await createOnce(on, options({ leaseMs: 300 })).resume(lapsed, mutation(runs))).toMatchObject({ status: 'APPLIED' });
      expect(runs.count).toBe(1);
    });
  });

  it('a copy that waits longer than it may answers IDEMPOTENCY_KEY_IN_USE and applies nothing; sent again later, it gets the receipt', async () => {
    const { two, key, runs, held, first } = await firstHolding('slow', { waitMs: 150 });
    const refused = await two('placeOrder', key, ALICE, mutation(runs)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WriteRejection);
    expect(refused).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE', message: expect.stringMatching(/send it again later/) });
    expect(runs.count).toBe(1);
    held.open();
    const receipt = await first;
    expect((await two('placeOrder', key, ALICE, mutation(runs))).auditId).toBe(receipt.auditId);
    expect(runs.count).toBe(1);
    expect(await auditRows(key)).toBe(1);
  });

  it('a copy that arrives while a dead process\'s claim still stands waits for its lease to run out, then applies the request', async () => {
    // What a process killed between its claim and its receipt leaves behind: a claim nobody renews.
    const key = `replica-crashed-${randomUUID()}`;
    const { clock, unit: on, options } = clocked();
    const diedAt = clock.now().getTime();
    expect((await on.claim('placeOrder', key, 'alice', 300)).claimed).toBe(true);
    await expectAppliedOnceBySurvivor(key, options({ leaseMs: 300 }), on, clock);
    // Not before the dead claim's lease ran out.
    expect(clock.now().getTime() - diedAt).toBeGreaterThanOrEqual(300);
  });

  describe('a request whose process died before its receipt, and whose client never sends it again', () => {
    // On a clock of their own: a lease runs out when the test says so.
    let time: ReturnType<typeof clocked>;
    beforeEach(() => {
      time = clocked();
    });
    const lapse = () => time.clock.advance(400);
    const lapsedOf = async (key: string) => (await time.unit.lapsedClaims(1_000)).find((lapsed) => lapsed.idempotencyKey === key);

    it('is listed with what its claim kept (input, caller) once its lease has run out, and is finished once, as its retry would be', async () => {
      const key = `replica-swept-${randomUUID()}`;
      const input = { customerId: 'cus-00001', lines: [{ sku: 'SKU-00001', quantity: 2 }] };
      expect((await time.unit.claim('placeOrder', key, 'alice', 300, { input, scopes: ALICE.scopes })).claimed).toBe(true);
      expect(await lapsedOf(key)).toBeUndefined();
      await lapse();
      const lapsed = (await lapsedOf(key))!;
      expect(lapsed).toMatchObject({ operation: 'placeOrder', idempotencyKey: key, actor: ALICE, input, claimedAt: expect.any(Date) });

      const [sweeper, other] = [createOnce(time.unit, time.options({ leaseMs: 300 })), createOnce(time.unit, time.options({ leaseMs: 300 }))];
      const runs = { count: 0 };
      const receipt = await sweeper.resume(lapsed, mutation(runs));
      expect(receipt).toMatchObject({ status: 'APPLIED' });
      // A second sweeper that listed it too finishes nothing; the client's retry answers the sweep's receipt.
      expect(await other.resume(lapsed, mutation(runs))).toBeNull();
      expect((await processOf(other)('placeOrder', key, ALICE, mutation(runs), input)).auditId).toBe(receipt!.auditId);
      expect(runs.count).toBe(1);
      expect(await auditRows(key)).toBe(1);
      expect(await claims(key)).toBe(0);
      expect(await lapsedOf(key)).toBeUndefined();
    });

    it('is not finished by a sweep while its process lives: a renewed claim is never listed, and taking it over is refused', async () => {
      const { key, runs, held, first } = await firstHolding('live-sweep', time.options({ leaseMs: 150 }), time.unit);
      for (let passed = 0; passed < 500; passed += 50) await time.clock.advance(50);
      expect(await lapsedOf(key)).toBeUndefined();
      const stale = { operation: 'placeOrder', idempotencyKey: key, actor: ALICE, input: {}, claimedAt: new Date() };
      expect(await createOnce(time.unit, time.options({ leaseMs: 150 })).resume(stale, mutation(runs))).toBeNull();
      held.open();
      await first;
      expect(runs.count).toBe(1);
      expect(await auditRows(key)).toBe(1);
    });

    it('keeps its claim when finishing it fails, so that a later sweep finishes it', async () => {
      const key = `replica-sweep-failed-${randomUUID()}`;
      await time.unit.claim('placeOrder', key, 'alice', 300, { input: {}, scopes: ALICE.scopes });
      await lapse();
      const sweeper = createOnce(time.unit, time.options({ leaseMs: 300 }));
      await expect(
        sweeper.resume((await lapsedOf(key))!, async () => {
          throw new Error('the database went away half-way');
        }),
      ).rejects.toThrow('went away');
      expect(await claims(key)).toBe(1);
      await lapse();
      const runs = { count: 0 };
      expect(await sweeper.resume((await lapsedOf(key))!, mutation(runs))).toMatchObject({ status: 'APPLIED' });
      expect(runs.count).toBe(1);
      expect(await claims(key)).toBe(0);
    });

    it('lets its claim go when the request itself is refused (its input): no later sweep would change that', async () => {
      const key = `replica-sweep-refused-${randomUUID()}`;
      await time.unit.claim('placeOrder', key, 'alice', 300, { input: { lines: 'not a list' }, scopes: ALICE.scopes });
      await lapse();
      const refusal = new WriteRejection('BAD_USER_INPUT', 'lines: expected an array');
      await expect(
        createOnce(time.unit, time.options({ leaseMs: 300 })).resume((await lapsedOf(key))!, async () => {
          throw refusal;
        }),
      ).rejects.toBe(refusal);
      expect(await claims(key)).toBe(0);
    });

    it('is claimed even when sent without an idempotency key, with its input, so that it can be finished too', async () => {
      const caller: Actor = { subject: `keyless-${randomUUID()}`, scopes: ['orders:write'] };
      const held = gate();
      const runs = { count: 0 };
      const input = { customerId: 'cus-00002', lines: [{ sku: 'SKU-00002', quantity: 1 }] };
      const applying = createOnce(unit).apply('placeOrder', undefined, caller, input, mutation(runs, held.opened));
      const giveUpAt = Date.now() + 5_000;
      let rows: IdempotencyClaimEntity[] = [];
      while (rows.length === 0 && Date.now() < giveUpAt) rows = await db.orm.em.fork().find(IdempotencyClaimEntity, { actor: caller.subject });
      expect(rows).toHaveLength(1);
      expect(rows[0]!.request).toEqual({ input, scopes: caller.scopes });
      held.open();
      await applying;
      expect(await db.orm.em.fork().count(IdempotencyClaimEntity, { actor: caller.subject })).toBe(0);
    });
  });

  it('a claim whose process died (its lease ran out, no receipt) is taken over: the copy is applied, once', async () => {
    const key = `replica-dead-${randomUUID()}`;
    const { clock, unit, options } = clocked();
    const dead = await unit.claim('placeOrder', key, 'alice', 1);
    expect(dead.claimed).toBe(true);
    await clock.advance(20);
    // The key itself: the dead claim gives way to a new one, which stands against the next.
    const taken = await unit.claim('placeOrder', key, 'alice', 60_000);
    expect(taken.claimed).toBe(true);
    expect(await claims(key)).toBe(1);
    expect((await unit.claim('placeOrder', key, 'alice', 60_000)).claimed).toBe(false);
    if (taken.claimed) await taken.release();
    await unit.claim('placeOrder', key, 'alice', 1);
    await clock.advance(20);
    // And a copy of the request, sent to a process of its own.
    await expectAppliedOnceBySurvivor(key, options(), unit, clock);
  });

  it('a copy waiting on a first one that failed before its receipt applies the request itself', async () => {
    const [one, two] = processes();
    const key = `replica-failed-${randomUUID()}`;
    const runs = { count: 0 };
    const held = gate();
    const failing = one('placeOrder', key, ALICE, async () => {
      runs.count += 1;
      await held.opened;
      throw new Error('the process lost its database connection');
    });
    await untilClaimed(key);
    const copy = two('placeOrder', key, ALICE, mutation(runs));
    held.open();
    await expect(failing).rejects.toThrow('lost its database connection');
    const receipt = await copy;
    expect(receipt.status).toBe('APPLIED');
    expect(runs.count).toBe(2);
    expect(await auditRows(key)).toBe(1);
    expect(await claims(key)).toBe(0);
  });

  it('a live claim is not taken over: a second claim on the key sees who holds it and since when', async () => {
    const key = `replica-live-${randomUUID()}`;
    const live = await unit.claim('placeOrder', key, 'alice', 60_000);
    expect(live.claimed).toBe(true);
    const other = await unit.claim('placeOrder', key, 'alice', 60_000);
    expect(other).toMatchObject({ claimed: false, actor: 'alice', since: expect.any(Date) });
    if (live.claimed) await live.release();
    expect(await claims(key)).toBe(0);
  });
});
