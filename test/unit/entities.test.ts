import { graphql, type ExecutionResult } from 'graphql';
import { IntegrationError, money, type Erp, type InventoryItem } from '../../src/domain';
import { createErpSubgraph } from '../../subgraphs/erp';

/**
 * subgraphs/kit/entities.ts: the records of the gateway's entities are loaded together (loadingReference and
 * entitiesAtOnce), and their fields read them without waiting. What the gateway receives must be what it received
 * when every field loaded its record: the same answers, one read per request level, and a failure at each field.
 */
describe('entities loaded as the gateway names them', () => {
  const item = (sku: string, onHand: number): InventoryItem => ({
    sku,
    name: `Item ${sku}`,
    onHand,
    available: onHand - 1,
    price: money(1_250, 'EUR'),
    updatedAt: new Date('2026-12-07T10:00:00Z'),
  });
  const ENTITIES = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on InventoryItem { sku name onHand price { amount } } } }`;

  const erpAnswering = (read: Erp['findItemsBySkus']): { erp: Erp; reads: string[][] } => {
    const reads: string[][] = [];
    const erp = {
      findItemsBySkus: (skus: readonly string[]) => {
        reads.push([...skus]);
        return read(skus);
      },
    } as unknown as Erp;
    return { erp, reads };
  };

  const ask = async (erp: Erp, source: string, variableValues: Record<string, unknown>): Promise<ExecutionResult> => {
    const subgraph = await createErpSubgraph({ erp });
    return graphql({ schema: subgraph.schema, source, variableValues, contextValue: subgraph.createContext({ headers: {} }) });
  };

  it('answers every entity from one read, in the order asked; a SKU the ERP does not know has null fields', async () => {
    const { erp, reads } = erpAnswering(async (skus) => new Map([item('A-1', 5), item('B-2', 0)].filter((found) => skus.includes(found.sku)).map((found) => [found.sku, found])));
    const result = await ask(erp, ENTITIES, { representations: ['B-2', 'NONE', 'A-1'].map((sku) => ({ __typename: 'InventoryItem', sku })) });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      _entities: [
        { sku: 'B-2', name: 'Item B-2', onHand: 0, price: { amount: '12.50' } },
        { sku: 'NONE', name: null, onHand: null, price: null },
        { sku: 'A-1', name: 'Item A-1', onHand: 5, price: { amount: '12.50' } },
      ],
    });
    expect(reads).toEqual([['B-2', 'NONE', 'A-1']]);
  });

  it('a failed read fails each field that needs it, at its own path, and keeps the entity', async () => {
    const down = new IntegrationError('UPSTREAM_UNAVAILABLE', 'erp findItemsBySkus: down', { system: 'erp', operation: 'findItemsBySkus' });
    const { erp } = erpAnswering(async () => {
      throw down;
    });
    const result = await ask(erp, ENTITIES, { representations: [{ __typename: 'InventoryItem', sku: 'A-1' }] });
    expect(result.data).toEqual({ _entities: [{ sku: 'A-1', name: null, onHand: null, price: null }] });
    expect(result.errors?.map((error) => [error.path?.join('.'), error.originalError])).toEqual([
      ['_entities.0.name', down],
      ['_entities.0.onHand', down],
      ['_entities.0.price', down],
    ]);
  });

  it('serves what the cache still held when a read fails, and fails only the keys the system owed', async () => {
    const down = new IntegrationError('UPSTREAM_UNAVAILABLE', 'erp findItemsBySkus: down', { system: 'erp', operation: 'findItemsBySkus' }).withCachedPart(new Map([['A-1', item('A-1', 3)]]));
    const { erp } = erpAnswering(async () => {
      throw down;
    });
    const result = await ask(erp, ENTITIES, { representations: ['A-1', 'B-2'].map((sku) => ({ __typename: 'InventoryItem', sku })) });
    expect(result.data).toEqual({
      _entities: [
        { sku: 'A-1', name: 'Item A-1', onHand: 3, price: { amount: '12.50' } },
        { sku: 'B-2', name: null, onHand: null, price: null },
      ],
    });
    expect(result.errors?.map((error) => error.path?.join('.'))).toEqual(['_entities.1.name', '_entities.1.onHand', '_entities.1.price']);
  });

  it('an item a query finds (not an entity of the gateway) loads its record at its fields', async () => {
    const { erp, reads } = erpAnswering(async (skus) => new Map(skus.map((sku) => [sku, item(sku, 7)])));
    const result = await ask(erp, '{ inventoryItem(sku: "C-3") { sku name available } }', {});
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ inventoryItem: { sku: 'C-3', name: 'Item C-3', available: 6 } });
    expect(reads).toEqual([['C-3']]);
  });

  it('hands a representation no loadingReference resolves to @apollo/subgraph, which refuses an unknown type', async () => {
    const { erp, reads } = erpAnswering(async () => new Map());
    const result = await ask(erp, ENTITIES, { representations: [{ __typename: 'Nothing', sku: 'x' }] });
    expect(result.errors?.map((error) => error.message)).toEqual([expect.stringMatching(/no object or interface type of that name was found/)]);
    expect(reads).toEqual([]);
  });
});
