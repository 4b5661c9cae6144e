import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { createAlerts, type Alerts } from '../../src/alerts';
import { openDatabase, OutboxJobEntity, type Database } from '../../src/db';
import { adminOutboxRoutes } from '../../src/gateway/admin-outbox';
import { backoffMs, createOutbox, DEFAULT_BACKOFF, startOutboxWorker, type ClaimedJob, type Outbox } from '../../src/outbox';

const ROOT = path.join(__dirname, '..', '..');
const START = new Date('2026-11-27T10:00:00.000Z');
const BACKOFF = { baseMs: 1_000, factor: 2, capMs: 5_000, jitter: 0.2 };
const ADMIN_TOKEN = 'outbox-admin-token-0123456789';

/** A job as the write path queues it. */
async function enqueue(db: Database, at: Date, overrides: Partial<OutboxJobEntity> = {}): Promise<string> {
  const id = randomUUID();
  await db.orm.em.fork().insert(OutboxJobEntity, {
    id,
    kind: 'follower-sync',
    system: 'crm',
    operation: 'upsertProfile',
    entity: 'Customer',
    entityId: 'cus-00001',
    payload: { customerId: 'cus-00001' },
    idempotencyKey: `key-${id}`,
    state: 'pending',
    attempts: 0,
    maxAttempts: 8,
    nextAttemptAt: at,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  });
  return id;
}

/** A webhook receiver on 127.0.0.1 that keeps every body it is sent. */
async function startReceiver(status = 200): Promise<{ url: string; bodies: Record<string, unknown>[]; server: Server }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, bodies, server };
}

describe('backoffMs', () => {
  it('doubles from the base, stops at the cap, and spreads each wait by the jitter', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5].map((attempt) => backoffMs(BACKOFF, attempt, middle))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(backoffMs(BACKOFF, 1, () => 0)).toBe(800);
    expect(backoffMs(BACKOFF, 1, () => 1)).toBe(1_200);
    expect(backoffMs(DEFAULT_BACKOFF, 1, middle)).toBe(500);
  });
});

