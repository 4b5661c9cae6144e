import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { openDatabase, seedSiteStore, type Database } from '../../src/db';
import { runDoctor, writeDoctorReport, type DoctorReport } from '../../src/doctor';
import { environmentOf, type SystemConnections } from '../../src/estate/connections';
import { startSandboxes, type RunningEstate } from '../../src/estate/start-sandboxes';
import { loadIntegrationMap } from '../../src/integration-map';
import { SYSTEM_REGISTRY } from '../../src/systems';
import { createCrmSandbox } from '../../src/systems/crm/sandbox';
import { startSandbox } from '../../src/systems/kit/sandbox';
import { generateEstate, type EstateSeed } from '../../src/systems/kit/seed';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * `npm run doctor`: against the sandboxes every system is ready; with one system's credentials wrong and one setup
 * step missing, the report names each in words an integrator acts on; the CLI's exit code says whether all are ready.
 */
describe('npm run doctor: the readiness report', () => {
  let dataDir: string;
  let estate: RunningEstate;
  let db: Database;
  let seed: EstateSeed;

  const doctor = async (connections: SystemConnections): Promise<DoctorReport> =>
    runDoctor({
      config: loadConfig({ PLUGBOARD_DATA_DIR: dataDir, PLUGBOARD_SANDBOXES: 'on' }),
      db,
      logger: pino({ level: 'silent' }),
      map: loadIntegrationMap().map,
      connections,
      samples: 3,
    });
  const systemOf = (report: DoctorReport, name: string) => report.systems.find((system) => system.system === name)!;
  const failuresOf = (report: DoctorReport, name: string) =>
    systemOf(report, name).checks.filter((check) => check.status === 'fail').map((check) => `${check.detail}: ${check.action}`);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-doctor-'));
    seed = generateEstate();
    estate = await startSandboxes({ estate: seed, dataDir, ports: 'ephemeral' });
    db = await openDatabase(undefined, { dataDir });
    await db.migrate();
    await seedSiteStore(db, seed);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await estate?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('names every system ready against the sandboxes, with its figures, and logs every probe call', async () => {
    const report = await doctor(estate.connections);
    const unready = report.systems.filter((system) => !system.ready).map((system) => system.verdict);
    expect(unready).toEqual([]);
    expect(report.ready).toBe(true);
    expect(report.systems.map((system) => system.system)).toEqual(SYSTEM_REGISTRY.map((system) => system.name));
    for (const system of report.systems) {
      expect(system.verdict).toMatch(new RegExp(`^${system.system}: ready`));
      expect(system.latency?.samples).toBe(3);
    }
    expect(systemOf(report, 'payments').apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(systemOf(report, 'erp').apiVersion).toMatch(/^Odoo 17/);
    expect(systemOf(report, 'crm').checks).toContainEqual(expect.objectContaining({ name: 'unique property', status: 'ok' }));
    expect(systemOf(report, 'courier-b').checks).toContainEqual(expect.objectContaining({ name: 'carrier id', status: 'ok' }));
    expect(systemOf(report, 'courier-a').checks).toContainEqual(expect.objectContaining({ name: 'certificate', detail: expect.stringMatching(/expires in \d+ days/) }));
    expect(systemOf(report, 'crm').dataQuality[0]).toEqual(expect.objectContaining({ source: 'contacts (CRM)', records: expect.any(Number) }));
    expect(systemOf(report, 'store').dataQuality[0]).toEqual(expect.objectContaining({ source: 'customers (store)', withoutCustomer: 0 }));

    const out = path.join(dataDir, 'doctor');
    const files = await writeDoctorReport(report, out);
    const markdown = await readFile(files.markdown, 'utf8');
    expect(markdown).toContain('**every system is ready**');
    for (const system of SYSTEM_REGISTRY) expect(markdown).toContain(`| ${system.name} | ready |`);
    expect(await readFile(files.html, 'utf8')).toMatch(/^<!doctype html>[\s\S]*every system is ready/);

    // Every probe went through the composition root: one integration-log row per call, as doctor.<operation>.
    const rows = (await db.orm.em.fork().getConnection().execute(
      "select adapter, operation from integration_logs where operation like 'doctor.%'",
    )) as { adapter: string; operation: string }[];
    expect(new Set(rows.map((row) => row.adapter))).toEqual(new Set(SYSTEM_REGISTRY.filter((system) => system.sandbox).map((system) => system.name)));
    expect(rows).toContainEqual({ adapter: 'courier-b', operation: 'doctor.shipments.list' });
  }, 60_000);

  it('names a refused API key and a missing one-time setup step, each with what to do', async () => {
    // A portal where the one-time setup did not create the unique property plugboard_customer_id.
    const bareCrm = await startSandbox(createCrmSandbox(seed, { customerIdProperty: false }));
    try {
      const courierB = estate.connections['courier-b'] as unknown as { apiKey: string };
      const report = await doctor({
        ...estate.connections,
        crm: { ...estate.connections['crm']!, baseUrl: bareCrm.url },
        'courier-b': { ...courierB, apiKey: 'TEST_not-this-account' } as never,
      });
      expect(report.ready).toBe(false);
      expect(report.systems.filter((system) => !system.ready).map((system) => system.system)).toEqual(['crm', 'courier-b']);
      expect(systemOf(report, 'courier-b').verdict).toBe(
        'courier-b: NOT READY: the API key was refused (401): set COURIER_B_API_KEY to a key of this account',
      );
      expect(failuresOf(report, 'crm')).toEqual([
        expect.stringMatching(/^the contact property plugboard_customer_id is absent or not unique .*: create the contact property plugboard_customer_id \(single-line text, "Require unique values" on\)/),
      ]);
      const markdown = await readFile((await writeDoctorReport(report, path.join(dataDir, 'not-ready'))).markdown, 'utf8');
      expect(markdown).toContain('**2 system(s) not ready**');
      expect(markdown).toContain('To do: set COURIER_B_API_KEY to a key of this account.');
    } finally {
      await bareCrm.close();
    }
  }, 60_000);

  it('names a carrier id the account does not have', async () => {
    const courierB = estate.connections['courier-b'] as unknown as { apiKey: string };
    const wrongCarrier = await doctor({ ...estate.connections, 'courier-b': { ...courierB, carrierId: 'se-999999' } as never });
    expect(wrongCarrier.ready).toBe(false);
    expect(failuresOf(wrongCarrier, 'courier-b')).toEqual([
      expect.stringMatching(/^carrier se-999999 .*: set COURIER_B_CARRIER_ID to /),
    ]);
  }, 60_000);

  it('names a system that does not answer, and why', async () => {
    const report = await doctor({ ...estate.connections, legacy: { ...estate.connections['legacy']!, baseUrl: 'http://127.0.0.1:1' } });
    expect(report.systems.filter((system) => !system.ready).map((system) => system.verdict)).toEqual([
      'legacy: NOT READY: no answer from http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1: start the sandboxes (`npm run sandboxes`)',
    ]);
  }, 60_000);

  it('npm run doctor with the real URLs and credentials: prints a verdict per system, exits 1 when one is not ready', async () => {
    const courierB = estate.connections['courier-b'] as unknown as { apiKey: string };
    const env = {
      PATH: process.env.PATH ?? '',
      APOLLO_TELEMETRY_DISABLED: 'true',
      PLUGBOARD_DATA_DIR: dataDir,
      ...environmentOf({ ...estate.connections, 'courier-b': { ...courierB, apiKey: 'TEST_not-this-account' } as never }, path.join(dataDir, 'pki')),
    };
    const out = path.join(dataDir, 'cli-report');
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/cli/doctor.ts', '--out', out, '--samples', '2'], { cwd: ROOT, env });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toContain('courier-b: NOT READY: the API key was refused (401): set COURIER_B_API_KEY to a key of this account');
    for (const system of SYSTEM_REGISTRY.filter((one) => one.name !== 'courier-b')) expect(stdout).toMatch(new RegExp(`^${system.name}: ready`, 'm'));
    expect(stdout.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
    expect(code).toBe(1);
    expect(await readFile(path.join(out, 'readiness.md'), 'utf8')).toContain('| courier-b | **not ready** |');
  }, 90_000);
});
