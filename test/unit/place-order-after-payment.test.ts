import { randomUUID } from 'node:crypto';
import { MutationAuditEntity, OrderEntity, OutboxJobEntity, seedSiteStore, type Database } from '../../src/db';
import { generateEstate } from '../../src/systems/kit/seed';
import type { StripeEvent } from '../../src/systems/payments/webhook-event';
import { settleOrderPayment, settlementOf } from '../../src/systems/payments/webhook-settlement';
import { openTestDatabase, testDatabases, type TestDatabase } from '../support/databases';

/**
 * What the payment gateway's webhook does for an order placed while its payment waited
 * (src/systems/payments/webhook-settlement.ts), on the database: the bookings placeOrder kept are queued once the
 * payment is authorised, the order is cancelled with its stock released when the payment is, each once however many
 * events come, and an order cancelled already is left alone.
 */
const estate = generateEstate({ customers: 4, orders: 6, skus: 8 });
const order = estate.orders.find((candidate) => candidate.status !== 'CANCELLED')!;

const eventOf = (status: string, id = `evt_${randomUUID().replace(/-/g, '')}`): StripeEvent => ({
  id,
  object: 'event',
  type: status === 'canceled' ? 'payment_intent.canceled' : 'payment_intent.amount_capturable_updated',
  created: 1_796_000_000,
  data: { object: { id: 'pi_test1', object: 'payment_intent', status, metadata: { order_id: order.id } } },
});

describe.each(testDatabases())('settling an order whose payment waited, on $label', (database: TestDatabase) => {
  let db: Database;
  let placeAuditId: string;
  const options = () => ({ db, system: 'payments', now: () => new Date('2026-12-07T00:00:00Z') });
  const jobs = () => db.orm.em.fork().find(OutboxJobEntity, {}, { orderBy: { idempotencyKey: 'asc' } });

  beforeEach(async () => {
    db = await openTestDatabase(database);
    await db.migrate();
    await seedSiteStore(db, estate);
    placeAuditId = randomUUID();
    const booking = (carrier: string) => ({ carrier, request: { orderId: order.id, recipient: { name: 'Ada', phone: null }, parcels: 1, idempotencyKey: `key:ship:${carrier}` } });
    await db.orm.em.fork().insert(MutationAuditEntity, {
      id: placeAuditId,
      actor: 'shop',
      operation: 'placeOrder',
      entity: 'Order',
      entityId: order.id,
      input: {},
      owner: 'store',
      before: null,
      after: { order: { lines: order.lines }, payment: null, shipments: [], shipmentsAwaitingPayment: [booking('courier-a'), booking('courier-b')] },
      result: 'APPLIED',
      errorCode: null,
      receipt: { followerJobs: [{ system: 'erp', operation: 'upsertOrder' }] },
      idempotencyKey: 'key',
      fingerprint: null,
      createdAt: new Date('2026-12-06T23:00:00Z'),
    });
  });
  afterEach(async () => {
    await db?.close();
  });

  it('reads the settlement from the intent: authorised or captured is paid, canceled cancels, the rest nothing', () => {
    expect(['requires_capture', 'succeeded', 'canceled', 'requires_action', 'processing'].map((status) => settlementOf(eventOf(status)))).toEqual([
      'paid',
      'paid',
      'canceled',
      null,
      null,
    ]);
  });

  it('queues each kept booking once when the payment is authorised, however many events say so', async () => {
    const first = await settleOrderPayment(options(), order.id, 'paid', eventOf('requires_capture'));
    const again = await settleOrderPayment(options(), order.id, 'paid', eventOf('succeeded'));

    expect(first).toMatchObject({ operation: 'bookShipmentsAfterPayment', jobs: [{ system: 'courier-a', operation: 'bookShipment' }, { system: 'courier-b', operation: 'bookShipment' }] });
    expect(again).toBeNull();
    const queued = await jobs();
    expect(queued.map((job) => [job.system, job.operation, job.state, job.auditId])).toEqual([
      ['courier-a', 'bookShipment', 'pending', first!.auditId],
      ['courier-b', 'bookShipment', 'pending', first!.auditId],
    ]);
    expect(queued[0]!.payload).toEqual({ request: expect.objectContaining({ orderId: order.id, idempotencyKey: 'key:ship:courier-a' }) });
    const audit = await db.orm.em.fork().findOneOrFail(MutationAuditEntity, { id: first!.auditId });
    expect(audit).toMatchObject({ actor: 'webhook:payments', result: 'QUEUED', entityId: order.id, owner: 'courier-a, courier-b' });
  });

  it('cancels the order when the payment is cancelled: stock released per line, followers told, once', async () => {
    const settled = await settleOrderPayment(options(), order.id, 'canceled', eventOf('canceled'));
    const again = await settleOrderPayment(options(), order.id, 'canceled', eventOf('canceled'));

    expect(again).toBeNull();
    expect(settled?.operation).toBe('cancelOrderAfterPayment');
    const queued = await jobs();
    expect(queued.filter((job) => job.operation === 'releaseStock').map((job) => job.payload)).toEqual(
      expect.arrayContaining(order.lines.map((line) => ({ orderId: order.id, sku: line.sku, quantity: line.quantity }))),
    );
    expect(queued.map((job) => `${job.system}:${job.operation}`)).toContain('erp:upsertOrder');
    expect(queued.map((job) => job.operation)).not.toContain('bookShipment');
    expect((await db.orm.em.fork().findOneOrFail(OrderEntity, { id: order.id })).status).toBe('CANCELLED');
  });

  it('leaves alone an order cancelled already (cancelOrder released its stock), and an order no placeOrder kept bookings for', async () => {
    await db.orm.em.fork().nativeUpdate(OrderEntity, { id: order.id }, { status: 'CANCELLED' });
    expect(await settleOrderPayment(options(), order.id, 'canceled', eventOf('canceled'))).toBeNull();
    expect(await settleOrderPayment(options(), order.id, 'paid', eventOf('succeeded'))).toBeNull();
    expect(await settleOrderPayment(options(), 'ord-never-placed', 'paid', eventOf('succeeded'))).toBeNull();
    expect(await jobs()).toEqual([]);
  });
});
