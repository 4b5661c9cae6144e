import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from '../support/scratch-database';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';

/**
 * Issue 4's "ERP down during updateCustomer", tried as a new user would, through the running product: the write is
 * queued, ops hear about it at the third failure (alerts table and webhook), the ERP gets it once when it is back;
 * a job that runs out of attempts is dead-lettered, alerted, and replayed from the admin API.
 *
 * The matrix here gives the phone number to the ERP (so a phone change has the ERP as its owner) and keeps the e-mail
 * with the site (so an e-mail change has the ERP as a follower): both ways a write meets an ERP that is down.
 */

interface Job { id: string; system: string; operation: string; state: string; attempts: number }
interface Receipt { status: string; owner: string; auditId: string; error: { code: string; system: string } | null; followerJobs: Job[] }
interface ReceivedAlert { id: string; kind: string; jobId: string; system: string; attempts: number; message: string }

const UPDATE = `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) {
  status owner auditId error { code system } followerJobs { id system operation state attempts } } }`;
const RECEIPT = 'query($id: ID!) { receipt(auditId: $id) { status owner auditId error { code system } followerJobs { id system operation state attempts } } }';
const MAX_ATTEMPTS = 6;

let stack: TestStack;
let schemaDir: string;
let token: string;
let receiver: Server;
const received: ReceivedAlert[] = [];

