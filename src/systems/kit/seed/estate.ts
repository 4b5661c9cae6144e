import {
  money,
  type Customer,
  type CustomerSegment,
  type InventoryItem,
  type Order,
  type OrderLine,
  type OrderStatus,
  type Payment,
  type PaymentStatus,
  type PostalAddress,
  type Shipment,
} from '../../../domain';
import { createPicker } from './random';

/**
 * The example estate's data, in our own vocabulary, generated from a seed. Each sandbox projects it into its
 * system's vocabulary (the CRM's contacts, the ERP's partners and products, the payment gateway's intents, courier shipments), and
 * the site's store is seeded from it, so that every system agrees at the start, as after a clean migration.
 */
export interface EstateSeed {
  readonly currency: string;
  readonly customers: readonly Customer[];
  /** CRM-owned facts per customer id. */
  readonly crm: ReadonlyMap<string, { readonly segment: CustomerSegment; readonly lifetimeValueMinor: number }>;
  readonly items: readonly (InventoryItem & { readonly reserved: number; readonly weightGrams: number })[];
  readonly orders: readonly Order[];
  readonly payments: readonly Payment[];
  readonly shipments: readonly Shipment[];
}

export interface EstateSize {
  readonly customers: number;
  readonly orders: number;
  readonly skus: number;
}

/** Large enough that paging and batching matter. */
export const DEFAULT_ESTATE_SIZE: EstateSize = { customers: 240, orders: 1200, skus: 600 };
export const DEFAULT_ESTATE_SEED = 20261127;

const FIRST = ['Ada', 'Bram', 'Chloe', 'Daan', 'Emma', 'Finn', 'Guus', 'Hana', 'Ines', 'Joris', 'Kaat', 'Lars',
  'Mila', 'Noor', 'Otto', 'Pien', 'Quinn', 'Roos', 'Sem', 'Tess', 'Umar', 'Vera', 'Wout', 'Xena', 'Yara', 'Zeb'];
const LAST = ['Jansen', 'de Vries', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Mulder', 'de Boer', 'Bos', 'Peters',
  'Hendriks', 'Dekker', 'Brouwer', 'Vos', 'Kok', 'Jacobs', 'Willems', 'Claes', 'Maes', 'Wouters'];
const ADJECTIVES = ['Oak', 'Linen', 'Steel', 'Walnut', 'Ceramic', 'Copper', 'Wool', 'Glass', 'Cotton', 'Bamboo',
  'Slate', 'Cork', 'Brass', 'Leather', 'Marble'];
const NOUNS = ['Desk Lamp', 'Side Table', 'Throw', 'Vase', 'Mug', 'Shelf', 'Stool', 'Cushion', 'Tray', 'Bowl',
  'Clock', 'Mirror', 'Planter', 'Rug', 'Kettle', 'Candle', 'Basket', 'Bench', 'Frame', 'Coaster'];
const START = Date.UTC(2026, 0, 1);
const END = Date.UTC(2026, 10, 20);

const STREETS = ['Keizersgracht', 'Oudegracht', 'Coolsingel', 'Grote Markt', 'Stationsweg', 'Kerkstraat', 'Dorpsstraat',
  'Molenweg', 'Beukenlaan', 'Havenstraat'];
/** City, province (ISO 3166-2:NL subdivision) and the first digit pair of its postcodes. */
const CITIES: readonly (readonly [string, string, number])[] = [
  ['Amsterdam', 'NH', 10], ['Utrecht', 'UT', 35], ['Rotterdam', 'ZH', 30], ['Groningen', 'GR', 97], ['Eindhoven', 'NB', 56],
  ['Maastricht', 'LI', 62], ['Zwolle', 'OV', 80], ['Arnhem', 'GE', 68],
];

/**
 * A customer's delivery address on file, derived from the customer number alone (no draw from the seeded picker, so
 * every other field of the estate stays as it was before addresses existed).
 */
export function seededAddress(n: number, name: string, phone: string | null): PostalAddress {
  const [city, region, prefix] = CITIES[n % CITIES.length]!;
  const letters = String.fromCharCode(65 + (n % 26)) + String.fromCharCode(65 + ((n * 7) % 26));
  return {
    name,
    phone,
    line1: `${STREETS[n % STREETS.length]} ${1 + ((n * 13) % 240)}`,
    line2: n % 5 === 0 ? `${1 + (n % 4)}e verdieping` : null,
    city,
    region,
    postalCode: `${prefix}${String(10 + (n % 90)).padStart(2, '0')} ${letters}`,
    countryCode: 'NL',
    residential: n % 7 !== 0,
  };
}

export const customerId = (n: number): string => `cus-${String(n).padStart(5, '0')}`;
export const orderId = (n: number): string => `ord-${String(n).padStart(6, '0')}`;
export const skuOf = (n: number): string => `SKU-${String(n).padStart(5, '0')}`;

