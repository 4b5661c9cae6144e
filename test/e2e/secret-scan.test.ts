import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { openDatabase } from '../../src/db';
import { createAuth } from '../../src/auth';
import { PKI_FILES } from '../../src/pki';
import { eventually } from '../support/scratch-database';
import { sandboxSecrets, secretsIn } from '../support/secrets';

/**
 * Secrets never leak. The product runs as `npm start` does (its own process, its sandboxes inside it), with planted
 * secrets and every log line on; the test drives every path (success, systems down, garbage, refused tokens, forged
 * webhooks, the admin API), then scans what came out — every response, every log line the process printed, every row
 * of every table — for each secret: zero hits.
 */

const ROOT = path.join(__dirname, '..', '..');
const JWT_SECRET = 'planted-jwt-secret-7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c2e';
const ADMIN_TOKEN = 'planted-admin-token-41d9e07c3b5a';
const CANARY = 'secret-scan-canary-request-0001';
const SANDBOXES = ['crm', 'erp', 'payments', 'courier-a', 'courier-b', 'legacy'] as const;

const PRODUCT_SCRIPT = `
require('./src/telemetry-off');
const { loadConfig } = require('./src/config');
const { startStack } = require('./src/runtime/start-stack');
(async () => {
  const stack = await startStack({ config: loadConfig(), ports: 'ephemeral', workerOptions: { pollMs: 100 } });
  for (const [name, sandbox] of Object.entries(stack.estate.sandboxes)) console.log('SANDBOX ' + name + ' ' + sandbox.url);
  console.log('GATEWAY ' + stack.gateway.url);
  process.once('SIGTERM', () => stack.close().then(() => process.exit(0)));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

let dataDir: string;
let product: ChildProcessWithoutNullStreams;
let output = '';
let gateway: string;
const sandboxUrls = new Map<string, string>();
let courierAgent: Agent;
const answers: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-secrets-'));
  product = spawn(process.execPath, ['-r', '@swc-node/register', '-e', PRODUCT_SCRIPT], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      APOLLO_TELEMETRY_DISABLED: 'true',
      PLUGBOARD_DATA_DIR: dataDir,
      PLUGBOARD_ADMIN_TOKEN: ADMIN_TOKEN,
      PLUGBOARD_JWT_SECRET: JWT_SECRET,
      PLUGBOARD_LOG_LEVEL: 'trace',
      PLUGBOARD_OUTBOX_BACKOFF_BASE_MS: '50',
      PLUGBOARD_OUTBOX_MAX_ATTEMPTS: '3',
      PLUGBOARD_TIMEOUT_MS: '1000',
    },
  });
  product.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  product.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const deadline = Date.now() + 60_000;
  while (!/^GATEWAY (\S+)$/m.test(output)) {
    if (product.exitCode !== null || Date.now() > deadline) throw new Error(`the product did not start:\n${output.slice(-3_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  gateway = /^GATEWAY (\S+)$/m.exec(output)![1]!;
  for (const match of output.matchAll(/^SANDBOX (\S+) (\S+)$/gm)) sandboxUrls.set(match[1]!, match[2]!);
  const pki = path.join(dataDir, 'pki');
  courierAgent = new Agent({
    connect: { ca: readFileSync(path.join(pki, PKI_FILES.ca)), cert: readFileSync(path.join(pki, PKI_FILES.clientCert)), key: readFileSync(path.join(pki, PKI_FILES.clientKey)) },
  });
}, 90_000);

afterAll(async () => {
  if (product && product.exitCode === null) product.kill('SIGKILL');
  await courierAgent?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Sends a request and keeps what came back (status, headers, body) for the scan. */
async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; dispatcher?: Agent } = {}): Promise<string> {
  const response = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body, dispatcher: init.dispatcher });
  const text = await response.body.text();
  answers.push(`${response.statusCode} ${JSON.stringify(response.headers)} ${text}`);
  return text;
}

const graphql = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  send(gateway, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });

