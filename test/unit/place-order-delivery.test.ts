import type { PostalAddress } from '../../src/domain';
import { THREE_D_SECURE } from '../fakes/payment-gateway';
import { anActor, createWriteWorld, type WriteWorld } from '../fakes/write-world';
import { aCustomer, anItem, anOfficeAddress } from '../support/builders';

/**
 * What placeOrder hands the systems that deliver and take the money (src/writes/place-order.ts): the address and the
 * parcels to the courier, the payment method and the customer to the payment gateway; and a payment the client must
 * complete (no method yet, or 3-D Secure) places the order and leaves the payment waiting, undoing nothing, and books
 * no courier until the payment is authorised (a label is bought and paid for at booking).
 */
describe('placeOrder: address, parcels and payment method', () => {
  const onFile: PostalAddress = { name: 'Ada Jansen', line1: 'Keizersgracht 1', city: 'Amsterdam', region: 'NH', postalCode: '1015 CJ', countryCode: 'NL' };
  const ada = { ...aCustomer().withName('Ada Jansen').build(), address: onFile };
  const homeless = aCustomer().withName('Bram Visser').build();
  const lamp = { ...anItem('SKU-LAMP').withStock(50).pricedAt(2_500).build(), weight: { value: 2, unit: 'KILOGRAM' as const } };
  const vase = anItem('SKU-VASE').withStock(50).pricedAt(1_200).build();
  const office = anOfficeAddress();
  let world: WriteWorld;

  beforeEach(() => {
    world = createWriteWorld({ customers: [ada, homeless], items: [lamp, vase] });
  });

  const place = (input: Record<string, unknown>, key: string, customerId = ada.id) =>
    world.writes.placeOrder({ customerId, lines: [{ sku: lamp.sku, quantity: 2 }, { sku: vase.sku, quantity: 1 }], ...input }, anActor(), key);

  it('books the courier to the given address with parcels weighed from the lines, and pays with the given method under the customer', async () => {
    const receipt = await place({ shipTo: office, paymentMethod: 'pm_card_visa' }, 'delivery-key-0001');

    expect(receipt).toMatchObject({ status: 'APPLIED', error: null });
    expect(world.courierA.requests).toEqual([
      expect.objectContaining({
        shipTo: office,
        recipient: { name: 'Ada Jansen', phone: '+1 512 555 0142' },
        // 2 lamps at 2 kg, 1 vase at the default 500 g.
        packages: [{ weight: { value: 4_500, unit: 'GRAM' }, dimensions: null }],
        parcels: 1,
      }),
    ]);
    expect([...world.payments.payments.values()]).toEqual([
      expect.objectContaining({ status: 'REQUIRES_CAPTURE', paymentMethodId: 'pm_card_visa', gatewayCustomerId: `cus_fake_${ada.id}` }),
    ]);
  });

  it('keeps the payment gateway\'s customer id with the customer, and makes the next payment under it', async () => {
    await place({ paymentMethod: 'pm_card_visa' }, 'delivery-key-first');
    expect(world.store.customers.get(ada.id)?.gatewayCustomerId).toBe(`cus_fake_${ada.id}`);

    await place({ paymentMethod: 'pm_card_visa' }, 'delivery-key-second');
    expect(world.payments.requests.map((request) => request.customer?.gatewayCustomerId)).toEqual([null, `cus_fake_${ada.id}`]);
  });

  it('splits an order heavier than 30 kg into parcels of equal weight', async () => {
    await world.writes.placeOrder({ customerId: ada.id, lines: [{ sku: lamp.sku, quantity: 20 }], paymentMethod: 'pm_card_visa' }, anActor(), 'delivery-key-heavy');

    expect(world.courierA.requests[0]?.packages).toEqual([
      { weight: { value: 20_000, unit: 'GRAM' }, dimensions: null },
      { weight: { value: 20_000, unit: 'GRAM' }, dimensions: null },
    ]);
  });

  it('ships to the address on file when the order names none', async () => {
    const receipt = await place({ paymentMethod: 'pm_card_visa' }, 'delivery-key-0002');

    expect(receipt.status).toBe('APPLIED');
    expect(world.courierA.requests.map((request) => request.shipTo)).toEqual([onFile]);
  });

  it('refuses, naming shipTo, an order for a customer with no address on file, before any system is written', async () => {
    const receipt = await place({ paymentMethod: 'pm_card_visa' }, 'delivery-key-0003', homeless.id);

    expect(receipt).toMatchObject({ status: 'REJECTED', error: { code: 'BAD_USER_INPUT', message: expect.stringContaining('input.shipTo') } });
    expect(world.erp.faults.count()).toBe(0);
    expect(world.payments.payments.size).toBe(0);
    expect(world.courierA.requests).toEqual([]);
  });

  it('without a payment method, places the order and leaves the payment waiting for the client with its secret', async () => {
    const receipt = await place({}, 'delivery-key-0004');

    expect(receipt.status).toBe('APPLIED');
    expect(receipt.steps.map((step) => step.outcome)).toEqual(['done', 'done', 'done', 'waiting']);
    expect([...world.payments.payments.values()]).toEqual([
      expect.objectContaining({ status: 'REQUIRES_PAYMENT_METHOD', paymentMethodId: null, clientSecret: expect.stringMatching(/_secret_/) }),
    ]);
  });

  it('books no courier while the payment waits: the booking is kept in the audit row for when the payment is authorised', async () => {
    const receipt = await place({ shipTo: office }, 'delivery-key-0006');

    expect(receipt.steps.at(-1)).toMatchObject({
      step: 'book a shipment with courier-a',
      system: 'courier-a',
      outcome: 'waiting',
      detail: expect.stringContaining('REQUIRES_PAYMENT_METHOD'),
    });
    expect(world.courierA.requests).toEqual([]);
    expect(world.courierA.shipments.size).toBe(0);
    const placed = world.unit.audits.find((audit) => audit.request.operation === 'placeOrder')!;
    expect(placed.request.after).toMatchObject({
      shipments: [],
      shipmentsAwaitingPayment: [
        { carrier: 'courier-a', request: expect.objectContaining({ orderId: receipt.entityId, shipTo: office, idempotencyKey: 'delivery-key-0006:ship:courier-a' }) },
      ],
    });
    // Nothing to undo and nothing queued for the courier: the payment gateway's webhook queues the booking.
    expect(world.unit.jobs.filter((job) => job.system === 'courier-a')).toEqual([]);
  });

  it('books the courier at once when the payment is authorised at placement (REQUIRES_CAPTURE), keeping nothing for later', async () => {
    const receipt = await place({ paymentMethod: 'pm_card_visa' }, 'delivery-key-0007');

    expect(receipt.steps.at(-1)).toMatchObject({ system: 'courier-a', outcome: 'done' });
    expect(world.courierA.requests).toHaveLength(1);
    const placed = world.unit.audits.find((audit) => audit.request.operation === 'placeOrder')!;
    expect(placed.request.after).not.toHaveProperty('shipmentsAwaitingPayment');
  });

  it('treats 3-D Secure (REQUIRES_ACTION) as a state the client completes: the order is placed, nothing undone', async () => {
    const receipt = await place({ paymentMethod: THREE_D_SECURE }, 'delivery-key-0005');

    expect(receipt.status).toBe('APPLIED');
    expect(receipt.steps.map((step) => `${step.system}: ${step.outcome}`)).toEqual(['erp: done', 'erp: done', 'payments: done', 'courier-a: waiting']);
    expect([...world.payments.payments.values()]).toEqual([
      expect.objectContaining({ status: 'REQUIRES_ACTION', nextAction: { type: 'use_stripe_sdk', redirectUrl: null } }),
    ]);
    expect(world.store.orders.size).toBe(1);
  });
});