beforeAll(async () => {
  // Ops' webhook: a receiver on 127.0.0.1 that keeps what it is sent.
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(JSON.parse(body) as ReceivedAlert);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

  schemaDir = await mkdtemp(path.join(tmpdir(), 'plugboard-alerts-'));
  await cp(path.join(__dirname, '..', '..', 'schema'), schemaDir, { recursive: true });
  const file = path.join(schemaDir, 'source-of-truth.yaml');
  const matrix = (await readFile(file, 'utf8')).replace(/phone: +\{ owner: store, followers: \[crm, erp\]/, 'phone: { owner: erp, followers: [store, crm]');
  expect(matrix).toContain('phone: { owner: erp, followers: [store, crm]');
  await writeFile(file, matrix);

  stack = await startTestStack(
    {
      // Waits of 100, 200, 400, 800, 1,600 ms between attempts: the third failure comes within a second, the sixth
      // (the dead letter) within about three.
      PLUGBOARD_OUTBOX_BACKOFF_BASE_MS: '100',
      PLUGBOARD_OUTBOX_BACKOFF_FACTOR: '2',
      PLUGBOARD_OUTBOX_BACKOFF_CAP_MS: '2000',
      PLUGBOARD_OUTBOX_BACKOFF_JITTER: '0',
      PLUGBOARD_OUTBOX_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      PLUGBOARD_ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`,
    },
    // The ERP's breaker half-opens after 300 ms: a job refused by the open breaker waits for that trial.
    { schemaDir, systems: { erp: { breaker: { resetTimeoutMs: 300 } } } },
  );
  token = await mintTestToken({ subject: 'ops-test', scopes: ['customers:write'] });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await rm(schemaDir, { recursive: true, force: true });
});

afterEach(() => stack.estate!.sandboxes.erp.setFault({ mode: 'ok' }));

async function graphql<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data as T;
}

const update = async (input: Record<string, string>) =>
  (await graphql<{ updateCustomer: Receipt }>(UPDATE, { input }, bearer(token))).updateCustomer;
const receipt = async (auditId: string) => (await graphql<{ receipt: Receipt }>(RECEIPT, { id: auditId })).receipt;
const jobOf = async (auditId: string, system: string) => (await receipt(auditId)).followerJobs.find((job) => job.system === system)!;
const partner = async (customerId: string) =>
  (await (await fetch(`${stack.estate!.sandboxes.erp.url}/_sandbox/records/res.partner/${customerId}`)).json()) as { email: string; phone: string };
/** How many partner writes the ERP has taken since its stats were reset (retries answered from its key memory included). */
const partnerWrites = () => {
  const counts = stack.estate!.sandboxes.erp.stats.snapshot().byOperation;
  return Object.entries(counts).filter(([operation]) => /res\.partner\.(write|create)/.test(operation)).reduce((sum, [, n]) => sum + n, 0);
};
const admin = (route: string, method: 'GET' | 'POST' = 'GET') =>
  fetch(`${stack.gateway.origin}${route}`, { method, headers: bearer(TEST_ADMIN_TOKEN) });
/** The alerts about one job, as the admin API (and the dashboard) lists them. */
const alertsAbout = async (jobId: string) =>
  ((await (await admin('/admin/api/alerts')).json()) as { alerts: { id: string; kind: string; system: string; subject: string; message: string }[] }).alerts.filter(
    (alert) => alert.subject === jobId,
  );

describe('the ERP is down during updateCustomer', () => {
  it('as the owner (phone): QUEUED, an alert at the third failure, and applied once when the ERP is back', async () => {
    const customerId = 'cus-00031';
    const erp = stack.estate!.sandboxes.erp;
    erp.setFault({ mode: 'down' });
    const queued = await update({ id: customerId, phone: '+49 30 5550031' });
    expect(queued).toMatchObject({ status: 'QUEUED', owner: 'erp', error: { system: 'erp' } });
    expect(['UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN']).toContain(queued.error?.code);
    const job = queued.followerJobs.find((candidate) => candidate.system === 'erp')!;
    expect(job).toMatchObject({ operation: 'upsertPartner', state: 'pending' });

    // Ops hear about it after the third failure: a row the dashboard shows, and the webhook.
    const [alert] = await eventually('the third failure to be alerted', () => alertsAbout(job.id), (rows) => rows.length > 0);
    expect(alert).toMatchObject({ kind: 'job-failing', system: 'erp', subject: job.id });
    expect(alert!.message).toMatch(/after 3 attempts/);
    const hook = await eventually('the webhook to get the alert', async () => received.find((sent) => sent.jobId === job.id), Boolean);
    expect(hook).toMatchObject({ kind: 'job-failing', system: 'erp', attempts: 3, id: alert!.id });

    erp.stats.reset();
    erp.setFault({ mode: 'ok' });
    await eventually('the queued write to reach the ERP', () => jobOf(queued.auditId, 'erp'), (current) => current.state === 'done');
    expect((await partner(customerId)).phone).toBe('+49 30 5550031');
    await stack.writePath.worker?.drain();
    expect(partnerWrites()).toBe(1);
    expect(await receipt(queued.auditId)).toMatchObject({ status: 'QUEUED', followerJobs: expect.arrayContaining([expect.objectContaining({ system: 'erp', state: 'done' })]) });
  });

  it('as a follower (e-mail): the store applies it; the ERP job runs out of attempts, is dead-lettered, alerted, and replays', async () => {
    const customerId = 'cus-00032';
    const email = 'dead.letter.then.replayed@example.com';
    const erp = stack.estate!.sandboxes.erp;
    erp.setFault({ mode: 'down' });
    const applied = await update({ id: customerId, email });
    expect(applied).toMatchObject({ status: 'APPLIED', owner: 'store', error: null });
    const job = applied.followerJobs.find((candidate) => candidate.system === 'erp')!;
    expect(job).toMatchObject({ operation: 'upsertPartner' });

    const dead = await eventually('the ERP job to be dead-lettered', () => jobOf(applied.auditId, 'erp'), (current) => current.state === 'dead');
    expect(dead.attempts).toBe(MAX_ATTEMPTS);
    const alerts = await alertsAbout(job.id);
    expect(alerts.map((row) => row.kind).sort()).toEqual(['job-dead', 'job-failing']);
    await eventually('the webhook to get the dead letter', async () => received.filter((sent) => sent.jobId === job.id), (sent) => sent.length === 2);

    // The admin API lists it among the dead letters; the ERP is back; ops replay it.
    const listed = (await (await admin('/admin/api/outbox?state=dead')).json()) as { jobs: Job[] };
    expect(listed.jobs.map((row) => row.id)).toContain(job.id);
    erp.stats.reset();
    erp.setFault({ mode: 'ok' });
    const replay = await admin(`/admin/api/outbox/${job.id}/replay`, 'POST');
    expect(replay.status).toBe(200);
    await eventually('the replayed job to be done', () => jobOf(applied.auditId, 'erp'), (current) => current.state === 'done');
    expect((await partner(customerId)).email).toBe(email);
    await stack.writePath.worker?.drain();
    expect(partnerWrites()).toBe(1);

    // A job that is done is not replayed again.
    const again = await admin(`/admin/api/outbox/${job.id}/replay`, 'POST');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('NOT_REPLAYABLE');
  });
});