describe('the outbox on SQLite, with a fake clock', () => {
  let db: Database;
  let clock: Date;
  let logLines: Record<string, unknown>[];
  let alerts: Alerts;
  let outbox: Outbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const tick = (ms: number) => (clock = new Date(clock.getTime() + ms));

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  beforeEach(async () => {
    db = await openDatabase('sqlite::memory:');
    await db.migrate();
    clock = START;
    logLines = [];
    receiver.bodies.length = 0;
    const logger = pino({ base: null }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
    alerts = createAlerts(db, { webhookUrl: receiver.url, logger, now: () => clock });
    outbox = createOutbox(db, { backoff: BACKOFF, maxAttempts: 5, alerts, now: () => clock, random: () => 0.5 });
  });
  afterEach(async () => {
    await db.close();
  });

  it('claims due jobs once: another worker gets them only after the lease runs out', async () => {
    const due = await enqueue(db, START);
    await enqueue(db, new Date(START.getTime() + 60_000));
    const [job] = await outbox.claim('worker-a', 10, 30_000);
    expect(job).toMatchObject({ id: due, attempts: 1, lockedBy: 'worker-a', idempotencyKey: `key-${due}`, maxAttempts: 5 });
    expect(await outbox.claim('worker-b', 10, 30_000)).toEqual([]);
    tick(30_001);
    expect(await outbox.claim('worker-b', 10, 30_000)).toEqual([expect.objectContaining({ id: due, attempts: 2, lockedBy: 'worker-b' })]);
    expect((await outbox.get(due))?.state).toBe('running');
  });

  it('completes a job: done, never claimed again', async () => {
    const id = await enqueue(db, START);
    await outbox.claim('worker-a', 10, 30_000);
    await outbox.complete(id);
    tick(120_000);
    expect(await outbox.claim('worker-a', 10, 30_000)).toEqual([]);
    expect(await outbox.get(id)).toMatchObject({ state: 'done', lastError: null });
    expect(await outbox.counts()).toEqual({ done: 1 });
  });

  it('retries a failed job after the backoff, not before', async () => {
    const id = await enqueue(db, START);
    const [job] = await outbox.claim('worker-a', 10, 30_000);
    expect(await outbox.fail(job!, 'UPSTREAM_UNAVAILABLE: crm is down')).toBe('failed');
    expect(await outbox.get(id)).toMatchObject({ state: 'failed', attempts: 1, lastError: 'UPSTREAM_UNAVAILABLE: crm is down', nextAttemptAt: new Date(START.getTime() + 1_000) });
    tick(999);
    expect(await outbox.claim('worker-a', 10, 30_000)).toEqual([]);
    tick(1);
    const [again] = await outbox.claim('worker-a', 10, 30_000);
    expect(again).toMatchObject({ id, attempts: 2 });
    await outbox.fail(again!, 'UPSTREAM_UNAVAILABLE: still down');
    expect((await outbox.get(id))?.nextAttemptAt).toEqual(new Date(clock.getTime() + 2_000));
  });

  it('waits at least as long as the system (or its open breaker) asked before the next attempt', async () => {
    const id = await enqueue(db, START);
    const [job] = await outbox.claim('worker-a', 10, 30_000);
    await outbox.fail(job!, 'CIRCUIT_OPEN: crm breaker open', 7_500);
    expect((await outbox.get(id))?.nextAttemptAt).toEqual(new Date(START.getTime() + 7_500));
    tick(7_499);
    expect(await outbox.claim('worker-a', 10, 30_000)).toEqual([]);
    tick(1);
    const [again] = await outbox.claim('worker-a', 10, 30_000);
    // A shorter wait than the backoff does not shorten it.
    await outbox.fail(again!, 'UPSTREAM_RATE_LIMITED: crm asked for 10 ms', 10);
    expect((await outbox.get(id))?.nextAttemptAt).toEqual(new Date(clock.getTime() + 2_000));
  });

  it('ignores the failure of a worker whose lease another worker took over', async () => {
    const id = await enqueue(db, START);
    const [first] = await outbox.claim('worker-a', 10, 1_000);
    tick(1_001);
    await outbox.claim('worker-b', 10, 30_000);
    expect(await outbox.fail(first!, 'timed out')).toBe('stale');
    expect(await outbox.get(id)).toMatchObject({ state: 'running', attempts: 2, lastError: null });
  });

  it('alerts ops once at the third failure and again at the dead letter: log line, alerts row and webhook', async () => {
    const id = await enqueue(db, START);
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const [job] = await outbox.claim('worker-a', 10, 30_000);
      expect(job?.attempts).toBe(attempt);
      outcomes.push(await outbox.fail(job!, `UPSTREAM_AUTH_FAILED: crm refused client_secret=hunter2-planted (attempt ${attempt})`));
      tick(60_000);
    }
    expect(outcomes).toEqual(['failed', 'failed', 'failed', 'failed', 'dead']);
    expect(await outbox.get(id)).toMatchObject({ state: 'dead', attempts: 5 });
    expect(await outbox.claim('worker-a', 10, 30_000)).toEqual([]);

    const stored = await alerts.list();
    expect(stored.map((alert) => [alert.kind, alert.subject, alert.system])).toEqual([
      ['job-dead', id, 'crm'],
      ['job-failing', id, 'crm'],
    ]);
    expect(stored[1]).toMatchObject({ acknowledgedAt: null, createdAt: new Date(START.getTime() + 2 * 60_000) });
    expect(stored[1]!.message).toContain('after 3 attempts');
    expect(JSON.stringify(stored)).not.toContain('hunter2-planted');

    const alertLines = logLines.filter((line) => line['alert']);
    expect(alertLines).toEqual([
      expect.objectContaining({ alert: 'job-failing', jobId: id, system: 'crm', operation: 'upsertProfile', attempts: 3, level: 40 }),
      expect.objectContaining({ alert: 'job-dead', jobId: id, system: 'crm', operation: 'upsertProfile', attempts: 5, level: 50 }),
    ]);
    expect(alertLines[0]!['lastError']).toBe('UPSTREAM_AUTH_FAILED: crm refused client_secret=[REDACTED] (attempt 3)');

    expect(receiver.bodies).toEqual([
      expect.objectContaining({ kind: 'job-failing', jobId: id, system: 'crm', operation: 'upsertProfile', attempts: 3 }),
      expect.objectContaining({ kind: 'job-dead', jobId: id, attempts: 5, lastError: expect.stringContaining('[REDACTED]') }),
    ]);
    expect(JSON.stringify(receiver.bodies)).not.toContain('hunter2-planted');
  });

  it('replays a dead job: pending, due now, attempts reset, delivered with its own key', async () => {
    const id = await enqueue(db, START, { state: 'dead', attempts: 5, lastError: 'gave up' });
    const done = await enqueue(db, START, { state: 'done', attempts: 1 });
    expect(await outbox.claim('worker-a', 10, 30_000)).toEqual([]);
    tick(5_000);
    expect(await outbox.replay(id)).toMatchObject({ replayed: true, job: { id, state: 'pending', attempts: 0, nextAttemptAt: clock } });
    expect(await outbox.claim('worker-a', 10, 30_000)).toEqual([expect.objectContaining({ id, attempts: 1, idempotencyKey: `key-${id}` })]);
    expect(await outbox.replay(done)).toEqual({ replayed: false, code: 'NOT_REPLAYABLE', state: 'done' });
    expect(await outbox.replay(id)).toEqual({ replayed: false, code: 'NOT_REPLAYABLE', state: 'running' });
    expect(await outbox.replay(randomUUID())).toEqual({ replayed: false, code: 'NOT_FOUND' });
    expect(await outbox.replay('not-a-job')).toEqual({ replayed: false, code: 'NOT_FOUND' });
  });

  it('lists jobs by state, oldest first', async () => {
    const dead = await enqueue(db, START, { state: 'dead', attempts: 8 });
    await enqueue(db, new Date(START.getTime() + 1), { state: 'pending' });
    expect((await outbox.list({ state: 'dead' })).map((job) => job.id)).toEqual([dead]);
    expect((await outbox.list()).map((job) => job.state)).toEqual(['dead', 'pending']);
  });

  it('logs a webhook that does not answer, and still stores the alert', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ base: null }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const down = await startReceiver();
    await new Promise((resolve) => down.server.close(resolve));
    const quiet = createAlerts(db, { webhookUrl: down.url, logger, webhookTimeoutMs: 2_000 });
    const alert = await quiet.raise({ kind: 'job-dead', jobId: 'job-1', system: 'erp', operation: 'upsertPartner', attempts: 8, lastError: 'no' });
    expect((await quiet.list({ subject: 'job-1' })).map((found) => found.id)).toEqual([alert.id]);
    expect(lines).toEqual([
      expect.objectContaining({ alert: 'job-dead', jobId: 'job-1' }),
      expect.objectContaining({ alertId: alert.id, msg: 'alert webhook did not answer' }),
    ]);
    expect(await quiet.acknowledge(alert.id)).toBe(true);
    expect(await quiet.list({ unacknowledged: true })).toEqual([]);
  });

  it('a worker delivers due jobs and records the failures of its handler', async () => {
    const ok = await enqueue(db, START, { operation: 'ok' });
    const broken = await enqueue(db, START, { operation: 'broken' });
    const seen: string[] = [];
    const worker = startOutboxWorker({
      outbox,
      pollMs: 60_000,
      handlers: {
        'crm:ok': async (job: ClaimedJob) => void seen.push(job.idempotencyKey),
        'crm:broken': async () => {
          throw new Error('the CRM said no');
        },
      },
    });
    try {
      expect(await worker.drain()).toBe(2);
    } finally {
      await worker.close();
    }
    expect(seen).toEqual([`key-${ok}`]);
    expect(await outbox.get(ok)).toMatchObject({ state: 'done' });
    expect(await outbox.get(broken)).toMatchObject({ state: 'failed', lastError: 'the CRM said no' });
  });
});

