import { CustomerEntity } from '../../src/db';
import { generateEstate } from '../../src/systems/kit/seed';
import { anOfficeAddress } from '../support/builders';
import { startTestStack, type TestStack } from '../support/stack';
import { mutate } from '../support/mutate';
import { mintTestToken } from '../support/tokens';

/**
 * placeOrder end to end with what real systems need: the address and the parcels reach the courier's sandbox
 * (ShipEngine's `ship_to`, `packages`), the payment method and the customer reach the payment gateway's (Stripe's
 * `payment_method`, `customer`), as each sandbox recorded them; and a payment that needs 3-D Secure places the order
 * and answers the client what it needs to complete it.
 */
const estate = generateEstate();

interface Placed {
  status: string;
  error: { code: string; message: string } | null;
  steps: { system: string; outcome: string }[];
  order: {
    id: string;
    payment: { id: string; status: string; clientSecret: string | null; nextAction: { type: string } | null } | null;
    shipments: { carrier: string; trackingNumber: string; label: { id: string; url: string | null } | null }[];
  } | null;
}

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  status error { code message } steps { system outcome }
  order { id payment { id status clientSecret nextAction { type } } shipments { carrier trackingNumber label { id url } } } } }`;

const office = anOfficeAddress();

describe('placeOrder with an address and a payment method, on the sandboxes', () => {
  let stack: TestStack;
  let token: string;

  beforeAll(async () => {
    stack = await startTestStack();
    token = await mintTestToken({ subject: 'delivery-e2e', scopes: ['orders:write'] });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const place = async (input: Record<string, unknown>, key: string): Promise<Placed> => {
    return (await mutate<{ placeOrder: Placed }>(stack.gateway.url, token, PLACE, { input }, key)).placeOrder;
  };
  const sandbox = (name: string) => stack.estate!.sandboxes[name]!;

  it('hands ShipEngine the address and the parcels, and Stripe the payment method and the customer', async () => {
    const customer = estate.customers[7]!;
    // Three lines: the demo's courier rule (by size) books both couriers; courier B is ShipEngine.
    const lines = [{ sku: 'SKU-00021', quantity: 1 }, { sku: 'SKU-00022', quantity: 1 }, { sku: 'SKU-00023', quantity: 2 }];
    const placed = await place({ customerId: customer.id, lines, shipTo: office, paymentMethod: 'pm_card_mastercard' }, 'delivery-e2e-0001');

    expect(placed).toMatchObject({ status: 'APPLIED', error: null });
    const order = placed.order!;
    expect(order.shipments.map((shipment) => shipment.carrier).sort()).toEqual(['courier-a', 'courier-b']);

    const records = sandbox('courier-b').records;
    const shipmentIds = records.get('shipments-by-order', order.id) as string[];
    expect(shipmentIds).toHaveLength(1);
    const shipment = records.get('shipments', shipmentIds[0]!) as { ship_to: Record<string, unknown>; packages: { weight: { value: number; unit: string } }[] };
    expect(shipment.ship_to).toMatchObject({
      name: 'Ada Jansen',
      address_line1: '500 W 2nd St',
      address_line2: 'Suite 1900',
      city_locality: 'Austin',
      state_province: 'TX',
      postal_code: '78701',
      country_code: 'US',
      address_residential_indicator: 'no',
    });
    expect(shipment.packages.length).toBeGreaterThanOrEqual(1);
    for (const parcel of shipment.packages) expect(parcel.weight.value).toBeGreaterThan(0);

    const intent = sandbox('payments').records.get('payment_intents', order.payment!.id) as { payment_method: string | null; customer: string | null };
    expect(intent.payment_method).toBe('pm_card_mastercard');
    expect(intent.customer).toMatch(/^cus_/);
    // The Stripe customer is kept with ours: the next payment is made under it without looking it up.
    expect((await stack.db.orm.em.fork().findOneOrFail(CustomerEntity, { id: customer.id })).paymentCustomerId).toBe(intent.customer);
    // Confirmed with the method: the client has nothing left to do, so no secret is handed out.
    expect(order.payment).toMatchObject({ status: 'REQUIRES_CAPTURE', clientSecret: null, nextAction: null });
  });

  it('ships to the customer\'s address on file when the order names none', async () => {
    const customer = estate.customers[8]!;
    const placed = await place({ customerId: customer.id, lines: [{ sku: 'SKU-00024', quantity: 1 }, { sku: 'SKU-00025', quantity: 1 }, { sku: 'SKU-00026', quantity: 1 }], paymentMethod: 'pm_card_visa' }, 'delivery-e2e-0002');

    expect(placed.status).toBe('APPLIED');
    const records = sandbox('courier-b').records;
    const [shipmentId] = records.get('shipments-by-order', placed.order!.id) as string[];
    const shipment = records.get('shipments', shipmentId!) as { ship_to: Record<string, unknown> };
    expect(shipment.ship_to).toMatchObject({
      address_line1: customer.address!.line1,
      city_locality: customer.address!.city,
      postal_code: customer.address!.postalCode,
      country_code: 'NL',
    });
  });

  it('places the order when the payment needs 3-D Secure, and answers the client secret and the next action', async () => {
    const customer = estate.customers[9]!;
    const placed = await place({ customerId: customer.id, lines: [{ sku: 'SKU-00027', quantity: 1 }], paymentMethod: 'pm_card_authenticationRequired' }, 'delivery-e2e-0003');

    expect(placed).toMatchObject({ status: 'APPLIED', error: null });
    // Nothing undone; the couriers are booked once the client has authenticated (a label is paid for at booking).
    expect(placed.steps.map((step) => step.outcome)).toEqual(['done', 'done', 'waiting']);
    expect(placed.order!.payment).toMatchObject({ status: 'REQUIRES_ACTION', clientSecret: expect.stringMatching(/_secret_/), nextAction: { type: 'use_stripe_sdk' } });
  });
});
