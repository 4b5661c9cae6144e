import { money } from '../../src/domain';
import type { ClaimedJob } from '../../src/outbox/outbox';
import { createFollowerHandlers } from '../../src/writes/follower-handlers';
import { createFakeCourier } from '../fakes/courier';
import { createFakeCustomerDirectory } from '../fakes/customer-directory';
import { createFakeErp } from '../fakes/erp';
import { createFakeLegacyStore } from '../fakes/legacy-store';
import { createFakePaymentGateway } from '../fakes/payment-gateway';
import { createFakeSiteStore } from '../fakes/site-store';
import { aCustomer, anOrder } from '../support/builders';

/** How each queued write reaches its system (src/writes/follower-handlers.ts), on fakes of every system. */
describe('the follower handlers on fakes', () => {
  const ada = aCustomer().withEmail('ada@example.com').updatedAt('2026-11-01T10:00:00Z').build();
  const order = anOrder().for(ada).withLine('SKU-LAMP', 2).withStatus('SHIPPED').updatedAt('2026-11-02T10:00:00Z').build();

  const setUp = () => {
    const store = createFakeSiteStore({ customers: [ada], orders: [order] });
    const crm = createFakeCustomerDirectory({ customers: [ada] });
    const erp = createFakeErp({ customers: [ada] });
    const payments = createFakePaymentGateway();
    const courier = createFakeCourier({ carrier: 'courier-a' });
    const legacy = createFakeLegacyStore();
    const invalidated: string[] = [];
    const handlers = createFollowerHandlers({
      couriers: [courier.courier],
      store: store.store,
      directory: crm.directory,
      erp: erp.erp,
      payments: payments.gateway,
      legacy: legacy.legacy,
      invalidate: async (system, operation, keys) => void invalidated.push(...keys.map((key) => `${system}:${operation}:${key}`)),
    });
    const run = (name: string, payload: unknown, idempotencyKey = `audit-1:${name}`) => {
      const [system = '', operation = ''] = name.split(':');
      const job: ClaimedJob = { id: `job-${name}`, system, operation, payload, idempotencyKey, attempts: 1, maxAttempts: 8, lockedBy: 'test' };
      return handlers[name]!(job);
    };
    return { store, crm, erp, payments, courier, legacy, invalidated, run };
  };

  it('pushes the owner\'s state as it is when the job runs, not as it was queued, and drops the cached copy', async () => {
    const { store, crm, run, invalidated } = setUp();
    store.customers.set(ada.id, { ...ada, email: 'ada.later@example.com', updatedAt: new Date('2026-11-05T10:00:00Z') });

    await run('crm:upsertProfile', { customerId: ada.id });

    expect(crm.profiles.get(ada.id)?.email).toBe('ada.later@example.com');
    expect(invalidated).toEqual([`crm:findByCustomerIds:${ada.id}`]);
  });

  it('a retried job resends the same version under the same key; a newer owner version goes under a new key', async () => {
    const { store, erp, run } = setUp();
    await run('erp:upsertPartner', { customerId: ada.id });
    erp.partners.set(ada.id, { ...erp.partners.get(ada.id)!, email: 'changed.in.erp@example.com' });

    // The same job again (its first answer lost): the ERP applies that key once, so nothing moves.
    await run('erp:upsertPartner', { customerId: ada.id });
    expect(erp.partners.get(ada.id)?.email).toBe('changed.in.erp@example.com');

    store.customers.set(ada.id, { ...ada, name: 'Ada Newer', updatedAt: new Date('2026-11-06T10:00:00Z') });
    await run('erp:upsertPartner', { customerId: ada.id });
    expect(erp.partners.get(ada.id)).toMatchObject({ name: 'Ada Newer', email: ada.email });
  });

  it('copies orders to the ERP and, in shadow mode, customers and orders to the legacy shop', async () => {
    const { erp, legacy, run } = setUp();
    await run('erp:upsertOrder', { orderId: order.id });
    await run('legacy:saveCustomer', { customerId: ada.id });
    await run('legacy:saveOrder', { orderId: order.id });

    expect(erp.orders.get(order.id)).toMatchObject({ status: 'SHIPPED', total: order.total, lineCount: 1 });
    expect(legacy.customers.get(ada.id)).toMatchObject({ email: ada.email, updatedAt: ada.updatedAt });
    expect(legacy.orders.get(order.id)).toMatchObject({ status: 'SHIPPED', updatedAt: order.updatedAt });
  });

  it('fails a job whose record the store no longer holds, naming the store, and one whose system is away, naming it', async () => {
    const { erp, run } = setUp();
    await expect(run('crm:upsertProfile', { customerId: 'cus-gone' })).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED', system: 'store' });
    erp.faults.set({ mode: 'down' });
    await expect(run('erp:upsertOrder', { orderId: order.id })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', system: 'erp' });
    await expect(run('erp:upsertOrder', {})).rejects.toThrow('payload has no orderId');
  });

  it('voids a payment for an order: cancels an authorised one, refunds a captured one in full, leaves none alone', async () => {
    const { payments, run } = setUp();
    const authorised = await payments.gateway.createPayment({ orderId: 'ord-auth', customerId: ada.id, amount: money(5_000, 'EUR'), idempotencyKey: 'c1' });
    await payments.gateway.confirmPayment({ paymentId: authorised.id, idempotencyKey: 'c2' });
    const captured = await payments.gateway.createPayment({ orderId: 'ord-paid', customerId: ada.id, amount: money(7_000, 'EUR'), idempotencyKey: 'c3' });
    await payments.gateway.confirmPayment({ paymentId: captured.id, idempotencyKey: 'c4' });
    await payments.gateway.capturePayment({ paymentId: captured.id, idempotencyKey: 'c5' });

    await run('payments:voidForOrder', { orderId: 'ord-auth' });
    await run('payments:voidForOrder', { orderId: 'ord-paid' });
    await run('payments:voidForOrder', { orderId: 'ord-paid' }, 'audit-2:payments');
    await run('payments:voidForOrder', { orderId: 'ord-none' });

    expect(payments.payments.get(authorised.id)?.status).toBe('CANCELED');
    expect(payments.payments.get(captured.id)).toMatchObject({ status: 'SUCCEEDED', refunded: money(7_000, 'EUR') });
    expect(payments.faults.count('refund')).toBe(1);
  });

  it('cancels what a courier holds for an order whose booking answer was lost, and a named shipment', async () => {
    const { courier, run } = setUp();
    const request = { orderId: 'ord-lost', recipient: { name: 'Ada', phone: null }, parcels: 1 };
    const one = await courier.courier.bookShipment({ ...request, idempotencyKey: 'b1' });
    const two = await courier.courier.bookShipment({ ...request, idempotencyKey: 'b2' });
    const other = await courier.courier.bookShipment({ ...request, orderId: 'ord-other', idempotencyKey: 'b3' });

    await run('courier-a:cancelForOrder', { orderId: 'ord-lost' });
    await run('courier-a:cancelShipment', { shipmentId: other.id, orderId: 'ord-other' });

    expect([one, two, other].map((shipment) => courier.shipments.get(shipment.id)?.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
  });

  it('books a shipment placeOrder left for the payment, with its request as placeOrder made it, once however often the job runs', async () => {
    const { courier, run, invalidated } = setUp();
    const request = {
      orderId: 'ord-paid-later',
      recipient: { name: 'Ada', phone: '+31 20 555 0142' },
      parcels: 1,
      packages: [{ weight: { value: 1_500, unit: 'GRAM' }, dimensions: null }],
      shipTo: { name: 'Ada', line1: 'Keizersgracht 1', city: 'Amsterdam', region: 'NH', postalCode: '1015 CJ', countryCode: 'NL' },
      idempotencyKey: 'place-key:ship:courier-a',
    };

    await run('courier-a:bookShipment', { request });
    // Delivered again (the worker died before it marked the job done): the courier answers the same shipment.
    await run('courier-a:bookShipment', { request });

    expect(courier.requests).toEqual([request, request]);
    expect([...courier.shipments.values()]).toEqual([expect.objectContaining({ orderId: 'ord-paid-later', status: 'LABEL_CREATED' })]);
    expect(invalidated).toContain('courier-a:findByOrderIds:ord-paid-later');
    await expect(run('courier-a:bookShipment', { orderId: 'ord-paid-later' })).rejects.toThrow('payload has no shipment request');
  });
});
