import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { openDatabase, seedSiteStore, type Database } from '../../src/db';
import { environmentOf } from '../../src/estate/connections';
import { startSandboxes, type RunningEstate } from '../../src/estate/start-sandboxes';
import { generateEstate } from '../../src/systems/kit/seed';
import { testDatabases } from '../support/databases';
import { eventually, scratchDatabase } from '../support/scratch-database';
import { bearer, mintTestToken } from '../support/tokens';

/**
 * The documented multi-process deployment (docs/deployment.md): the systems (here the sandboxes, reached through
 * the *_URL settings), one process per subgraph (`npm run subgraph`), the gateway (`npm run gateway`) and an outbox
 * worker (`npm run worker`), all on one PostgreSQL database (processes share a database server; SQLite is the
 * embedded default of one process). Issue 17: only `npm start` composed the systems with the
 * integration map's limits and the integration log, so the subgraph and worker processes wrote no integration_logs rows
 * and called the ERP with the 8 s default timeout whatever the map declared.
 */

const ROOT = path.resolve(__dirname, '..', '..');
/** The ERP's timeout in this test's integration map; the ERP is then slowed past it, but not past the 8 s default. */
const ERP_TIMEOUT_MS = 1_500;
const ERP_DELAY_MS = 5_000;

interface Child {
  readonly name: string;
  readonly process: ChildProcessWithoutNullStreams;
  output: string;
  readonly exited: Promise<void>;
}

let dataDir: string;
let schemaDir: string;
let estate: RunningEstate;
let db: Database;
let scratch: { url: string; drop: () => Promise<void> } | undefined;
const children: Child[] = [];
let gatewayUrl: string;

/** A port nothing listens on now (the child binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a CLI from source, as `npm run token` runs; its output is kept for the failure message. */
function startCli(name: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', ...args], { cwd: ROOT, env });
  const running: Child = {
    name,
    process: child,
    output: '',
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
  };
  child.stdout.on('data', (chunk: Buffer) => (running.output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (running.output += chunk.toString()));
  children.push(running);
  return running;
}

/** Waits until a child printed `pattern`; fails with its output if it exits first. */
function printed(child: Child, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(child.output);
      if (match) {
        child.process.stdout.off('data', check);
        resolve(match);
      }
    };
    child.process.stdout.on('data', check);
    child.process.once('exit', (code) => reject(new Error(`${child.name} exited (${code}) before printing ${pattern}:\n${child.output}`)));
    check();
  });
}