export function generateEstate(size: EstateSize = DEFAULT_ESTATE_SIZE, seed = DEFAULT_ESTATE_SEED): EstateSeed {
  const r = createPicker(seed);
  const currency = 'EUR';
  const at = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);

  const customers: Customer[] = [];
  for (let n = 1; n <= size.customers; n += 1) {
    const first = r.pick(FIRST);
    const last = r.pick(LAST);
    const createdAt = at(START - r.int(1, 700) * 86_400_000);
    const name = `${first} ${last}`;
    const phone = r.chance(0.8) ? `+31 6 ${String(r.int(10_000_000, 99_999_999))}` : null;
    customers.push({
      id: customerId(n),
      email: `${first}.${last.replace(/ /g, '')}.${n}@example.com`.toLowerCase(),
      name,
      phone,
      address: seededAddress(n, name, phone),
      createdAt,
      updatedAt: createdAt,
    });
  }

  const items = [];
  for (let n = 1; n <= size.skus; n += 1) {
    const onHand = r.chance(0.1) ? 0 : r.int(1, 500);
    items.push({
      sku: skuOf(n),
      name: `${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} ${String.fromCharCode(65 + (n % 26))}${n % 97}`,
      onHand,
      reserved: Math.min(onHand, r.int(0, 12)),
      available: 0,
      price: money(r.int(199, 49_900), currency),
      weightGrams: r.int(80, 12_000),
      updatedAt: at(START + r.int(0, END - START)),
    });
  }
  for (const item of items) (item as { available: number }).available = item.onHand - item.reserved;

  const orders: Order[] = [];
  const payments: Payment[] = [];
  const shipments: Shipment[] = [];
  const spend = new Map<string, number>();
  const statusWeights: (readonly [OrderStatus, number])[] = [
    ['PENDING', 8], ['CONFIRMED', 17], ['SHIPPED', 20], ['DELIVERED', 45], ['CANCELLED', 10],
  ];
  for (let n = 1; n <= size.orders; n += 1) {
    const customer = r.pick(customers);
    const lineCount = r.int(1, 4);
    const lines: OrderLine[] = [];
    for (let l = 0; l < lineCount; l += 1) {
      const item = r.pick(items);
      if (lines.some((line) => line.sku === item.sku)) continue;
      lines.push({ sku: item.sku, quantity: r.int(1, 5), unitPrice: item.price });
    }
    const totalMinor = lines.reduce((sum, line) => sum + line.unitPrice.minor * line.quantity, 0);
    const placed = START + Math.floor(((END - START) * (n - 1)) / size.orders) + r.int(0, 3_600_000);
    const status = r.weighted(statusWeights);
    const order: Order = {
      id: orderId(n),
      number: `SO-2026-${String(n).padStart(6, '0')}`,
      customerId: customer.id,
      status,
      placedAt: at(placed),
      updatedAt: at(placed + r.int(60_000, 5 * 86_400_000)),
      lines,
      total: money(totalMinor, currency),
    };
    orders.push(order);
    if (status !== 'CANCELLED') spend.set(customer.id, (spend.get(customer.id) ?? 0) + totalMinor);

    const paymentStatus: PaymentStatus | null =
      status === 'PENDING' ? (r.chance(0.5) ? 'REQUIRES_PAYMENT_METHOD' : null)
      : status === 'CONFIRMED' ? (r.chance(0.4) ? 'REQUIRES_CAPTURE' : 'SUCCEEDED')
      : status === 'CANCELLED' ? 'CANCELED'
      : 'SUCCEEDED';
    if (paymentStatus) {
      payments.push({
        id: `pi_${(seed ^ (n * 2654435761)).toString(16).replace('-', '').padStart(8, '0')}${String(n).padStart(6, '0')}`,
        orderId: order.id,
        status: paymentStatus,
        amount: order.total,
        refunded: money(0, currency),
        createdAt: order.placedAt,
      });
    }

    if (status === 'SHIPPED' || status === 'DELIVERED') {
      // The demo's fan-out rule: bulky orders (more than two lines) go with both couriers, others alternate.
      const carriers = lines.length > 2 ? ['courier-a', 'courier-b'] : [n % 2 === 0 ? 'courier-a' : 'courier-b'];
      for (const carrier of carriers) {
        const sequence = String(n).padStart(6, '0');
        shipments.push({
          id: carrier === 'courier-a' ? `courier-a:CA${sequence}` : `courier-b:se-${sequence}`,
          orderId: order.id,
          carrier,
          // Courier A's is its carrier's PIN (12 digits); its shipment id there is the order's group (courier-a/canada-post/ids.ts).
          trackingNumber: carrier === 'courier-a' ? `7023${sequence}10` : `1Z${sequence}${r.int(100, 999)}`,
          status: status === 'DELIVERED' ? 'DELIVERED' : 'IN_TRANSIT',
          createdAt: at(placed + 86_400_000),
        });
      }
    }
  }

  const crm = new Map<string, { segment: CustomerSegment; lifetimeValueMinor: number }>();
  for (const customer of customers) {
    const value = spend.get(customer.id) ?? 0;
    const segment: CustomerSegment =
      value === 0 ? (r.chance(0.5) ? 'LEAD' : 'PROSPECT') : value > 900_000 ? 'VIP' : r.chance(0.1) ? 'CHURNED' : 'CUSTOMER';
    crm.set(customer.id, { segment, lifetimeValueMinor: value });
  }

  return { currency, customers, crm, items, orders, payments, shipments };
}
