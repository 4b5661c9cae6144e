import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createAlerts, type Alerts } from '../../src/alerts';
import { createAutopilot, type Autopilot } from '../../src/autopilot';
import { createDashboard } from '../../src/dashboard';
import { openDatabase, type Database } from '../../src/db';
import { credentialChecks } from '../../src/doctor/credentials';
import { loadIntegrationMap, type IntegrationMap } from '../../src/integration-map';
import { integrationMapSchema } from '../../src/integration-map/schema';
import { createMetrics } from '../../src/metrics';
import { createTestPki, type TestPki } from '../../src/pki';

/**
 * Issue 20, item 2: a certificate 5 days from expiry in the test PKI. The clock is driven, not waited for: the PKI is
 * made for 30 days and the autopilot's clock moved 25 days on. The metric says the seconds left, the tile the days,
 * the doctor warns, and the alert is raised once per threshold (7 days, then 1 day), never twice.
 */
const DAY_MS = 86_400_000;

describe('credential and certificate expiry', () => {
  let dir: string;
  let db: Database;
  let pki: TestPki;
  let alerts: Alerts;
  let autopilot: Autopilot;
  let clock: number;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plugboard-credentials-'));
    db = await openDatabase(undefined, { dataDir: dir });
    await db.migrate();
    pki = await createTestPki({ validityDays: 30 });
    clock = pki.notAfter.client.getTime() - 5 * DAY_MS;
    const declared = loadIntegrationMap().map;
    const map: IntegrationMap = {
      ...declared,
      systems: { ...declared.systems, 'courier-b': { ...declared.systems['courier-b']!, rotation: [{ credential: 'apiKey', rotateBy: '2027-03-01' }] } },
    };
    alerts = createAlerts(db, { logger: pino({ level: 'silent' }), now: () => new Date(clock) });
    autopilot = createAutopilot({
      db,
      alerts,
      map,
      systems: [{ name: 'courier-a' }, { name: 'courier-b' }],
      connections: { 'courier-a': { baseUrl: 'https://127.0.0.1:1', tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } } },
      now: () => clock,
    });
  });

  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const expiryAlerts = () => alerts.list({ kind: 'credential-expiry' });

  it('gives the seconds left as a metric, the days on the tile, and a warning in the doctor', async () => {
    const metrics = createMetrics({ credentialExpiry: () => autopilot.credentials(), processMetrics: false });
    const text = await metrics.render();
    const seconds = Number(/plugboard_credential_expiry_seconds\{system="courier-a",credential="client certificate"\} (-?\d+)/.exec(text)?.[1]);
    expect(seconds).toBe(5 * 86_400);
    expect(text).toMatch(/plugboard_credential_expiry_seconds\{system="courier-a",credential="CA certificate"\} \d+/);
    expect(text).toMatch(/plugboard_credential_expiry_seconds\{system="courier-b",credential="apiKey"\} \d+/);

    const dashboard = createDashboard({ db, systems: [{ name: 'courier-a', kind: 'courier' }], autopilot, now: () => new Date(clock) });
    const [tile] = (await dashboard.snapshot()).systems;
    expect(tile!.maintenance.credentials.find((credential) => credential.credential === 'client certificate')).toEqual({
      credential: 'client certificate',
      expiresAt: pki.notAfter.client.toISOString(),
      secondsLeft: 5 * 86_400,
      daysLeft: 5,
    });

    const checks = credentialChecks(autopilot.credentials(), 'courier-a');
    expect(checks.find((check) => check.name === 'client certificate expiry')).toMatchObject({ status: 'warn', detail: expect.stringContaining('5 days left (the certificate)') });
  });

  it('alerts at 7 days and at 1 day, each once', async () => {
    await autopilot.checkCredentials();
    await autopilot.checkCredentials();
    let raised = await expiryAlerts();
    expect(raised.map((alert) => [alert.system, alert.message.replace(/ at \S+,/, ' at <when>,')]).sort()).toEqual([
      ['courier-a', 'courier-a: the CA certificate expires at <when>, within 7 days: renew it'],
      ['courier-a', 'courier-a: the client certificate expires at <when>, within 7 days: renew it'],
    ]);

    clock += 4.5 * DAY_MS;
    await autopilot.checkCredentials();
    await autopilot.checkCredentials();
    raised = await expiryAlerts();
    expect(raised.filter((alert) => alert.message.includes('within 1 day:')).map((alert) => alert.subject.split(' 20')[0]).sort()).toEqual(['CA certificate', 'client certificate']);
    expect(raised).toHaveLength(4);
  });

  it('refuses a rotation date for a credential the system does not have, naming the credentials it has', () => {
    const courier = loadIntegrationMap().map.systems['courier-b']!;
    const parsed = integrationMapSchema.safeParse({ systems: { 'courier-b': { ...courier, rotation: [{ credential: 'password', rotateBy: '2027-03-01' }] } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['systems.courier-b.rotation.0.credential', 'not a credential of auth model api-key (one of apiKey)'],
    ]);
  });
});