const fault = (name: string, mode: string) =>
  send(`${sandboxUrls.get(name)}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode }),
    ...(name === 'courier-a' ? { dispatcher: courierAgent } : {}),
  });

const READ_EVERYTHING = `query($id: ID!) {
  customers(first: 3) { nodes { id email name phone segment lifetimeValue { amount currency } } }
  orders(first: 3) { nodes { id status customer { name segment } lines { sku item { name onHand } } payment { status } shipments { carrier status trackingNumber } } }
  customer(id: $id) { id email }
}`;

it('plants secrets, drives every path, and finds none of them in responses, logs or database rows', async () => {
  const auth = createAuth({ secret: JWT_SECRET });
  const token = await auth.mint({ subject: 'secret-scan', scopes: ['customers:write', 'orders:write', 'inventory:write'] });
  const forged = await createAuth({ secret: 'another-secret-that-is-not-the-gateways-0000' }).mint({ subject: 'mallory', scopes: ['orders:write'] });
  const write = (suffix: string) => [
    graphql('mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { status error { code message } } }', { input: { id: 'cus-00007', phone: `+31 20 555 ${suffix}` } }, { authorization: `Bearer ${token}` }),
    graphql('mutation { adjustInventory(sku: "SKU-00007", delta: 1, reason: "scan") { status error { code message } } }', {}, { authorization: `Bearer ${token}` }),
    graphql('mutation { placeOrder(input: { customerId: "cus-00007", lines: [{ sku: "SKU-00007", quantity: 1 }] }) { status error { code message } steps { system outcome } } }', {}, {
      authorization: `Bearer ${token}`,
      'idempotency-key': `secret-scan-${suffix}`,
    }),
  ];

  // Success on every system; this request carries a canary id that must turn up in every place the scan reads.
  await graphql(READ_EVERYTHING, { id: 'cus-00001' }, { 'x-request-id': CANARY });
  for (const pending of write('0001')) await pending;
  // Each system down, then sending garbage: reads and writes through every failure path.
  for (const [index, mode] of ['down', 'garbage', 'ratelimit'].entries()) {
    for (const name of SANDBOXES) await fault(name, mode);
    await graphql(READ_EVERYTHING, { id: `cus-0000${index + 2}` });
    for (const pending of write(`00${index + 1}0`)) await pending;
    for (const name of SANDBOXES) await fault(name, 'ok');
  }
  // Tokens refused: forged, malformed, in a query string; the admin API without and with a wrong token.
  await graphql('mutation { adjustInventory(sku: "SKU-00001", delta: 1, reason: "x") { status } }', {}, { authorization: `Bearer ${forged}` });
  await graphql('mutation { adjustInventory(sku: "SKU-00001", delta: 1, reason: "x") { status } }', {}, { authorization: `Bearer ${JWT_SECRET}` });
  await send(`${gateway}?query=${encodeURIComponent('{ __typename }')}&token=${token}`, { headers: { 'apollo-require-preflight': 'true' } });
  const origin = new URL(gateway).origin;
  await send(`${origin}/admin/api/systems`, { headers: { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}x` } });
  await send(`${origin}/admin/api/systems`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  await send(`${origin}/admin/api/dashboard`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  await send(`${origin}/admin/api/outbox?state=dead`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  await send(`${origin}/admin/api/alerts`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  await send(`${origin}/metrics`);
  // A forged webhook, signed with a guess and carrying a secret-looking body.
  await send(`${origin}/webhooks/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
    body: JSON.stringify({ id: 'evt_forged', type: 'payment_intent.succeeded', data: { object: { id: 'pi_x', metadata: { order_id: 'ord-1' } } } }),
  });
  // Every job the writes queued has been tried (and, with the systems failing, failed and logged its error) before the
  // product stops, so the outbox's rows are in the scan. Jobs then waiting out an open breaker are not waited for.
  const untried = async () => {
    const jobs: { state: string; attempts: number }[] = [];
    for (const state of ['pending', 'running', 'failed']) {
      const listed = await request(`${origin}/admin/api/outbox?state=${state}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      jobs.push(...((await listed.body.json()) as { jobs: { state: string; attempts: number }[] }).jobs);
    }
    return jobs.filter((job) => job.state === 'running' || job.attempts === 0);
  };
  await eventually('every queued job to be tried', untried, (jobs) => jobs.length === 0, 60_000);
  // ...and ops alerted about at least one (a job dead-lettered after its three failures), so the alerts are scanned too.
  const alerts = async () => {
    const listed = await request(`${origin}/admin/api/alerts`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return ((await listed.body.json()) as { alerts: unknown[] }).alerts;
  };
  await eventually('an alert about the failing jobs', alerts, (rows) => rows.length > 0, 60_000);
  product.kill('SIGTERM');
  await new Promise((resolve) => product.once('exit', resolve));

  // Every row of every table the product keeps.
  const db = await openDatabase(undefined, { dataDir });
  const rows: string[] = [];
  try {
    const connection = db.orm.em.getConnection();
    const tables = (await connection.execute<{ name: string }[]>("select name from sqlite_master where type = 'table'")).map((table) => table.name);
    expect(tables).toEqual(expect.arrayContaining(['integration_logs', 'mutation_audit', 'outbox_jobs', 'alerts', 'webhook_events']));
    for (const table of tables) rows.push(...(await connection.execute(`select * from "${table}"`)).map((row: unknown) => `${table}: ${JSON.stringify(row)}`));
  } finally {
    await db.close();
  }

  const secrets: Record<string, string> = {
    'jwt secret': JWT_SECRET,
    'admin token': ADMIN_TOKEN,
    'bearer token': token,
    // The sandboxes' credentials: the same list the scan of a recorded cassette uses (test/contracts/record-replay.test.ts).
    ...sandboxSecrets(),
    'courier a client key': readFileSync(path.join(dataDir, 'pki', PKI_FILES.clientKey), 'utf8').split('\n')[1]!,
  };
  const places = { responses: answers, logs: output.split('\n'), 'database rows': rows };
  const hits = Object.entries(places).flatMap(([where, texts]) => secretsIn(texts, secrets).map((hit) => `${where}: ${hit}`));
  process.stdout.write(`secret scan: ${Object.keys(secrets).length} secrets over ${answers.length} responses, ${places.logs.length} log lines, ${rows.length} rows\n`);
  // The scan read the real thing: the canary request id is in the responses, the log lines and the rows; failures
  // were logged and stored.
  for (const [where, texts] of Object.entries(places)) expect([where, texts.some((text) => text.includes(CANARY))]).toEqual([where, true]);
  expect(rows.filter((row) => row.startsWith('integration_logs:') && row.includes('"outcome":"error"')).length).toBeGreaterThan(10);
  expect(places.logs.filter((line) => line.includes('"requestId"')).length).toBeGreaterThan(10);
  expect(hits).toEqual([]);
}, 180_000);
