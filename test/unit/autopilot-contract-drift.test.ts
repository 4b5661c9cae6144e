import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createAlerts, type Alerts } from '../../src/alerts';
import { createAutopilot, type Autopilot } from '../../src/autopilot';
import { createDashboard } from '../../src/dashboard';
import { openDatabase, type Database } from '../../src/db';
import { loadIntegrationMap, type IntegrationMap } from '../../src/integration-map';
import { buildMonthlyHealthReport, parseMonth, renderHealthReportMarkdown } from '../../src/report';
import { createHttpClient, withTrafficObserver, type HttpClient } from '../../src/systems/kit/adapter';
import { compileSpec } from '../../src/systems/kit/spec';

/**
 * Issue 20, item 1: a vendor changes its answer (a renamed field, a new enum value, a string where a number was).
 * A stand-in vendor answers through the adapter kit's HTTP client, as every adapter's calls do; the autopilot samples
 * at most one answer per operation a minute (the map's contractCheck), holds it against the vendor's description and
 * the shape seen before, and each change is one contract_drift row, one alert, a line on the system's dashboard tile
 * and in the month's report. The answer itself is served as it came.
 */

/** A vendor's published description of the one operation the stand-in serves (OpenAPI 3.0). */
const DESCRIPTION = {
  openapi: '3.0.3',
  info: { title: 'Parcels', version: '1' },
  paths: {
    '/v1/parcels/{parcel_id}': {
      get: {
        operationId: 'get_parcel',
        parameters: [{ name: 'parcel_id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'the parcel',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['parcel_id', 'status', 'weight'],
                  properties: {
                    parcel_id: { type: 'string' },
                    status: { type: 'string', enum: ['label_created', 'in_transit', 'delivered'] },
                    weight: { type: 'number' },
                    carrier: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const START = Date.parse('2026-11-15T10:00:00Z');
const MINUTE = 60_000;

describe('contract drift from live traffic', () => {
  let dir: string;
  let db: Database;
  let server: Server;
  let client: HttpClient;
  let alerts: Alerts;
  let autopilot: Autopilot;
  let clock = START;
  let answer: Record<string, unknown> = {};

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plugboard-contract-drift-'));
    db = await openDatabase(undefined, { dataDir: dir });
    await db.migrate();
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const declared = loadIntegrationMap().map;
    const map: IntegrationMap = { ...declared, systems: { ...declared.systems, 'courier-b': { ...declared.systems['courier-b']!, contractCheck: { everySeconds: 60 } } } };
    alerts = createAlerts(db, { logger: pino({ level: 'silent' }), now: () => new Date(clock) });
    autopilot = createAutopilot({
      db,
      alerts,
      map,
      systems: [{ name: 'courier-b', description: () => compileSpec(DESCRIPTION, { vendor: 'Parcels' }) }],
      connections: {},
      now: () => clock,
    });
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = withTrafficObserver(autopilot, () => createHttpClient({ system: 'courier-b', baseUrl }));
  });

  afterAll(async () => {
    await client?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The vendor answers `body`; what the caller got, once the autopilot has looked at it. */
  const ask = async (body: Record<string, unknown>): Promise<unknown> => {
    answer = body;
    const response = await client.request({ operation: 'trackParcel', method: 'GET', path: '/v1/parcels/p1' });
    await autopilot.settled();
    return JSON.parse(response.text);
  };
  const driftRows = () =>
    db.orm.em.getConnection().execute<{ operation: string; field: string; change: string; source: string }[]>(
      'select operation, field, change, source from contract_drift order by first_seen_at, field',
    );
  const driftAlerts = () => alerts.list({ kind: 'contract-drift' });

  it('records each change once, alerts it, and serves the answer as it came', async () => {
    const usual = { parcel_id: 'p1', status: 'in_transit', weight: 1.5, carrier: 'ups' };
    expect(await ask(usual)).toEqual(usual);
    expect(await driftRows()).toEqual([]);

    // A renamed field within the minute is not looked at (one check per operation per minute)...
    const renamed = { parcel_id: 'p1', status: 'in_transit', weight: 1.5, carrier_code: 'ups' };
    clock += 30_000;
    expect(await ask(renamed)).toEqual(renamed);
    expect(await driftRows()).toEqual([]);
    // ...the next one after it is: the description allows both, the shape seen before does not.
    clock += MINUTE;
    await ask(renamed);
    expect(await driftRows()).toEqual([{ operation: 'trackParcel', field: 'carrier_code', change: 'renamed from carrier', source: 'last-seen' }]);

    clock += MINUTE;
    const newStatus = { ...renamed, status: 'held_at_customs' };
    expect(await ask(newStatus)).toEqual(newStatus);
    clock += MINUTE;
    const textWeight = { ...renamed, weight: '1.5' };
    expect(await ask(textWeight)).toEqual(textWeight);
    // Seen again: no second row, no second alert.
    clock += MINUTE;
    await ask(textWeight);

    expect(await driftRows()).toEqual([
      { operation: 'trackParcel', field: 'carrier_code', change: 'renamed from carrier', source: 'last-seen' },
      { operation: 'trackParcel', field: 'status', change: 'enum value "held_at_customs" (the description allows one of label_created, in_transit, delivered)', source: 'description' },
      { operation: 'trackParcel', field: 'weight', change: 'type: the description says number', source: 'description' },
    ]);
    // The one seen again was counted, and its last sighting moved.
    const [weight] = await db.orm.em.getConnection().execute<{ times_seen: number | string; last_seen_at: unknown }[]>(
      "select times_seen, last_seen_at from contract_drift where field = 'weight'",
    );
    expect(Number(weight!.times_seen)).toBe(2);
    expect(new Date(Number(weight!.last_seen_at)).getTime()).toBe(clock);
    const raised = await driftAlerts();
    expect(raised).toHaveLength(3);
    expect(raised.map((alert) => alert.message).sort()).toEqual([
      expect.stringMatching(/^courier-b trackParcel: the answer's field carrier_code renamed from carrier \(against the shape its answers had so far\)/),
      expect.stringMatching(/^courier-b trackParcel: the answer's field status enum value "held_at_customs" .*\(against the vendor's published description\)/),
      expect.stringMatching(/^courier-b trackParcel: the answer's field weight type: the description says number \(against the vendor's published description\)/),
    ]);
  });

  it('shows the changes on the system\'s dashboard tile and in the month\'s report', async () => {
    const dashboard = createDashboard({ db, systems: [{ name: 'courier-b', kind: 'courier' }], autopilot, now: () => new Date(clock) });
    const [tile] = (await dashboard.snapshot()).systems;
    expect(tile!.maintenance.contractDrift).toMatchObject({ total: 3, newToday: 3 });
    expect(tile!.maintenance.contractDrift.latest.map((row) => row.field).sort()).toEqual(['carrier_code', 'status', 'weight']);

    const report = await buildMonthlyHealthReport(db, loadIntegrationMap(), parseMonth('2026-11'), new Date(clock));
    const markdown = renderHealthReportMarkdown(report);
    expect(markdown).toContain('3 changes to vendors\' answers first seen this month (contract drift).');
    expect(markdown).toContain('| courier-b | trackParcel | carrier_code | renamed from carrier | the shape seen before | 2026-11-15T10:01:30.000Z |');
    expect(markdown).toContain('| courier-b | trackParcel | weight | type: the description says number | the vendor\'s description |');
  });
});
