import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLegacyAdapter } from '../../src/systems/legacy/adapter';
import { MutationAuditEntity, OutboxJobEntity, parseDatabaseUrl, ReconciliationDayEntity } from '../../src/db';
import type { LegacyStore } from '../../src/domain';
import { LEGACY_SANDBOX_CREDENTIALS, type WooCustomer, type WooOrder } from '../../src/systems/legacy/sandbox';
import { generateEstate } from '../../src/systems/kit/seed';
import { dayIn, reconcileDay, shiftDay, type ReconciledEntity, type ShadowEntityView } from '../../src/shadow';
import { testDatabases, type TestDatabase } from '../support/databases';
import { eventually, scratchDatabase } from '../support/scratch-database';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';

/**
 * Shadow mode, daily reconciliation and the cutover gate, end to end against the whole product over HTTP: the admin
 * API switches shadow mode (audited), the site's writes reach the legacy WooCommerce shop in its fields through the
 * outbox, reconciliation of a day finds what the systems disagree on, and the gate refuses a cutover after 4 clean
 * days and allows it after 5. Run on SQLite and on PostgreSQL.
 */

const ROOT = path.join(__dirname, '..', '..');
const TIME_ZONE = 'Europe/Amsterdam';
const estate = generateEstate();

interface Receipt {
  status: string;
  auditId: string;
  followerJobs: { system: string; operation: string; state: string }[];
}

