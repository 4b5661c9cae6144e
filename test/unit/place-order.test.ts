import { aCustomer, anItem } from '../support/builders';
import { anActor, createWriteWorld, type WriteWorld } from '../fakes/write-world';

/**
 * The placeOrder saga (src/writes/place-order.ts, saga.ts) on fakes of every system: reserve stock, take the payment,
 * book the courier(s), and undo what was done, newest first, when a later step fails.
 */
describe('placeOrder on fakes', () => {
  const ada = {
    ...aCustomer().withName('Ada Jansen').build(),
    address: { name: 'Ada Jansen', line1: 'Keizersgracht 1', city: 'Amsterdam', region: 'NH', postalCode: '1015 CJ', countryCode: 'NL' },
  };
  const lamp = anItem('SKU-LAMP').withStock(10, 2).pricedAt(2_500).build();
  const vase = anItem('SKU-VASE').withStock(3).pricedAt(1_200).build();
  let world: WriteWorld;

  beforeEach(() => {
    world = createWriteWorld({ customers: [ada], items: [lamp, vase] });
  });

  const place = (key = 'order-key-0001', lines = [{ sku: lamp.sku, quantity: 2 }, { sku: vase.sku, quantity: 1 }]) =>
    world.writes.placeOrder({ customerId: ada.id, lines, paymentMethod: 'pm_card_visa' }, anActor(), key);
  const stockOf = (sku: string) => world.erp.stock.get(sku)!;

  it('reserves the stock, takes the payment, books the courier, and commits the order with its follower job', async () => {
    const receipt = await place();

    expect(receipt).toMatchObject({ status: 'APPLIED', operation: 'placeOrder', owner: 'store', error: null });
    expect(receipt.steps.map((step) => `${step.system}: ${step.outcome}`)).toEqual(['erp: done', 'erp: done', 'payments: done', 'courier-a: done']);
    expect(stockOf(lamp.sku).reserved).toBe(4);
    expect(stockOf(vase.sku).item.available).toBe(2);
    const orderId = receipt.entityId!;
    const order = world.store.orders.get(orderId)!;
    expect(order).toMatchObject({ customerId: ada.id, status: 'CONFIRMED', total: { minor: 2 * 2_500 + 1_200, currency: 'EUR' } });
    expect([...world.payments.payments.values()]).toEqual([expect.objectContaining({ orderId, status: 'REQUIRES_CAPTURE', amount: order.total })]);
    expect([...world.courierA.shipments.values()].map((shipment) => shipment.orderId)).toEqual([orderId]);
    expect(world.unit.jobs.map((job) => `${job.system}:${job.operation}`)).toEqual(['erp:upsertOrder']);
    expect(world.unit.audits.map((row) => row.request.result)).toEqual(['APPLIED']);
  });

  it('answers a retry with the first receipt and takes no step twice', async () => {
    const first = await place('order-key-again');
    const again = await place('order-key-again');

    expect(again.auditId).toBe(first.auditId);
    expect(stockOf(lamp.sku).reserved).toBe(4);
    expect(world.payments.payments.size).toBe(1);
    expect(world.courierA.shipments.size).toBe(1);
    expect(world.unit.audits).toHaveLength(1);
  });

  it('when the courier cannot book, cancels the payment and releases the stock, newest first, and places nothing', async () => {
    world.courierA.faults.set({ mode: 'down' });

    const receipt = await place();

    expect(receipt).toMatchObject({ status: 'REJECTED', error: { code: 'UPSTREAM_UNAVAILABLE', system: 'courier-a' } });
    expect(receipt.steps.map((step) => `${step.step}: ${step.outcome}`)).toEqual([
      `reserve 2 × ${lamp.sku}: done`,
      `reserve 1 × ${vase.sku}: done`,
      'take payment of 6200 EUR minor units: done',
      'book a shipment with courier-a: failed',
      'clear up after book a shipment with courier-a: cleanup-queued',
      'undo take payment of 6200 EUR minor units: compensated',
      `undo reserve 1 × ${vase.sku}: compensated`,
      `undo reserve 2 × ${lamp.sku}: compensated`,
    ]);
    expect(stockOf(lamp.sku)).toMatchObject({ reserved: 2, item: { available: 8 } });
    expect(stockOf(vase.sku)).toMatchObject({ reserved: 0, item: { available: 3 } });
    expect([...world.payments.payments.values()].map((payment) => payment.status)).toEqual(['CANCELED']);
    expect(world.store.orders.size).toBe(0);
    expect(world.unit.audits.map((row) => [row.request.result, row.request.errorCode])).toEqual([['REJECTED', 'UPSTREAM_UNAVAILABLE']]);
    // The booking's answer may have been lost: a clean-up of whatever the courier holds for the order is queued.
    expect(world.unit.jobs.map((job) => `${job.system}:${job.operation}`)).toEqual(['courier-a:cancelForOrder']);
  });

  it('when the second SKU cannot be reserved, releases the first and asks no one for money', async () => {
    const receipt = await place('order-key-short', [{ sku: lamp.sku, quantity: 2 }, { sku: vase.sku, quantity: 4 }]);

    expect(receipt).toMatchObject({ status: 'REJECTED', error: { code: 'UPSTREAM_REJECTED', system: 'erp' } });
    expect(stockOf(lamp.sku).reserved).toBe(2);
    expect(stockOf(vase.sku).reserved).toBe(0);
    expect(world.payments.faults.count()).toBe(0);
    expect(world.courierA.faults.count()).toBe(0);
  });

  it('queues the undo a system cannot take now, and the outbox finishes it', async () => {
    world.courierA.faults.set({ mode: 'down' });
    world.erp.faults.failNext('releaseStock', { mode: 'down' });

    const receipt = await place();

    // Newest first: the vase's release fails and waits in the outbox, committed with the audit row; the lamp's lands.
    expect(receipt.steps.filter((step) => step.step.startsWith('undo reserve')).map((step) => step.outcome)).toEqual(['compensation-queued', 'compensated']);
    expect(stockOf(vase.sku).reserved).toBe(1);
    expect(stockOf(lamp.sku).reserved).toBe(2);
    expect(world.unit.jobs.map((job) => `${job.system}:${job.operation}`).sort()).toEqual(['courier-a:cancelForOrder', 'erp:releaseStock']);

    world.courierA.faults.set({ mode: 'ok' });
    const ran = await world.drain();
    expect(ran.map(({ error }) => error)).toEqual([undefined, undefined]);
    expect(stockOf(vase.sku).reserved).toBe(0);
  });

  it('fans out to both couriers, and cancels the first booking when the second courier fails', async () => {
    world = createWriteWorld({ customers: [ada], items: [lamp, vase], courierRule: () => ['courier-a', 'courier-b'] });
    world.courierB.faults.set({ mode: 'ratelimit', retryAfterSeconds: 3 });

    const receipt = await place();

    expect(receipt).toMatchObject({ status: 'REJECTED', error: { code: 'UPSTREAM_RATE_LIMITED', system: 'courier-b' } });
    expect([...world.courierA.shipments.values()].map((shipment) => shipment.status)).toEqual(['CANCELLED']);
    expect(world.courierB.shipments.size).toBe(0);
    expect([...world.payments.payments.values()].map((payment) => payment.status)).toEqual(['CANCELED']);
  });

  it('when the payment answer is lost, queues the clean-up that voids whatever the gateway holds for the order', async () => {
    world.payments.faults.failNext('confirm', { mode: 'down' });

    const receipt = await place();

    expect(receipt.status).toBe('REJECTED');
    expect([...world.payments.payments.values()].map((payment) => payment.status)).toEqual(['REQUIRES_CONFIRMATION']);
    expect(world.unit.jobs.map((job) => `${job.system}:${job.operation}`)).toEqual(['payments:voidForOrder']);
    await world.drain();
    expect([...world.payments.payments.values()].map((payment) => payment.status)).toEqual(['CANCELED']);
    expect(stockOf(lamp.sku).reserved).toBe(2);
  });

  it('undoes every step when the order cannot be committed to our database', async () => {
    world.unit.failNextCommit(new Error('database went away'));

    await expect(place()).rejects.toThrow('database went away');

    expect(stockOf(lamp.sku).reserved).toBe(2);
    expect([...world.payments.payments.values()].map((payment) => payment.status)).toEqual(['CANCELED']);
    expect([...world.courierA.shipments.values()].map((shipment) => shipment.status)).toEqual(['CANCELLED']);
    expect(world.store.orders.size).toBe(0);
  });

  it('refuses an unknown customer or SKU before any system is written', async () => {
    const nobody = await world.writes.placeOrder({ customerId: 'cus-nobody', lines: [{ sku: lamp.sku, quantity: 1 }] }, anActor(), 'order-key-nobody');
    const unknownSku = await place('order-key-sku', [{ sku: 'SKU-NONE', quantity: 1 }]);

    expect(nobody).toMatchObject({ status: 'REJECTED', error: { code: 'NOT_FOUND' } });
    expect(unknownSku).toMatchObject({ status: 'REJECTED', error: { code: 'BAD_USER_INPUT' } });
    expect(world.erp.faults.count('reserveStock') + world.payments.faults.count() + world.courierA.faults.count()).toBe(0);
    expect(world.unit.audits.map((row) => row.request.result)).toEqual(['REJECTED', 'REJECTED']);
  });
});
