import { aCustomer, anItem, anOrder, aMatrix } from '../support/builders';
import { anActor, createWriteWorld, type WriteWorld } from '../fakes/write-world';

/**
 * The write service (src/writes/write-service.ts) on fakes: each mutation goes to the owner the matrix names, and its
 * audit row and follower jobs commit together; an owner that is away gets the write queued, not lost.
 */
describe('the write service on fakes', () => {
  const ada = aCustomer().withEmail('ada@example.com').withName('Ada Jansen').build();
  const bram = aCustomer().withEmail('bram@example.com').build();
  const lamp = anItem('SKU-LAMP').withStock(10, 2).build();
  const shipped = anOrder().for(ada).withLine(lamp.sku, 2).withStatus('SHIPPED').build();
  const confirmed = anOrder().for(ada).withLine(lamp.sku, 2).withLine('SKU-VASE', 1).withStatus('CONFIRMED').build();
  let world: WriteWorld;
  const jobsOf = (w: WriteWorld) => w.unit.jobs.map((job) => `${job.system}:${job.operation}`);

  beforeEach(() => {
    world = createWriteWorld({ customers: [ada, bram], items: [lamp], orders: [shipped, confirmed] });
  });

  describe('updateCustomer', () => {
    it('with the store as owner: saves the profile, and queues the CRM and the ERP (the followers), writing neither now', async () => {
      await world.clock.advance(60_000);
      const receipt = await world.writes.updateCustomer({ id: ada.id, email: 'ada.new@example.com' }, anActor(), 'customer-key-1');

      expect(receipt).toMatchObject({ status: 'APPLIED', owner: 'store', entityId: ada.id });
      expect(world.store.customers.get(ada.id)).toMatchObject({ email: 'ada.new@example.com', updatedAt: new Date('2026-12-01T12:01:00.000Z') });
      expect(jobsOf(world)).toEqual(['crm:upsertProfile', 'erp:upsertPartner']);
      expect(receipt.followerJobs.map((job) => job.system)).toEqual(['crm', 'erp']);
      expect(world.crm.faults.count('upsertProfile') + world.erp.faults.count('upsertPartner')).toBe(0);
      expect(world.unit.audits).toEqual([
        expect.objectContaining({ request: expect.objectContaining({ result: 'APPLIED', before: ada, after: expect.objectContaining({ email: 'ada.new@example.com' }) }) }),
      ]);

      await world.drain();
      expect(world.crm.profiles.get(ada.id)?.email).toBe('ada.new@example.com');
      expect(world.erp.partners.get(ada.id)?.email).toBe('ada.new@example.com');
    });

    it('with the CRM as owner: writes the CRM first, keeps the site a follower, and queues only the ERP', async () => {
      world = createWriteWorld({ customers: [ada], matrix: aMatrix().withProfileOwnedBy('crm', ['store', 'erp']).buildForWrites() });

      const receipt = await world.writes.updateCustomer({ id: ada.id, name: 'Ada de Vries' }, anActor(), 'customer-key-2');

      expect(receipt).toMatchObject({ status: 'APPLIED', owner: 'crm' });
      expect(world.crm.profiles.get(ada.id)?.name).toBe('Ada de Vries');
      expect(world.store.customers.get(ada.id)?.name).toBe('Ada de Vries');
      expect(jobsOf(world)).toEqual(['erp:upsertPartner']);
      expect(world.invalidated).toEqual([`crm:findByCustomerIds:${ada.id}`]);
    });

    it('with the CRM as owner and away: answers QUEUED, and the outbox writes the CRM later', async () => {
      world = createWriteWorld({ customers: [ada], matrix: aMatrix().withProfileOwnedBy('crm', ['store', 'erp']).buildForWrites() });
      world.crm.faults.set({ mode: 'down' });

      const receipt = await world.writes.updateCustomer({ id: ada.id, phone: null }, anActor(), 'customer-key-3');

      expect(receipt).toMatchObject({ status: 'QUEUED', owner: 'crm', error: { code: 'UPSTREAM_UNAVAILABLE', system: 'crm' } });
      expect(jobsOf(world)).toEqual(['crm:upsertProfile', 'erp:upsertPartner']);
      expect(world.crm.profiles.get(ada.id)?.phone).toBe(ada.phone);
      world.crm.faults.set({ mode: 'ok' });
      await world.drain();
      expect(world.crm.profiles.get(ada.id)?.phone).toBeNull();
    });

    it('refuses fields with different owners, an unknown customer and a taken e-mail, auditing each and writing nothing', async () => {
      world = createWriteWorld({ customers: [ada, bram], matrix: aMatrix().withOwner('Customer', 'phone', 'crm', ['store']).buildForWrites() });

      const mixed = await world.writes.updateCustomer({ id: ada.id, email: 'x@example.com', phone: null }, anActor(), 'customer-key-4');
      const nobody = await world.writes.updateCustomer({ id: 'cus-nobody', name: 'Nobody' }, anActor(), 'customer-key-5');
      const taken = await world.writes.updateCustomer({ id: ada.id, email: bram.email }, anActor(), 'customer-key-6');

      expect([mixed, nobody, taken].map((receipt) => [receipt.status, receipt.error?.code])).toEqual([
        ['REJECTED', 'CONFLICT'],
        ['REJECTED', 'NOT_FOUND'],
        ['REJECTED', 'CONFLICT'],
      ]);
      expect(world.unit.audits.map((row) => row.request.result)).toEqual(['REJECTED', 'REJECTED', 'REJECTED']);
      expect(world.store.customers.get(ada.id)).toEqual(ada);
      expect(world.unit.jobs).toEqual([]);
    });

    it('answers a retry with the first receipt, applying once', async () => {
      const first = await world.writes.updateCustomer({ id: ada.id, name: 'Once' }, anActor(), 'customer-key-7');
      const again = await world.writes.updateCustomer({ id: ada.id, name: 'Once' }, anActor(), 'customer-key-7');

      expect(again.auditId).toBe(first.auditId);
      expect(world.unit.audits).toHaveLength(1);
      expect(world.unit.jobs).toHaveLength(2);
    });

    it('in shadow mode, queues a copy for the legacy shop too', async () => {
      world = createWriteWorld({ customers: [ada], shadow: ['Customer'] });
      await world.writes.updateCustomer({ id: ada.id, name: 'Shadowed' }, anActor(), 'customer-key-8');
      expect(jobsOf(world)).toEqual(['crm:upsertProfile', 'erp:upsertPartner', 'legacy:saveCustomer']);
      await world.drain();
      expect(world.legacy.customers.get(ada.id)?.name).toBe('Shadowed');
    });
  });

  describe('adjustInventory', () => {
    it('changes stock at the ERP, its owner, and drops the cached item', async () => {
      const receipt = await world.writes.adjustInventory({ sku: lamp.sku, delta: 5, reason: 'delivery' }, anActor(), 'stock-key-1');

      expect(receipt).toMatchObject({ status: 'APPLIED', owner: 'erp' });
      expect(world.erp.stock.get(lamp.sku)?.item.onHand).toBe(15);
      expect(world.invalidated).toEqual([`erp:findItemsBySkus:${lamp.sku}`]);
    });

    it('queues the change when the ERP is away, and applies it once when it is back', async () => {
      world.erp.faults.set({ mode: 'ratelimit', retryAfterSeconds: 2 });
      const receipt = await world.writes.adjustInventory({ sku: lamp.sku, delta: -3, reason: 'breakage' }, anActor(), 'stock-key-2');

      expect(receipt).toMatchObject({ status: 'QUEUED', error: { code: 'UPSTREAM_RATE_LIMITED' } });
      expect(jobsOf(world)).toEqual(['erp:adjustStock']);
      world.erp.faults.set({ mode: 'ok' });
      await world.drain();
      await world.drain();
      expect(world.erp.stock.get(lamp.sku)?.item.onHand).toBe(7);
    });

    it('refuses when the matrix gives inventory to another system, and leaves the ERP alone', async () => {
      world = createWriteWorld({ items: [lamp], matrix: aMatrix().withOwner('InventoryItem', 'onHand', 'store', ['erp']).buildForWrites() });
      const receipt = await world.writes.adjustInventory({ sku: lamp.sku, delta: 1, reason: 'count' }, anActor(), 'stock-key-3');
      expect(receipt).toMatchObject({ status: 'REJECTED', owner: 'store', error: { code: 'CONFLICT' } });
      expect(world.erp.faults.count()).toBe(0);
    });
  });

  describe('order status', () => {
    it('moves an order along its lifecycle and queues the ERP, its follower', async () => {
      const receipt = await world.writes.updateOrderStatus({ id: shipped.id, status: 'DELIVERED' }, anActor(), 'status-key-1');

      expect(receipt).toMatchObject({ status: 'APPLIED', owner: 'store' });
      expect(world.store.orders.get(shipped.id)?.status).toBe('DELIVERED');
      expect(jobsOf(world)).toEqual(['erp:upsertOrder']);
      await world.drain();
      expect(world.erp.orders.get(shipped.id)?.status).toBe('DELIVERED');
    });

    it('refuses a move the lifecycle does not allow', async () => {
      const receipt = await world.writes.updateOrderStatus({ id: shipped.id, status: 'PENDING' }, anActor(), 'status-key-2');
      expect(receipt).toMatchObject({ status: 'REJECTED', error: { code: 'CONFLICT' } });
      expect(world.store.orders.get(shipped.id)?.status).toBe('SHIPPED');
      expect(world.unit.jobs).toEqual([]);
    });

    it('cancels an order: the ERP follows, releases each line, and the payment is voided, all through the outbox', async () => {
      const receipt = await world.writes.cancelOrder({ id: confirmed.id }, anActor(), 'status-key-3');

      expect(receipt.status).toBe('APPLIED');
      expect(jobsOf(world)).toEqual(['erp:upsertOrder', 'erp:releaseStock', 'erp:releaseStock', 'payments:voidForOrder']);
      expect(world.unit.jobs.filter((job) => job.operation === 'releaseStock').map((job) => job.payload)).toEqual([
        { orderId: confirmed.id, sku: lamp.sku, quantity: 2 },
        { orderId: confirmed.id, sku: 'SKU-VASE', quantity: 1 },
      ]);
    });
  });
});