describe('the admin outbox API', () => {
  let db: Database;
  let app: FastifyInstance;
  let outbox: Outbox;
  let origin: string;
  const call = async (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${origin}${url}`, { method, headers });
    return { statusCode: response.status, body: (await response.json()) as unknown };
  };

  beforeAll(async () => {
    db = await openDatabase('sqlite::memory:');
    await db.migrate();
    outbox = createOutbox(db);
    app = Fastify();
    await app.register(adminOutboxRoutes, { outbox, adminToken: ADMIN_TOKEN, alerts: createAlerts(db, { logger: pino({ enabled: false }) }) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

  it('needs the admin token', async () => {
    const response = await call('GET', '/admin/api/outbox?state=dead');
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect((await call('POST', `/admin/api/outbox/${randomUUID()}/replay`, { authorization: 'Bearer wrong' })).statusCode).toBe(401);
  });

  it('lists dead jobs and replays one; 404 for no such job, 409 for one that is not dead', async () => {
    const now = new Date();
    const dead = await enqueue(db, now, { state: 'dead', attempts: 8, lastError: 'UPSTREAM_REJECTED: no' });
    await enqueue(db, now, { state: 'done', attempts: 1 });
    const listed = await call('GET', '/admin/api/outbox?state=dead', auth);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).toEqual({ jobs: [expect.objectContaining({ id: dead, state: 'dead', attempts: 8, lastError: 'UPSTREAM_REJECTED: no' })] });

    const replayed = await call('POST', `/admin/api/outbox/${dead}/replay`, auth);
    expect(replayed.statusCode).toBe(200);
    expect(replayed.body).toMatchObject({ replayed: true, job: { id: dead, state: 'pending', attempts: 0 } });
    expect((await call('GET', '/admin/api/outbox?state=dead', auth)).body).toEqual({ jobs: [] });

    const again = await call('POST', `/admin/api/outbox/${dead}/replay`, auth);
    expect(again.statusCode).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'NOT_REPLAYABLE', state: 'pending' } });
    const missing = await call('POST', `/admin/api/outbox/${randomUUID()}/replay`, auth);
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await call('GET', '/admin/api/outbox?state=lost', auth)).statusCode).toBe(400);
  });
});

describe('npm run outbox', () => {
  let dataDir: string;
  let dead: string;

  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/cli/outbox.ts', ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, PLUGBOARD_DATA_DIR: dataDir, APOLLO_TELEMETRY_DISABLED: 'true' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-outbox-cli-'));
    const db = await openDatabase(undefined, { dataDir });
    try {
      await db.migrate();
      dead = await enqueue(db, new Date(), { state: 'dead', attempts: 8, system: 'erp', operation: 'upsertPartner', lastError: 'UPSTREAM_REJECTED: partner refused' });
      await enqueue(db, new Date(), { state: 'done', attempts: 1 });
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the dead jobs, replays one, and refuses what cannot be replayed', async () => {
    const listed = await run(['list', '--state', 'dead']);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ID\s+SYSTEM\s+OPERATION\s+STATE\s+ATTEMPTS/);
    expect(lines[1]).toMatch(new RegExp(`^${dead}\\s+erp\\s+upsertPartner\\s+dead\\s+8/8\\s+-\\s+UPSTREAM_REJECTED: partner refused$`));

    const replayed = await run(['replay', dead]);
    expect(replayed).toMatchObject({ code: 0, stdout: `replayed job ${dead} (erp upsertPartner): pending, due now\n` });
    expect((await run(['list', '--state', 'dead'])).stdout).toBe('no jobs\n');
    const json = JSON.parse((await run(['list', '--state', 'pending', '--json'])).stdout) as { jobs: { id: string; attempts: number }[] };
    expect(json.jobs).toEqual([expect.objectContaining({ id: dead, attempts: 0 })]);

    expect(await run(['replay', dead])).toMatchObject({ code: 1, stderr: `job ${dead} is pending: only failed or dead jobs can be replayed\n` });
    const unknown = randomUUID();
    expect(await run(['replay', unknown])).toMatchObject({ code: 1, stderr: `no outbox job ${unknown}\n` });
    expect((await run(['list', '--state', 'lost'])).code).toBe(2);
  }, 60_000);
});
