import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadIntegrationMap, SCHEMA_DIR } from '../../src/integration-map';
import { buildMonthlyHealthReport, parseMonth, renderHealthReportMarkdown } from '../../src/report';
import { eventually } from '../support/scratch-database';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../support/stack';

/**
 * Issue 20's check for item 1, as it is written, on the running product: courier B's sandbox changes its answers
 * (through the sandbox kit's `POST /_sandbox/answer-change`, after its own guard against the vendor's description) —
 * a renamed field, a new enum value, a string where a number was. Each change is one contract_drift row and one
 * alert, shows on courier B's dashboard tile and in the month's report, and the orders page keeps serving what it
 * can. The integration map here checks every answer of courier B (`contractCheck: { everySeconds: 0 }`) so that no
 * test waits out the sampling minute.
 */
describe('a sandbox that changes its answers: contract drift on the running product', () => {
  let schemaDir: string;
  let stack: TestStack;
  let after: string | null = null;

  beforeAll(async () => {
    schemaDir = mkdtempSync(path.join(tmpdir(), 'plugboard-drift-schema-'));
    for (const file of ['supergraph.graphql', 'source-of-truth.yaml']) copyFileSync(path.join(SCHEMA_DIR, file), path.join(schemaDir, file));
    const map = readFileSync(path.join(SCHEMA_DIR, 'integration-map.yaml'), 'utf8');
    expect(map).toContain('\n  courier-b:\n');
    writeFileSync(path.join(schemaDir, 'integration-map.yaml'), map.replace('\n  courier-b:\n', '\n  courier-b:\n    contractCheck: { everySeconds: 0 }\n'));
    stack = await startTestStack({ PLUGBOARD_SCHEMA_DIR: schemaDir }, { schemaDir });
  }, 90_000);

  afterAll(async () => {
    await stack?.close();
    rmSync(schemaDir, { recursive: true, force: true });
  });

  const admin = async <T>(route: string): Promise<T> =>
    (await (await fetch(`${stack.gateway.origin}/admin/api/${route}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).json()) as T;
  const driftRows = () =>
    stack.db.orm.em.getConnection().execute<{ field: string; change: string; source: string }[]>("select field, change, source from contract_drift where system = 'courier-b' order by first_seen_at");
  const driftAlerts = async () => (await admin<{ alerts: { kind: string; message: string }[] }>('alerts')).alerts.filter((alert) => alert.kind === 'contract-drift');
  const changeAnswers = async (change: object) => {
    const url = stack.parts.find((part) => part.part === 'sandbox' && part.name === 'courier-b')!.url;
    const response = await fetch(`${url}/_sandbox/answer-change`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(change) });
    expect(response.status).toBe(200);
  };
  /** The next page of orders with their shipments (a page not read before: no cache answers it). */
  const ordersPage = async () => {
    const body = await stack.query<{ orders: { nodes: { id: string; status: string; shipments: { carrier: string; status: string }[] | null }[]; pageInfo: { endCursor: string } } }>(
      'query($after: String) { orders(first: 40, after: $after) { nodes { id status shipments { carrier status } } pageInfo { endCursor } } }',
      { after },
    );
    after = body.data?.orders.pageInfo.endCursor ?? after;
    return body;
  };

  it('each change: one row, one alert, the tile and the report line; the page keeps serving what it can', async () => {
    // The shape courier B's answers have, as the product first sees them.
    const usual = await ordersPage();
    expect(usual.errors).toBeUndefined();
    expect(usual.data!.orders.nodes.some((order) => order.shipments?.some((shipment) => shipment.carrier === 'courier-b'))).toBe(true);
    await eventually('the usual answers checked', driftRows, (rows) => rows.length === 0);

    const changes = [
      { change: { rename: { from: 'shipment_number', to: 'order_number' } }, row: { field: 'shipments[].order_number', change: 'renamed from shipments[].shipment_number' } },
      { change: { set: { field: 'shipment_status', value: 'held_at_customs' } }, row: { field: 'shipments[].shipment_status', change: expect.stringMatching(/^enum value "held_at_customs" \(the description allows/) } },
      { change: { set: { field: 'total', value: '12' } }, row: { field: 'total', change: 'type: the description says integer' } },
    ];
    const report: string[] = [];
    for (const [index, { change, row }] of changes.entries()) {
      await changeAnswers(change);
      const page = await ordersPage();
      // The page is served: every order of it, with what the systems that did not change gave.
      expect(page.data?.orders.nodes).toHaveLength(40);
      expect(page.data!.orders.nodes.every((order) => typeof order.status === 'string')).toBe(true);
      const rows = await eventually(`the drift row of change ${index + 1}`, driftRows, (found) => found.length > index);
      report.push(`${JSON.stringify(change)} -> ${JSON.stringify(rows.slice(index))}; page errors: ${[...new Set((page.errors ?? []).map((error) => `${error.extensions?.['code']} (${error.extensions?.['system']})`))].join(', ') || 'none'} x ${(page.errors ?? []).length}`);
      // What the change broke is named, system by system; nothing else is lost.
      for (const error of page.errors ?? []) expect(error.extensions?.['system']).toBe('courier-b');
      await ordersPage();
      await new Promise((resolve) => setImmediate(resolve));
      expect({ change, rows: (await driftRows()).slice(index) }).toEqual({ change, rows: [expect.objectContaining(row)] });
      expect(await eventually(`the alert of change ${index + 1}`, driftAlerts, (alerts) => alerts.length > index)).toHaveLength(index + 1);
    }
    process.stdout.write(`contract drift from the sandbox:\n${report.join('\n')}\n`);

    const dashboard = await admin<{ systems: { name: string; maintenance: { contractDrift: { total: number; latest: { field: string }[] } } }[] }>('dashboard');
    const tile = dashboard.systems.find((system) => system.name === 'courier-b')!;
    expect(tile.maintenance.contractDrift.total).toBe(3);
    const now = new Date();
    const month = parseMonth(now.toISOString().slice(0, 7));
    const markdown = renderHealthReportMarkdown(await buildMonthlyHealthReport(stack.db, loadIntegrationMap(schemaDir), month, now));
    expect(markdown).toContain('3 changes to vendors\' answers first seen this month (contract drift).');
    expect(markdown).toMatch(/\| courier-b \| \w+ \| shipments\[\]\.shipment_status \| enum value "held_at_customs"/);
  }, 120_000);
});