describe.each(testDatabases())('shadow mode and cutover on $label', (database: TestDatabase) => {
  let stack: TestStack;
  let scratch: { url: string; drop: () => Promise<void> } | undefined;
  let dataDir: string;
  let legacy: LegacyStore & AsyncDisposable;
  const env: Record<string, string> = {};
  const today = dayIn(TIME_ZONE, new Date());

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-shadow-'));
    env.PLUGBOARD_DATA_DIR = dataDir;
    if (database.url && parseDatabaseUrl(database.url).dialect === 'postgresql') {
      scratch = await scratchDatabase(database.url, 'shadow');
      env.DATABASE_URL = scratch.url;
    }
    stack = await startTestStack(env);
    legacy = createLegacyAdapter({ baseUrl: stack.estate!.sandboxes.legacy.url, ...LEGACY_SANDBOX_CREDENTIALS });
  }, 60_000);

  afterAll(async () => {
    await legacy?.[Symbol.asyncDispose]();
    await stack?.close();
    await scratch?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function admin<T = ShadowEntityView>(method: 'GET' | 'POST', route: string, options: { body?: unknown; actor?: string; token?: string | null } = {}) {
    const headers: Record<string, string> = {};
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TEST_ADMIN_TOKEN}`;
    if (options.actor) headers['x-plugboard-actor'] = options.actor;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${stack.gateway.origin}${route}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  const entityView = async (entity: ReconciledEntity): Promise<ShadowEntityView> =>
    (await admin<{ entities: ShadowEntityView[] }>('GET', '/admin/api/shadow')).body.entities.find((view) => view.entity === entity)!;

  const reconcile = (day: string, entities: readonly ReconciledEntity[]) =>
    reconcileDay({ db: stack.db, legacy, day, timeZone: TIME_ZONE, entities, outDir: path.join(dataDir, 'reports') });

  async function mutate<T>(query: string, variables: Record<string, unknown>, scope: 'customers:write' | 'orders:write'): Promise<T> {
    const token = await mintTestToken({ subject: 'alice', scopes: [scope] });
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    if (!body.data) throw new Error(`mutation failed: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  const jobsDone = (auditId: string) =>
    eventually(
      `the outbox jobs of ${auditId} to be done`,
      () => stack.db.orm.em.fork().find(OutboxJobEntity, { auditId }),
      (jobs) => jobs.length > 0 && jobs.every((job) => job.state === 'done'),
    );

  const sandboxRecord = async <T>(collection: string, id: string): Promise<T> =>
    (await (await fetch(`${stack.estate!.sandboxes.legacy.url}/_sandbox/records/${collection}/${id}`)).json()) as T;
  /** The WooCommerce record that carries our id: its WooCommerce id (legacyNumber) found through the adapter. */
  const shopRecord = async <T>(collection: 'customers' | 'orders', id: string): Promise<T> => {
    const found = collection === 'customers' ? await legacy.findCustomersByIds([id]) : await legacy.findOrdersByIds([id]);
    return sandboxRecord<T>(collection, found.get(id)!.legacyNumber);
  };

  it('starts with every entity out of shadow mode and owned by the legacy shop; the admin API needs its token', async () => {
    expect((await admin('GET', '/admin/api/shadow', { token: null })).status).toBe(401);
    expect((await admin('POST', '/admin/api/cutover/Order', { token: 'wrong-token-0123456789' })).status).toBe(401);
    const { status, body } = await admin<{ entities: ShadowEntityView[] }>('GET', '/admin/api/shadow');
    expect(status).toBe(200);
    expect(body.entities).toEqual(
      ['Customer', 'Order'].map((entity) => ({ entity, shadow: false, cleanDays: 0, requiredCleanDays: 5, owner: 'legacy', cutover: null })),
    );
    expect((await admin('POST', '/admin/api/shadow/Invoice', { body: { shadow: true } })).status).toBe(404);
    expect(await admin('POST', '/admin/api/shadow/Order', { body: { shadow: 'yes' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_USER_INPUT' } },
    });
  });

  it('in shadow mode, a customer write reaches the legacy shop through the outbox, in its vocabulary, and the day reconciles clean', async () => {
    const switched = await admin('POST', '/admin/api/shadow/Customer', { body: { shadow: true }, actor: 'alice' });
    expect(switched).toEqual({ status: 200, body: expect.objectContaining({ entity: 'Customer', shadow: true, owner: 'legacy', cutover: null }) });
    const audit = await stack.db.orm.em.fork().find(MutationAuditEntity, { operation: 'setShadowMode', entity: 'Customer' });
    expect(audit).toEqual([expect.objectContaining({ actor: 'alice', result: 'APPLIED', input: { shadow: true }, owner: 'legacy' })]);

    const customer = estate.customers[30]!;
    const { updateCustomer } = await mutate<{ updateCustomer: Receipt }>(
      'mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { status auditId followerJobs { system operation state } } }',
      { input: { id: customer.id, name: 'Gisela Shadow-Müller' } },
      'customers:write',
    );
    expect(updateCustomer.status).toBe('APPLIED');
    expect(updateCustomer.followerJobs.map((job) => `${job.system}:${job.operation}`).sort()).toEqual([
      'crm:upsertProfile',
      'erp:upsertPartner',
      'legacy:saveCustomer',
    ]);
    await jobsDone(updateCustomer.auditId);

    const row = await shopRecord<WooCustomer>('customers', customer.id);
    expect(row).toMatchObject({ first_name: 'Gisela', last_name: 'Shadow-Müller', email: customer.email });
    expect(row.meta_data).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'plugboard_id', value: customer.id })]));
    expect(row.date_modified?.slice(0, 10)).toBe(today);

    const { report, files } = await reconcile(today, ['Customer']);
    expect(report.entities[0]).toMatchObject({ entity: 'Customer', mismatches: 0, missingInStore: 0, missingInLegacy: 0 });
    expect(report.entities[0]!.matches).toBeGreaterThanOrEqual(1);
    expect(report.clean).toBe(true);
    expect(await readFile(files.markdown, 'utf8')).toContain(`# Reconciliation ${today}`);
    const recorded = await stack.db.orm.em.fork().findOneOrFail(ReconciliationDayEntity, { entity: 'Customer', day: today });
    expect(recorded).toMatchObject({ clean: true, mismatches: 0, report: files.markdown });
  });

  it('with shadow mode off the legacy shop misses a write: reconciliation names the field, and the clean days start again', async () => {
    for (let back = 1; back <= 5; back += 1) await reconcile(shiftDay(today, -back), ['Customer']);
    expect((await entityView('Customer')).cleanDays).toBe(6);

    expect((await admin('POST', '/admin/api/shadow/Customer', { body: { shadow: false }, actor: 'bob' })).body.shadow).toBe(false);
    const customer = estate.customers[31]!;
    const { updateCustomer } = await mutate<{ updateCustomer: Receipt }>(
      'mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { status auditId followerJobs { system operation state } } }',
      { input: { id: customer.id, phone: '+49 30 5550100' } },
      'customers:write',
    );
    expect(updateCustomer.followerJobs.map((job) => job.system).sort()).toEqual(['crm', 'erp']);

    const { report, files } = await reconcile(today, ['Customer']);
    expect(report.clean).toBe(false);
    expect(report.entities[0]).toMatchObject({ mismatches: 1, missingInStore: 0, missingInLegacy: 0 });
    expect(report.entities[0]!.samples.mismatches).toEqual([
      {
        id: customer.id,
        fields: [
          { field: 'phone', store: '+49 30 5550100', legacy: customer.phone },
          { field: 'updatedAt', store: expect.any(String), legacy: expect.any(String) },
        ],
      },
    ]);
    const json = JSON.parse(await readFile(files.json, 'utf8')) as { entities: { byField: { field: string; mismatches: number }[] }[] };
    expect(json.entities[0]!.byField.find((tally) => tally.field === 'phone')).toMatchObject({ mismatches: 1 });
    expect(await entityView('Customer')).toMatchObject({ cleanDays: 0 });
    expect(await admin('POST', '/admin/api/cutover/Customer')).toMatchObject({ status: 409, body: { error: { code: 'CUTOVER_REFUSED', cleanDays: 0 } } });
  });

  it('the gate refuses a cutover after 4 clean days and allows it after 5; the cutover stops the writes to the legacy shop', async () => {
    await admin('POST', '/admin/api/shadow/Order', { body: { shadow: true }, actor: 'carol' });
    const order = estate.orders.find((candidate) => candidate.status === 'PENDING')!;
    const move = (status: string) =>
      mutate<{ updateOrderStatus: Receipt }>(
        'mutation($id: ID!, $status: OrderStatus!) { updateOrderStatus(id: $id, status: $status) { status auditId followerJobs { system operation state } } }',
        { id: order.id, status },
        'orders:write',
      );
    const confirmed = (await move('CONFIRMED')).updateOrderStatus;
    expect(confirmed.followerJobs.map((job) => `${job.system}:${job.operation}`).sort()).toEqual(['erp:upsertOrder', 'legacy:saveOrder', 'xero:upsertOrder']);
    await jobsDone(confirmed.auditId);
    expect(await shopRecord<WooOrder>('orders', order.id)).toMatchObject({ status: 'processing', total: expect.stringMatching(/^\d+\.\d{2}$/) });

    for (let back = 1; back <= 4; back += 1) expect((await reconcile(shiftDay(today, -back), ['Order'])).report.clean).toBe(true);
    const refused = await admin<{ error: Record<string, unknown> }>('POST', '/admin/api/cutover/Order', { actor: 'carol' });
    expect(refused).toEqual({
      status: 409,
      body: { error: { code: 'CUTOVER_REFUSED', cleanDays: 4, requiredCleanDays: 5, message: expect.stringContaining('needs 5') } },
    });

    await reconcile(shiftDay(today, -5), ['Order']);
    const allowed = await admin('POST', '/admin/api/cutover/Order', { actor: 'carol' });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({
      entity: 'Order',
      shadow: false,
      cleanDays: 5,
      requiredCleanDays: 5,
      owner: 'store',
      cutover: { at: expect.any(String), actor: 'carol' },
    });
    expect(await stack.shadow.cutovers()).toEqual([expect.objectContaining({ entity: 'Order', owner: 'store', actor: 'carol' })]);
    const audits = await stack.db.orm.em.fork().find(MutationAuditEntity, { operation: 'cutover', entity: 'Order' }, { orderBy: { createdAt: 'asc' } });
    expect(audits.map((row) => [row.actor, row.result, row.errorCode, row.owner])).toEqual([
      ['carol', 'REJECTED', 'CUTOVER_REFUSED', 'legacy'],
      ['carol', 'APPLIED', null, 'store'],
    ]);

    expect(await admin('POST', '/admin/api/shadow/Order', { body: { shadow: true } })).toMatchObject({ status: 409, body: { error: { code: 'ALREADY_CUT_OVER' } } });
    const shipped = (await move('SHIPPED')).updateOrderStatus;
    expect(shipped.followerJobs.map((job) => job.system)).toEqual(['erp', 'xero']);
    expect((await shopRecord<WooOrder>('orders', order.id)).status).toBe('processing');
  });

  it('runs as commands: npm run reconcile records the day, npm run cutover refuses with CUTOVER_REFUSED', async () => {
    const cliEnv = {
      ...process.env,
      ...env,
      PLUGBOARD_SANDBOXES: 'off',
      LEGACY_URL: stack.estate!.sandboxes.legacy.url,
      LEGACY_USERNAME: LEGACY_SANDBOX_CREDENTIALS.username,
      LEGACY_PASSWORD: LEGACY_SANDBOX_CREDENTIALS.password,
    };
    const day = shiftDay(today, -6);
    const reconciled = await run(['src/cli/reconcile.ts', '--date', day], cliEnv);
    expect(reconciled.code).toBe(0);
    expect(reconciled.stdout).toContain(`reconciliation of ${day}: clean`);
    expect(reconciled.stdout).toMatch(/^Customer: \d+\/\d+ records \(100%\)$/m);
    expect(reconciled.stdout).toContain(path.join(dataDir, 'reports', `reconciliation-${day}.md`));
    const rows = await stack.db.orm.em.fork().find(ReconciliationDayEntity, { day });
    expect(rows.map((row) => [row.entity, row.clean])).toEqual([['Customer', true], ['Order', true]]);

    const refused = await run(['src/cli/cutover.ts', 'Customer', '--actor', 'dave'], cliEnv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^CUTOVER_REFUSED: Customer has 0 consecutive clean reconciliation days; the cutover needs 5/);
    const status = await run(['src/cli/cutover.ts', 'status', '--json'], cliEnv);
    expect(JSON.parse(status.stdout)).toEqual({
      entities: [
        expect.objectContaining({ entity: 'Customer', owner: 'legacy', cleanDays: 0 }),
        expect.objectContaining({ entity: 'Order', owner: 'store', cutover: expect.objectContaining({ actor: 'carol' }) }),
      ],
    });
  }, 60_000);
});

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
