import { collectLineage, lineageAsked, lineageOf } from '../../src/gateway/lineage';
import { LineageReport } from '../../subgraphs/kit/lineage';

/**
 * Lineage (docs/autopilot.md, "Lineage"): how a subgraph turns the reads it was served and the matrix's choices into
 * per-value lineage, and how the gateway places each subgraph's lineage onto the client's answer.
 */

const NOW = new Date('2026-12-07T10:00:00.000Z');
const EARLIER = new Date('2026-12-07T09:59:30.000Z');

describe('a subgraph\'s lineage', () => {
  it('names, per value, the system, when it gave it and how old it was; the matrix\'s choice with the system that lost', () => {
    const report = new LineageReport();
    report.saw({ system: 'store', operation: 'findOrdersByIds', key: 'ord-1', fetchedAt: NOW, fromCache: false, stale: false });
    report.saw({ system: 'erp', operation: 'findOrdersByOrderIds', key: 'ord-1', fetchedAt: EARLIER, fromCache: true, stale: false });
    report.chose({ entity: 'Order', entityId: 'ord-1', field: 'status', system: 'erp', rule: 'latest-timestamp-wins', losers: [{ system: 'store', value: 'CONFIRMED' }] });
    const entries = report.entries({ data: { order: { id: 'ord-1', status: 'SHIPPED', updatedAt: 'x', lines: [{ sku: 'SKU-1', quantity: 2 }] } }, home: 'store', now: NOW });
    const at = (path: string) => entries.find((entry) => entry.path.join('.') === path);
    expect(at('order.id')).toMatchObject({ system: 'store', fetchedAt: NOW.toISOString(), cacheAgeMs: 0, stale: false });
    expect(at('order.id')?.overrode).toBeUndefined();
    expect(at('order.status')).toMatchObject({ system: 'erp', fetchedAt: EARLIER.toISOString(), cacheAgeMs: 30_000, fromCache: true, overrode: [{ system: 'store', value: 'CONFIRMED' }] });
    // The matrix settles an order's status and updatedAt together.
    expect(at('order.updatedAt')).toMatchObject({ system: 'erp', rule: 'latest-timestamp-wins' });
    // A line is the store's, read with its order.
    expect(at('order.lines.0.quantity')).toMatchObject({ system: 'store', operation: 'findOrdersByIds' });
  });

  it('an entity fetch\'s values are read by their representation\'s key; a stale copy says as of when; a courier\'s object names its carrier', () => {
    const report = new LineageReport();
    report.saw({ system: 'crm', operation: 'findByCustomerIds', key: 'cus-2', fetchedAt: EARLIER, fromCache: true, stale: true });
    const segments = report.entries({
      data: { _entities: [{ segment: 'VIP' }] },
      home: 'crm',
      representations: [{ __typename: 'Customer', id: 'cus-2' }],
      now: NOW,
    });
    expect(segments).toEqual([
      { path: ['_entities', 0, 'segment'], system: 'crm', operation: 'findByCustomerIds', fetchedAt: EARLIER.toISOString(), cacheAgeMs: 30_000, fromCache: true, stale: true, asOf: EARLIER.toISOString() },
    ]);

    const couriers = new LineageReport();
    couriers.saw({ system: 'courier-a', operation: 'findByOrderIds', key: 'ord-1', fetchedAt: NOW, fromCache: false, stale: false });
    couriers.saw({ system: 'courier-b', operation: 'findByOrderIds', key: 'ord-1', fetchedAt: NOW, fromCache: false, stale: false });
    const shipments = couriers.entries({
      data: { _entities: [{ shipments: [{ carrier: 'courier-b', status: 'IN_TRANSIT' }] }, { shipments: [] }] },
      home: undefined,
      representations: [{ __typename: 'Order', id: 'ord-1' }, { __typename: 'Order', id: 'ord-2' }],
      now: NOW,
    });
    expect(shipments.find((entry) => entry.path.join('.') === '_entities.0.shipments.0.status')).toMatchObject({ system: 'courier-b' });
    // An empty list came from every courier together.
    expect(shipments.find((entry) => entry.path.join('.') === '_entities.1.shipments')).toMatchObject({ system: 'courier-a', systems: ['courier-a', 'courier-b'] });
  });
});

describe('the gateway\'s lineage', () => {
  const entry = (path: (string | number)[], system: string) => ({ path, system, fetchedAt: NOW.toISOString(), cacheAgeMs: 0, fromCache: false, stale: false });

  it('places root and entity fetches on the client\'s paths, folded representations spread back, in the answer\'s order', () => {
    const context = {};
    collectLineage({ lineage: [entry(['customers', 'nodes', 0, 'id'], 'store'), entry(['customers', 'nodes', 1, 'id'], 'store'), entry(['customers', 'nodes', 2, 'id'], 'store')] }, context, [], undefined, undefined);
    // Customers 0 and 2 are one entity: the subgraph was asked for it once.
    const sent = { representations: [{ __typename: 'Customer', id: 'a' }, { __typename: 'Customer', id: 'b' }, { __typename: 'Customer', id: 'a' }] };
    const folded = { representations: [{ __typename: 'Customer', id: 'a' }, { __typename: 'Customer', id: 'b' }] };
    collectLineage({ lineage: [entry(['_entities', 0, 'segment'], 'crm'), { ...entry(['_entities', 1, 'segment'], 'crm'), stale: true }] }, context, ['customers', 'nodes', '@'], sent, folded);
    const data = { customers: { nodes: [{ id: 'a', segment: 'VIP' }, { id: 'b', segment: 'LEAD' }, { id: 'a', segment: 'VIP' }] } };
    expect(lineageOf(context, data).map(({ path, system, stale }) => [path, system, stale])).toEqual([
      ['customers.nodes.0.id', 'store', false],
      ['customers.nodes.0.segment', 'crm', false],
      ['customers.nodes.1.id', 'store', false],
      ['customers.nodes.1.segment', 'crm', true],
      ['customers.nodes.2.id', 'store', false],
      ['customers.nodes.2.segment', 'crm', false],
    ]);
  });

  it('leaves out an entity fetch whose objects no longer match the answer (a null bubbled up), and values the client did not ask for', () => {
    const context = {};
    collectLineage({ lineage: [entry(['_entities', 0, 'segment'], 'crm'), entry(['_entities', 1, 'segment'], 'crm')] }, context, ['customers', 'nodes', '@'], { representations: [{ id: 'a' }, { id: 'b' }] }, undefined);
    collectLineage({ lineage: [entry(['customers', 'nodes', 0, '__typename'], 'store')] }, context, [], undefined, undefined);
    expect(lineageOf(context, { customers: { nodes: [{ segment: 'VIP' }, null] } })).toEqual([]);
  });

  it('is asked for by the header, on', () => {
    expect(lineageAsked({ 'x-plugboard-lineage': 'on' })).toBe(true);
    expect(lineageAsked({ 'x-plugboard-lineage': 'off' })).toBe(false);
    expect(lineageAsked({})).toBe(false);
  });
});