async function graphql(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await request(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.body.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

interface LogRow {
  adapter: string;
  operation: string;
  outcome: string;
  error_code: string | null;
  duration_ms: number;
}
const logRows = (): Promise<LogRow[]> =>
  db.orm.em.fork().getConnection().execute<LogRow[]>('select adapter, operation, outcome, error_code, duration_ms from integration_logs order by id');

const servers = testDatabases().filter((database) => database.label !== 'SQLite');
const suite = servers.length ? describe.each(servers) : describe.skip.each([{ label: 'PostgreSQL (none here: set DATABASE_URL or run it on 127.0.0.1:5432)', url: '' }]);

suite('the multi-process deployment on $label', (server) => {
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-multi-'));
    // The integration map as committed, with the ERP's timeout shortened: every process reads it (PLUGBOARD_SCHEMA_DIR).
    schemaDir = await mkdtemp(path.join(tmpdir(), 'plugboard-multi-schema-'));
    for (const file of await readdir(path.join(ROOT, 'schema'))) {
      if (/\.(ya?ml|graphql)$/.test(file)) await copyFile(path.join(ROOT, 'schema', file), path.join(schemaDir, file));
    }
    const mapFile = path.join(schemaDir, 'integration-map.yaml');
    const map = await readFile(mapFile, 'utf8');
    const shortened = map.replace(/(\n {2}erp:\n(?:.*\n)*? {4}timeoutMs: )\d+/, `$1${ERP_TIMEOUT_MS}`);
    expect(shortened).not.toBe(map);
    await writeFile(mapFile, shortened);

    const seed = generateEstate();
    estate = await startSandboxes({ estate: seed, dataDir, ports: 'ephemeral' });
    // The processes reach the systems by their settings (PLUGBOARD_SANDBOXES=off); the store is seeded once, here.
    scratch = await scratchDatabase(server.url!, 'multi');
    db = await openDatabase(scratch.url);
    await db.migrate();
    await seedSiteStore(db, seed);

    const env = {
      PATH: process.env.PATH ?? '',
      APOLLO_TELEMETRY_DISABLED: 'true',
      PLUGBOARD_DATA_DIR: dataDir,
      DATABASE_URL: scratch.url,
      PLUGBOARD_SCHEMA_DIR: schemaDir,
      PLUGBOARD_SUBGRAPH_SECRET: randomBytes(32).toString('hex'),
      // Only the worker process drains the outbox.
      PLUGBOARD_OUTBOX_WORKER: 'off',
      PLUGBOARD_OUTBOX_BACKOFF_BASE_MS: '100',
      PLUGBOARD_LOG_LEVEL: 'warn',
      ...environmentOf(estate.connections, path.join(dataDir, 'pki')),
    };
    const subgraphNames = ['store', 'erp', 'writes'];
    const subgraphs = await Promise.all(
      subgraphNames.map(async (name) => {
        const child = startCli(`subgraph ${name}`, ['src/cli/subgraph.ts', name, String(await freePort())], env);
        return [name, (await printed(child, /subgraph \S+ at (\S+)/))[1]!] as const;
      }),
    );
    const worker = startCli('worker', ['src/cli/worker.ts'], env);
    const gateway = startCli('gateway', ['src/cli/gateway.ts'], {
      ...env,
      PORT: String(await freePort()),
      PLUGBOARD_ADMIN_TOKEN: 'multi-process-admin-token-0123',
      PLUGBOARD_SUBGRAPH_URLS: subgraphs.map(([name, url]) => `${name}=${url}`).join(','),
    });
    gatewayUrl = (await printed(gateway, /gateway at (\S+)/))[1]!;
    await printed(worker, /outbox worker started/);
  }, 180_000);

  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
    await Promise.all(children.map((child) => child.exited));
    await db?.close();
    await scratch?.drop();
    await estate?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(schemaDir, { recursive: true, force: true });
  });

  it('a mutation through the writes subgraph is delivered by the worker process, and both write integration_logs rows', async () => {
    const token = await mintTestToken({ subject: 'multi-process', scopes: ['customers:write'] });
    const body = await graphql(
      'mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input, idempotencyKey: "multi-process-1") { status followerJobs { system } } }',
      { input: { id: 'cus-00001', email: 'multi.process@example.com' } },
      bearer(token),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({ updateCustomer: { status: 'APPLIED' } });
    // The CRM is called by nobody but the worker process: its row is the worker's.
    const rows = await eventually(
      'the worker delivers the CRM follower sync and logs it',
      logRows,
      (seen) => seen.some((row) => row.adapter === 'crm' && row.operation === 'upsertProfile' && row.outcome === 'ok'),
    );
    // The writes subgraph read the customer from the store through the resilience layer: its row is the subgraph's.
    expect(rows.some((row) => row.adapter === 'store')).toBe(true);
  }, 60_000);

  it('a read through the ERP subgraph process is logged, and the map\'s ERP timeout is in force, not the 8 s default', async () => {
    const fresh = await graphql('{ inventoryItem(sku: "SKU-00002") { sku onHand } }');
    expect(fresh.errors).toBeUndefined();
    expect(fresh.data).toMatchObject({ inventoryItem: { sku: 'SKU-00002', onHand: expect.any(Number) } });

    // Slowed past the map's 1.5 s but within the 8 s default: only the declared timeout makes this fail.
    estate.sandboxes['erp']!.setFault({ mode: 'slow', delayMs: ERP_DELAY_MS });
    try {
      const slow = await graphql('{ inventoryItem(sku: "SKU-00003") { sku onHand } }');
      expect(slow.errors?.map((error) => [error.extensions?.['code'], error.extensions?.['system']])).toContainEqual(['UPSTREAM_TIMEOUT', 'erp']);
      const rows = await eventually('the ERP subgraph logs its read and the timeout', logRows, (seen) =>
        seen.some((row) => row.adapter === 'erp' && row.operation === 'findItemsBySkus' && row.outcome === 'ok') &&
        seen.some((row) => row.adapter === 'erp' && row.error_code === 'UPSTREAM_TIMEOUT'),
      );
      const timedOut = rows.find((row) => row.adapter === 'erp' && row.error_code === 'UPSTREAM_TIMEOUT')!;
      // Abandoned at the declared timeout (the whole call, retries included), well before the ERP would have answered.
      expect(timedOut.duration_ms).toBeGreaterThanOrEqual(ERP_TIMEOUT_MS - 50);
      expect(timedOut.duration_ms).toBeLessThan(ERP_DELAY_MS);
    } finally {
      estate.sandboxes['erp']!.setFault({ mode: 'ok' });
    }
  }, 60_000);
});
