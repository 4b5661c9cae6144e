import DataLoader from 'dataloader';
import type { ConflictLog, ConflictDecision } from '../../src/audit/conflicts';
import type { DriftLog, DriftObservation } from '../../src/audit/drift';
import type { Customer, ErpOrder, Order } from '../../src/domain';
import { createTruth } from '../../src/truth/truth';
import { createFakeCustomerDirectory } from '../fakes/customer-directory';
import { createFakeErp } from '../fakes/erp';
import { createFakeSiteStore } from '../fakes/site-store';
import { aCustomer, aMatrix, anOrder } from '../support/builders';

/** Lets the background checks truth starts (follower reads, drift and conflict records) run to their end. */
const settled = async (): Promise<void> => {
  for (let turn = 0; turn < 5; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** Source-of-truth resolution (src/truth/truth.ts) on fakes: the owner's value is served, disagreement recorded. */
describe('truth on fakes', () => {
  const ada = aCustomer().withEmail('ada@example.com').withName('Ada Jansen').build();
  const order = anOrder().for(ada).withStatus('CONFIRMED').updatedAt('2026-11-10T10:00:00Z').build();

  const setUp = (options: { matrix?: ReturnType<typeof aMatrix>; crmCopy?: Partial<Customer>; erpOrder?: Partial<ErpOrder> } = {}) => {
    const store = createFakeSiteStore({ customers: [ada], orders: [order] });
    const crm = createFakeCustomerDirectory({ customers: [{ ...ada, ...options.crmCopy }] });
    const erp = createFakeErp({ customers: [ada], orders: [order] });
    if (options.erpOrder) erp.orders.set(order.id, { ...erp.orders.get(order.id)!, ...options.erpOrder });
    const drift: DriftObservation[] = [];
    const conflicts: ConflictDecision[] = [];
    const applied: { order: Order; winner: ErpOrder }[] = [];
    const errors: unknown[] = [];
    const truth = createTruth({
      matrix: (options.matrix ?? aMatrix()).build(),
      directory: crm.directory,
      erp: erp.erp,
      drift: { observe: async (observation: DriftObservation) => void drift.push(observation) } as unknown as DriftLog,
      conflicts: { record: async (decision: ConflictDecision) => (conflicts.push(decision), true) } as unknown as ConflictLog,
      applyOrderStatus: async (stale, winner) => void applied.push({ order: stale, winner }),
      onError: (error) => void errors.push(error),
    });
    const customers = new DataLoader<string, Customer | null>(async (ids) => {
      const found = await store.store.findCustomersByIds(ids);
      return ids.map((id) => found.get(id) ?? null);
    });
    return { request: truth.forRequest({ customers }), crm, erp, drift, conflicts, applied, errors };
  };

  describe('customer profile', () => {
    it('serves the owner\'s value (the store by default), and records a follower that disagrees as drift', async () => {
      const { request, drift } = setUp({ crmCopy: { email: 'ADA.OLD@example.com' } });

      expect(await request.customerField(ada, 'email')).toBe('ada@example.com');
      await settled();

      expect(drift).toEqual([
        expect.objectContaining({ entity: 'Customer', entityId: ada.id, field: 'email', ownerSystem: 'store', ownerValue: 'ada@example.com', followerSystem: 'crm', followerValue: 'ADA.OLD@example.com' }),
      ]);
    });

    it('records no drift where followers agree (e-mail compared without case) and checks each follower once', async () => {
      const { request, drift, crm } = setUp({ crmCopy: { email: 'Ada@Example.com' } });
      await request.customerField(ada, 'email');
      await request.customerField(ada, 'email');
      await request.customerField(ada, 'name');
      await settled();
      expect(drift).toEqual([]);
      expect(crm.faults.count('batchRead')).toBe(1);
    });

    it('serves the CRM\'s value when the matrix gives it the profile, and records the site\'s copy as drift', async () => {
      const { request, drift } = setUp({ matrix: aMatrix().withProfileOwnedBy('crm', ['store']), crmCopy: { name: 'Ada from the CRM' } });

      expect(await request.customerField(ada, 'name')).toBe('Ada from the CRM');
      await settled();
      expect(drift).toEqual([expect.objectContaining({ ownerSystem: 'crm', followerSystem: 'store', followerValue: 'Ada Jansen' })]);
    });

    it('never fails a read because a follower is away', async () => {
      const { request, crm, drift, errors } = setUp({ crmCopy: { email: 'other@example.com' } });
      crm.faults.set({ mode: 'down' });
      expect(await request.customerField(ada, 'email')).toBe('ada@example.com');
      await settled();
      expect(drift).toEqual([]);
      expect(errors).toEqual([expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', system: 'crm' })]);
    });
  });

  describe('orders, bidirectional with the ERP (latest timestamp wins)', () => {
    it('serves the ERP\'s status when its copy is newer, applies it to the site, and records the conflict', async () => {
      const erpAt = new Date('2026-11-11T08:00:00Z');
      const { request, conflicts, applied } = setUp({ erpOrder: { status: 'SHIPPED', updatedAt: erpAt } });

      expect(await request.order(order)).toMatchObject({ id: order.id, status: 'SHIPPED', updatedAt: erpAt });
      await settled();
      expect(applied).toEqual([{ order, winner: expect.objectContaining({ status: 'SHIPPED' }) }]);
      expect(conflicts).toEqual([expect.objectContaining({ winnerSystem: 'erp', loserSystem: 'store', rule: 'latest-timestamp-wins' })]);
    });

    it('keeps the site\'s status when it is newer, records the conflict, and writes nothing', async () => {
      const { request, conflicts, applied } = setUp({ erpOrder: { status: 'CANCELLED', updatedAt: new Date('2026-11-09T08:00:00Z') } });

      expect(await request.order(order)).toEqual(order);
      await settled();
      expect(applied).toEqual([]);
      expect(conflicts).toEqual([expect.objectContaining({ winnerSystem: 'store', loserSystem: 'erp' })]);
    });

    it('keeps the site\'s version when the ERP cannot be read', async () => {
      const { request, erp, errors } = setUp({ erpOrder: { status: 'SHIPPED', updatedAt: new Date('2026-11-12T08:00:00Z') } });
      erp.faults.set({ mode: 'down' });
      expect(await request.order(order)).toEqual(order);
      expect(errors).toEqual([expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', system: 'erp' })]);
    });

    it('does not ask the ERP when the matrix makes the order status one-way', async () => {
      const { request, erp } = setUp({ matrix: aMatrix().withOrderStatusOneWay(), erpOrder: { status: 'SHIPPED', updatedAt: new Date('2026-11-12T08:00:00Z') } });
      expect(await request.order(order)).toEqual(order);
      expect(erp.faults.count()).toBe(0);
    });
  });
});
