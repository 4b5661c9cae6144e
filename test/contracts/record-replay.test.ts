import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db';
import { seedEstate } from '../../src/estate/seed-estate';
import { runDoctor } from '../../src/doctor';
import { cassetteCheck } from '../../src/doctor/cassette-check';
import type { Courier, Order, Shipment } from '../../src/domain';
import { environmentOf } from '../../src/estate/connections';
import { startSandboxes, type RunningEstate } from '../../src/estate/start-sandboxes';
import { loadIntegrationMap } from '../../src/integration-map';
import { cassetteFileOf, createRecorder, readCassette, RecordError, recordSystem, startReplayServer, writeCassette, type Cassette } from '../../src/record';
import { REDACTION_RULES } from '../../src/systems';
import { createCourierBAdapter, type CourierBAdapterOptions } from '../../src/systems/courier-b/adapter';
import { tapTraffic, withTrafficObserver } from '../../src/systems/kit/adapter';
import { generateEstate, type EstateSeed } from '../../src/systems/kit/seed';
import { loadShipEngineSpec } from '../../src/systems/courier-b/sandbox/spec';
import { sandboxSecrets, secretsIn } from '../support/secrets';

/**
 * Record and replay (issue 20 item 6): a window of a system's traffic recorded from its sandbox, redacted (the secret
 * scan finds none of the sandboxes' credentials in it), replayed to the same adapter's contract cases by a local
 * server, and held against the vendor's description by `npm run doctor`.
 */
