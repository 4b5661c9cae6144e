import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, OutboxJobEntity, parseDatabaseUrl, type Database } from '../../src/db';
import { environmentOf } from '../../src/estate/connections';
import { startSandboxes, type RunningEstate } from '../../src/estate/start-sandboxes';
import { createOutbox } from '../../src/outbox';
import { generateEstate } from '../../src/systems/kit/seed';
import { testDatabases } from '../support/databases';
import { scratchDatabase } from '../support/scratch-database';

const ROOT = path.join(__dirname, '..', '..');
const JOBS = 2_000;

/** PostgreSQL, when the tests have one (always with CI=true: testDatabases() then requires it). */
const postgres = testDatabases().find((entry) => entry.url && parseDatabaseUrl(entry.url).dialect === 'postgresql');

/** A follower system that counts what reaches it, by idempotency key. */
async function startCounter(): Promise<{ url: string; seen: Map<string, number>; byWorker: Map<string, number>; server: Server }> {
  const seen = new Map<string, number>();
  const byWorker = new Map<string, number>();
  const server = createServer((request, response) => {
    const key = String(request.headers['idempotency-key']);
    const worker = String(request.headers['x-worker']);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1);
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/count`, seen, byWorker, server };
}

/** The worker process of the test: startOutboxWorker against DATABASE_URL, pushing each job to the counter. */
const WORKER_SCRIPT = `
const { openDatabase } = require('./src/db');
const { createOutbox, startOutboxWorker } = require('./src/outbox');
(async () => {
  const db = await openDatabase(process.env.DATABASE_URL, { poolSize: 4 });
  const worker = startOutboxWorker({
    outbox: createOutbox(db),
    pollMs: 50,
    batchSize: 20,
    handlers: {
      'counter:count': async (job) => {
        const response = await fetch(process.env.COUNTER_URL, {
          method: 'POST',
          headers: { 'idempotency-key': job.idempotencyKey, 'x-worker': String(process.pid) },
        });
        if (!response.ok) throw new Error('counter answered ' + response.status);
      },
    },
  });
  process.once('SIGTERM', async () => {
    await worker.close();
    await db.close();
    process.exit(0);
  });
  console.log('ready');
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  output: string;
  readonly exited: Promise<number | null>;
}

function spawnChild(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, APOLLO_TELEMETRY_DISABLED: 'true', ...env },
  });
  const entry: Child = {
    process: child,
    output: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout.on('data', (chunk: Buffer) => (entry.output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (entry.output += chunk.toString()));
  return entry;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, children: readonly Child[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms\n${children.map((child) => child.output.slice(-2_000)).join('\n---\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

(postgres ? describe : describe.skip)(`outbox workers as processes of their own, on ${postgres?.label ?? 'PostgreSQL'}`, () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: Database;
  const children: Child[] = [];

  beforeAll(async () => {
    scratch = await scratchDatabase(postgres!.url!, 'workers');
    db = await openDatabase(scratch.url);
    await db.migrate();
  });

  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
    await db?.close();
    await scratch?.drop();
  });

  it(`two worker processes drain ${JOBS} jobs: each applied exactly once, all done`, async () => {
    const counter = await startCounter();
    try {
      const env = { DATABASE_URL: scratch.url, COUNTER_URL: counter.url };
      const workers = [spawnChild(['-e', WORKER_SCRIPT], env), spawnChild(['-e', WORKER_SCRIPT], env)];
      children.push(...workers);
      await until('both workers started', () => workers.every((worker) => worker.output.includes('ready')), 30_000, workers);

      const at = new Date();
      const keys = Array.from({ length: JOBS }, (_, index) => `count-${index}`);
      const em = db.orm.em.fork();
      for (let start = 0; start < JOBS; start += 500) {
        await em.insertMany(
          OutboxJobEntity,
          keys.slice(start, start + 500).map((key) => ({
            id: randomUUID(),
            kind: 'follower-sync',
            system: 'counter',
            operation: 'count',
            entity: 'Counter',
            entityId: key,
            payload: {},
            idempotencyKey: key,
            state: 'pending' as const,
            attempts: 0,
            maxAttempts: 8,
            nextAttemptAt: at,
            createdAt: at,
            updatedAt: at,
          })),
        );
      }

      const outbox = createOutbox(db);
      await until('the outbox drained', async () => (await outbox.counts())['done'] === JOBS, 90_000, workers);

      expect(await outbox.counts()).toEqual({ done: JOBS });
      expect(counter.seen.size).toBe(JOBS);
      expect([...counter.seen.values()].reduce((sum, count) => sum + count, 0)).toBe(JOBS);
      expect([...counter.seen.entries()].filter(([, count]) => count !== 1)).toEqual([]);
      expect(keys.filter((key) => !counter.seen.has(key))).toEqual([]);
      // Both processes took part: the jobs were shared, not drained by one while the other waited.
      expect([...counter.byWorker.keys()].sort()).toEqual(workers.map((worker) => String(worker.process.pid)).sort());
      expect(Math.min(...counter.byWorker.values())).toBeGreaterThan(0);

      for (const worker of workers) worker.process.kill('SIGTERM');
      expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual([0, 0]);
    } finally {
      await new Promise((resolve) => counter.server.close(resolve));
    }
  }, 150_000);

  describe('npm run worker', () => {
    let estate: RunningEstate;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-worker-'));
      estate = await startSandboxes({ estate: generateEstate(), dataDir, ports: 'ephemeral' });
    });
    afterAll(async () => {
      await estate?.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('delivers queued writes to the estate with their keys, and stops cleanly on SIGTERM', async () => {
      const erp = estate.sandboxes.erp;
      const before = (await (await fetch(`${erp.url}/_sandbox/records/stock.quant/SKU-00001`)).json()) as { quantity: number };
      const at = new Date();
      await db.orm.em.fork().insertMany(
        OutboxJobEntity,
        Array.from({ length: 5 }, (_, index) => ({
          id: randomUUID(),
          kind: 'follower-sync',
          system: 'erp',
          operation: 'adjustStock',
          entity: 'InventoryItem',
          entityId: 'SKU-00001',
          payload: { sku: 'SKU-00001', delta: 2, reason: `worker test ${index}` },
          idempotencyKey: `worker-cli-${index}`,
          state: 'pending' as const,
          attempts: 0,
          maxAttempts: 8,
          nextAttemptAt: at,
          createdAt: at,
          updatedAt: at,
        })),
      );
      const { connections } = estate;
      const worker = spawnChild(['src/cli/worker.ts'], {
        DATABASE_URL: scratch.url,
        PLUGBOARD_DATA_DIR: dataDir,
        ...environmentOf(connections, path.join(dataDir, 'pki')),
      });
      children.push(worker);
      const outbox = createOutbox(db);
      await until('the worker delivered the jobs', async () => (await outbox.list({ state: 'done', limit: 10_000 })).filter((job) => job.system === 'erp').length === 5, 60_000, [worker]);
      const after = (await (await fetch(`${erp.url}/_sandbox/records/stock.quant/SKU-00001`)).json()) as { quantity: number };
      expect(after.quantity).toBe(before.quantity + 10);

      worker.process.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      const lines = worker.output.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
      expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['outbox worker started', 'stopping the outbox worker', 'outbox worker stopped cleanly']));
    }, 90_000);
  });
});
