import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadIntegrationMap } from '../../src/integration-map';
import { environmentOf } from '../../src/estate/connections';
import { startSandboxes, type RunningEstate } from '../../src/estate/start-sandboxes';
import { estateSystemNames } from '../../src/estate/systems';
import { seedSiteStore } from '../../src/db';
import { generateEstate } from '../../src/systems/kit/seed';
import { schemaWithout } from '../support/schema-without';
import { startTestStack, TEST_ADMIN_TOKEN, type TestStack } from '../support/stack';

/**
 * The estate is what the integration map declares. A real estate without accounting (a map and matrix without xero)
 * starts with PLUGBOARD_SANDBOXES=off and no XERO_* variable; `Order.invoice` then answers null with
 * SYSTEM_NOT_IN_ESTATE naming xero, and the rest of the order comes back. Regression: every system of the registry was
 * required, so such an estate could not start without XERO_* variables it never had.
 */
describe('a system of the registry that the estate does not have', () => {
  const seed = generateEstate();
  let schemaDir: string;
  let dataDir: string;
  let sandboxes: RunningEstate;
  let env: Record<string, string>;
  let stack: TestStack | undefined;

  beforeAll(async () => {
    schemaDir = schemaWithout('xero');
    dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-without-xero-'));
    // The estate's systems, standing in as real ones (the product reaches them by their *_URL variables).
    sandboxes = await startSandboxes({ estate: seed, dataDir, ports: 'ephemeral', only: estateSystemNames(loadIntegrationMap(schemaDir).map) });
    env = { ...environmentOf(sandboxes.connections, path.join(dataDir, 'pki')), PLUGBOARD_SCHEMA_DIR: schemaDir };
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await sandboxes?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(schemaDir, { recursive: true, force: true });
  });

  it('is neither started nor required: the start needs no XERO_* variable', async () => {
    expect(Object.keys(sandboxes.sandboxes)).not.toContain('xero');
    expect(Object.keys(env).filter((key) => key.startsWith('XERO_'))).toEqual([]);
    stack = await startTestStack(env, { schemaDir });
    await seedSiteStore(stack.db, seed);
    // Its subgraph still runs (the graph is the same whatever the estate): its fields answer for it.
    expect(stack.parts.filter((part) => part.part !== 'subgraph').map((part) => part.name)).not.toContain('xero');
    expect(stack.parts.filter((part) => part.part !== 'subgraph').map((part) => part.name)).toContain('legacy');
    const listing = await fetch(`${stack.gateway.origin}/admin/api/systems`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const names = JSON.stringify(await listing.json());
    expect(names).toContain('"erp"');
    expect(names).not.toContain('"xero"');
  }, 60_000);

  it('answers its fields null with SYSTEM_NOT_IN_ESTATE naming it, and the rest of the order', async () => {
    const body = await stack!.query<{ orders: { nodes: { number: string; status: string; invoice: unknown }[] } }>(
      '{ orders(first: 3) { nodes { number status invoice { number } } } }',
    );
    const nodes = body.data!.orders.nodes;
    expect(nodes).toHaveLength(3);
    for (const node of nodes) {
      expect(node.number).toMatch(/\S/);
      expect(node.invoice).toBeNull();
    }
    expect(body.errors?.length).toBeGreaterThan(0);
    for (const error of body.errors!) {
      expect(error.extensions).toMatchObject({ code: 'SYSTEM_NOT_IN_ESTATE', system: 'xero' });
      expect(error.path).toContain('invoice');
    }
  });

  it('is required when the map declares it: the same start without XERO_* variables is refused, naming them', async () => {
    await expect(startTestStack(env, { schemaDir: path.join(__dirname, '..', '..', 'schema') })).rejects.toThrow(/XERO_URL/);
  }, 60_000);
});