describe('record and replay', () => {
  let dataDir: string;
  let seed: EstateSeed;
  let estate: RunningEstate;
  let db: Database;
  const config = () => loadConfig({ PLUGBOARD_DATA_DIR: dataDir, PLUGBOARD_SANDBOXES: 'on', PLUGBOARD_LOG_LEVEL: 'silent' });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-record-'));
    seed = generateEstate();
    estate = await startSandboxes({ estate: seed, dataDir, ports: 'ephemeral', only: ['crm', 'erp', 'courier-b', 'payments'] });
    db = await openDatabase(undefined, { dataDir });
    await db.migrate();
    // As npm start seeds it against the sandboxes: the site's store, and the couriers' booking ledger (courier B's reads
    // start there: an order it holds no booking for costs no call, so an empty ledger would leave nothing to record).
    await seedEstate(db, seed);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await estate?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /**
   * Courier contract cases that a cassette can answer (reads, a booking, a cancel; not those that look inside the
   * system or switch its faults): each asserts what the contract promises, and answers what it saw.
   */
  async function courierCases(courier: Courier): Promise<{ found: [string, readonly Shipment[]][]; booked: Shipment; readBack: readonly Shipment[]; cancelled: Shipment }> {
    const carried = new Set(seed.shipments.filter((shipment) => shipment.carrier === 'courier-b').map((shipment) => shipment.orderId));
    const withShipments = [...carried].slice(0, 20);
    const without = seed.orders.filter((order) => !carried.has(order.id));
    const found = await courier.findByOrderIds([...withShipments, ...without.slice(0, 5).map((order) => order.id), 'ord-not-an-order']);
    expect([...found.keys()].sort()).toEqual([...withShipments].sort());

    const order: Order = without.at(-1)!;
    const booked = await courier.bookShipment({
      orderId: order.id,
      recipient: { name: 'Replay Recipient', phone: null },
      shipTo: { name: 'Replay Recipient', phone: null, line1: 'Prinsengracht 263', city: 'Amsterdam', region: 'NH', postalCode: '1016 GV', countryCode: 'NL', residential: true },
      parcels: 1,
      idempotencyKey: 'record-replay-book-1',
    });
    expect(booked).toMatchObject({ orderId: order.id, carrier: 'courier-b', status: 'LABEL_CREATED' });
    expect(booked.trackingNumber).not.toBe('');
    const readBack = (await courier.findByOrderIds([order.id])).get(order.id) ?? [];
    expect(readBack).toEqual([booked]);
    const cancelled = await courier.cancelShipment({ shipmentId: booked.id, idempotencyKey: 'record-replay-cancel-1' });
    expect(cancelled).toMatchObject({ id: booked.id, status: 'CANCELLED' });
    return { found: [...found.entries()].sort(([a], [b]) => a.localeCompare(b)), booked, readBack, cancelled };
  }

  const courierOf = (options: CourierBAdapterOptions) => withTrafficObserver(undefined, () => createCourierBAdapter(options));

  it('replays a cassette recorded from courier B\'s sandbox to its contract cases: the same answers, nothing asked that was not recorded', async () => {
    const connection = estate.connections['courier-b'] as CourierBAdapterOptions;
    const recorder = createRecorder({ system: 'courier-b', rules: REDACTION_RULES });
    const untap = tapTraffic(recorder);
    const live = courierOf(connection);
    let recorded: Awaited<ReturnType<typeof courierCases>>;
    try {
      recorded = await courierCases(live);
    } finally {
      untap();
      await live[Symbol.asyncDispose]();
    }
    const cassette: Cassette = { version: 1, system: 'courier-b', recordedFrom: new Date().toISOString(), recordedTo: new Date().toISOString(), source: 'sandbox', entries: recorder.entries() };
    expect(cassette.entries.length).toBeGreaterThan(3);
    const file = cassetteFileOf(path.join(dataDir, 'cassettes'), 'courier-b', new Date());
    await writeCassette(file, cassette);

    // The sandbox is not asked again: the replay answers alone.
    const before = estate.sandboxes['courier-b']!.records;
    const replay = await startReplayServer(await readCassette(file), { rules: REDACTION_RULES });
    const replayed = courierOf({ ...connection, baseUrl: replay.url });
    try {
      expect(await courierCases(replayed)).toEqual(recorded);
      expect(replay.unmatched()).toEqual([]);
      expect(replay.unused()).toEqual([]);
    } finally {
      await replayed[Symbol.asyncDispose]();
      await replay.close();
    }
    expect(estate.sandboxes['courier-b']!.records).toBe(before);

    // npm run doctor holds the newest cassette against ShipEngine's description: every recorded answer checked.
    const map = loadIntegrationMap().map;
    const report = await runDoctor({
      config: config(),
      db,
      logger: pino({ level: 'silent' }),
      map: { ...map, systems: { store: map.systems['store']!, 'courier-b': map.systems['courier-b']! } },
      connections: { 'courier-b': connection },
      samples: 1,
    });
    const held = report.systems.find((system) => system.system === 'courier-b')!.checks.find((check) => check.name === 'recorded answers');
    expect(held).toEqual(expect.objectContaining({ status: 'ok', detail: expect.stringMatching(new RegExp(`^${cassette.entries.length} answers recorded .*: ${cassette.entries.length} checked; every checked answer fits`)) }));

    // A recorded answer that left the description (a number where the vendor promises a string) is named.
    const drifted = structuredClone(cassette) as unknown as { entries: { body: string; method: string; status: number }[] };
    const list = drifted.entries.find((entry) => entry.method === 'GET' && entry.status === 200 && entry.body.includes('"shipments"'))!;
    const body = JSON.parse(list.body) as { shipments: { shipment_status: unknown }[] };
    body.shipments[0]!.shipment_status = 42;
    list.body = JSON.stringify(body);
    const check = cassetteCheck(drifted as unknown as Cassette, file, loadShipEngineSpec);
    expect(check).toEqual(expect.objectContaining({ status: 'warn', detail: expect.stringMatching(/; 2 difference\(s\) from ShipEngine's description: /) }));
    expect(check.detail.match(/shipments\/0\/shipment_status must be (string|equal to one of the allowed values)/g)).toHaveLength(2);
  }, 60_000);

  it('npm run record: a window of the CRM\'s traffic driven through its adapter, bounded by --calls, with no secret in it', async () => {
    const cassette = await recordSystem({
      config: config(),
      db,
      logger: pino({ level: 'silent' }),
      map: loadIntegrationMap().map,
      system: 'crm',
      calls: 6,
      seconds: 60,
      connections: { crm: estate.connections['crm']! },
    });
    expect(cassette.entries).toHaveLength(6);
    // The OAuth token exchange is in the window, its tokens redacted; the reads after it answered.
    const token = cassette.entries.find((entry) => entry.path === '/oauth/v1/token')!;
    expect(JSON.parse(token.body)).toEqual(expect.objectContaining({ access_token: '[REDACTED]' }));
    expect(token.requestBody).not.toMatch(/refresh_token=(?!\[REDACTED\])/);
    expect(cassette.entries.filter((entry) => entry.status === 200 && entry.path.startsWith('/crm/v3/objects/contacts')).length).toBeGreaterThan(0);
    // The secret scan: none of the sandboxes' credentials, nor the access token the sandbox issued, anywhere in the file.
    const file = path.join(dataDir, 'crm.json');
    await writeCassette(file, cassette);
    const text = JSON.stringify(await readCassette(file));
    expect(secretsIn([text], sandboxSecrets())).toEqual([]);
    expect(text).not.toMatch(/authorization|api-key/i);
    // Without the redaction the scan would have found them: the token exchange sent the refresh token and client secret.
    expect(secretsIn([decodeURIComponent(token.requestBody ?? '').replace(/\[REDACTED\]/g, '')], sandboxSecrets())).toEqual([]);
  }, 60_000);

  it('sees the payment gateway\'s calls, made by its vendor\'s SDK, through the traffic kit: recorded by operation, redacted', async () => {
    const cassette = await recordSystem({
      config: config(),
      db,
      logger: pino({ level: 'silent' }),
      map: loadIntegrationMap().map,
      system: 'payments',
      calls: 3,
      connections: { payments: estate.connections['payments']! },
    });
    expect(cassette.entries).toHaveLength(3);
    for (const entry of cassette.entries) {
      expect(entry).toEqual(expect.objectContaining({ operation: 'findByOrderIds', method: 'GET', path: '/v1/payment_intents/search', status: 200 }));
      expect(entry.query['query']).toMatch(/metadata\['order_id'\]/);
    }
    const text = JSON.stringify(cassette);
    expect(text).toMatch(/"object\\":\\"search_result\\"/);
    expect(secretsIn([text], sandboxSecrets())).toEqual([]);
    expect(text).not.toMatch(/_secret_(?!\[)[A-Za-z0-9]/);
    expect(text).toContain(String.raw`\"client_secret\":\"[REDACTED]\"`);
  }, 60_000);

  it('replays a JSON-RPC system (the ERP: every call a POST to one path) told apart by its redacted request bodies', async () => {
    const record = (connection: object) =>
      recordSystem({ config: config(), db, logger: pino({ level: 'silent' }), map: loadIntegrationMap().map, system: 'erp', calls: 12, connections: { erp: connection as never } });
    const recorded = await record(estate.connections['erp']!);
    expect(recorded.entries).toHaveLength(12);
    expect(new Set(recorded.entries.map((entry) => `${entry.method} ${entry.path}`))).toEqual(new Set(['POST /jsonrpc']));
    // The API key travels as a positional argument of every call: the ERP's own redaction rule replaced it.
    expect(recorded.entries.every((entry) => entry.requestBody?.includes('[REDACTED]'))).toBe(true);
    expect(secretsIn([JSON.stringify(recorded)], sandboxSecrets())).toEqual([]);

    // Driven the same way against the replay, the adapter gets every answer it got from the sandbox, each found by the
    // call it answers, not by its place (the cassette is replayed in reverse order here).
    const replay = await startReplayServer({ ...recorded, entries: [...recorded.entries].reverse() }, { rules: REDACTION_RULES });
    try {
      const replayed = await record({ ...estate.connections['erp']!, baseUrl: replay.url });
      expect(replay.unmatched()).toEqual([]);
      expect(replayed.entries.map((entry) => entry.body)).toEqual(recorded.entries.map((entry) => entry.body));
    } finally {
      await replay.close();
    }
  }, 60_000);

  it('npm run record -- --system courier-b --calls 5: writes the cassette where npm run doctor looks, says so, exits 0', async () => {
    const run = (args: string[]) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/cli/record.ts', ...args], {
        cwd: path.join(__dirname, '..', '..'),
        env: {
          PATH: process.env.PATH ?? '',
          APOLLO_TELEMETRY_DISABLED: 'true',
          PLUGBOARD_DATA_DIR: dataDir,
          PLUGBOARD_LOG_LEVEL: 'silent',
          ...environmentOf({ 'courier-b': estate.connections['courier-b']! }, path.join(dataDir, 'pki')),
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    };
    const recorded = await run(['--system', 'courier-b', '--calls', '5']);
    expect(recorded).toEqual({ code: 0, stdout: expect.stringMatching(/^courier-b: 5 answers recorded \(5 × 200\)\ncassette: (\S+)\n$/), stderr: '' });
    const file = /cassette: (\S+)/.exec(recorded.stdout)![1]!;
    expect(path.dirname(file)).toBe(path.join(dataDir, 'cassettes', 'courier-b'));
    expect((await readCassette(file)).entries).toHaveLength(5);
    expect(await readdir(path.dirname(file))).toContain(path.basename(file));
    // What cannot be recorded is refused, named (the CLI says it with its usage, and exits 2).
    const refused = recordSystem({ config: config(), db, logger: pino({ level: 'silent' }), map: loadIntegrationMap().map, system: 'store' });
    await expect(refused).rejects.toThrow(new RecordError('store is the site\'s own database: it has no traffic to record'));
  }, 60_000);

  it('npm run record over an empty site store: refuses to write an empty cassette, says why, exits 2', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'plugboard-record-empty-'));
    try {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/cli/record.ts', '--system', 'courier-b', '--calls', '5'], {
        cwd: path.join(__dirname, '..', '..'),
        env: {
          PATH: process.env.PATH ?? '',
          APOLLO_TELEMETRY_DISABLED: 'true',
          PLUGBOARD_DATA_DIR: empty,
          PLUGBOARD_LOG_LEVEL: 'silent',
          ...environmentOf({ 'courier-b': estate.connections['courier-b']! }, path.join(dataDir, 'pki')),
        },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ code, stderr }).toEqual({ code: 2, stderr: expect.stringContaining("courier-b: nothing was recorded: the site's store") });
      await expect(readdir(path.join(empty, 'cassettes'))).rejects.toThrow();
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  }, 60_000);
});
