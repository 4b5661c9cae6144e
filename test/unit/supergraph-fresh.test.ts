import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { schemaFiles } from '../../src/supergraph/sources';
import { SUBGRAPHS } from '../../subgraphs';

describe('committed schema', () => {
  it('matches what the subgraphs compose to now (run `npm run compose` after changing a subgraph)', async () => {
    const files = await schemaFiles();
    // One per subgraph the registry's systems declare (both couriers share one), the product's own, and the supergraph.
    expect(files.size).toBe(SUBGRAPHS.length + 1);
    expect(SUBGRAPHS.map((entry) => entry.name)).toEqual(expect.arrayContaining(['store', 'couriers', 'writes', 'xero']));
    expect(SUBGRAPHS.find((entry) => entry.name === 'couriers')?.systems).toEqual(['courier-a', 'courier-b']);
    for (const [file, expected] of files) {
      const committed = await readFile(file, 'utf8').catch(() => '(missing)');
      if (committed !== expected) {
        throw new Error(`${path.relative(process.cwd(), file)} is stale: run \`npm run compose\` and commit the result`);
      }
    }
  });

  it('composes every entity the frontends build on, with the owner of each field', async () => {
    const supergraph = (await schemaFiles()).get(path.join(__dirname, '..', '..', 'schema', 'supergraph.graphql')) ?? '';
    for (const entity of ['Customer', 'Order', 'InventoryItem', 'Payment', 'Shipment']) {
      expect(supergraph).toMatch(new RegExp(`type ${entity}\\b`));
    }
    expect(supergraph).toMatch(/segment: CustomerSegment @join__field\(graph: CRM\)/);
    expect(supergraph).toMatch(/payment: Payment @join__field\(graph: PAYMENTS\)/);
    // Nullable: a courier that cannot be asked costs the order its shipments, not the order (test/e2e/courier-down.test.ts).
    expect(supergraph).toMatch(/shipments: \[Shipment!\] @join__field\(graph: COURIERS\)/);
  });
});
