import type { MaybeStale } from './staleness';
import type {
  CrmProfile,
  Customer,
  CustomerSegment,
  ErpPartner,
  InventoryItem,
  LegacyCustomer,
  LegacyOrder,
  Order,
  OrderStatus,
  Payment,
  Shipment,
} from './entities';
import type { Money } from './money';
import type { Parcel, PostalAddress, ShipFrom } from './shipping';

/**
 * Ports: the small interfaces the domain needs from the outside world. Adapters implement them; the resilience
 * layer wraps every method of every port in one place.
 *
 * Conventions every port keeps, so that the resilience layer can treat them uniformly:
 * - a method takes one input and an optional {@link CallOptions};
 * - a batch read takes a list of keys and answers a map keyed by them (a key missing from the map: no such record);
 * - writes carry an idempotency key, so that a retry never applies twice.
 */
export interface CallOptions {
  /** Aborted when the caller stops waiting (timeout, client gone). Adapters pass it to their transport. */
  readonly signal?: AbortSignal;
}

/**
 * A batch read's answer: the records found, by key. Through the resilience layer it may say that some are older
 * copies (`stale`); an adapter answers a plain map.
 */
export interface BatchAnswer<T> extends ReadonlyMap<string, T>, MaybeStale {}

/** A batch read: keys in, a map of the records found out. */
export type BatchRead<T> = (keys: readonly string[], options?: CallOptions) => Promise<BatchAnswer<T>>;

/** A page of a list; through the resilience layer it may be an older copy (`stale`). */
export interface Page<T> extends MaybeStale {
  readonly items: readonly T[];
  /** The opaque cursor of each item, in the same order as `items` (what a connection's edges carry). */
  readonly cursors: readonly string[];
  /** Opaque cursor of the last item, to pass as `after` for the next page; null at the end. */
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
  readonly totalCount: number;
}

export interface PageRequest {
  readonly first: number;
  readonly after?: string | null;
}

/** The CRM: follower of the customer profile, owner of segment and lifetime value. */
export interface CustomerDirectory {
  findByCustomerIds: BatchRead<CrmProfile>;
  /** Creates or updates the CRM's copy of a customer profile (follower sync). */
  upsertProfile(
    input: { customer: Customer; idempotencyKey: string },
    options?: CallOptions,
  ): Promise<CrmProfile>;
  /** Sets what the CRM owns. */
  updateSegment(
    input: { customerId: string; segment: CustomerSegment; idempotencyKey: string },
    options?: CallOptions,
  ): Promise<CrmProfile>;
}

/** The ERP's order as it holds it: it can change orders too (bidirectional with the site). */
export interface ErpOrder {
  readonly orderId: string;
  readonly erpId: number;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly total: Money;
  readonly updatedAt: Date;
}

/** The ERP: owner of inventory and prices, follower of customers, co-owner of orders. */
export interface Erp {
  findItemsBySkus: BatchRead<InventoryItem>;
  findPartnersByCustomerIds: BatchRead<ErpPartner>;
  findOrdersByOrderIds: BatchRead<ErpOrder>;
  /** Changes stock on hand by `delta` units (negative to take out). */
  adjustStock(
    input: { sku: string; delta: number; reason: string; idempotencyKey: string },
    options?: CallOptions,
  ): Promise<InventoryItem>;
  /** Reserves units for an order; answers the item as it now stands. Refused when not enough is available. */
  reserveStock(
    input: { orderId: string; sku: string; quantity: number; idempotencyKey: string },
    options?: CallOptions,
  ): Promise<InventoryItem>;
  /** Releases what `reserveStock` reserved for the order (compensation). */
  releaseStock(
    input: { orderId: string; sku: string; quantity: number; idempotencyKey: string },
    options?: CallOptions,
  ): Promise<InventoryItem>;
  upsertPartner(input: { customer: Customer; idempotencyKey: string }, options?: CallOptions): Promise<ErpPartner>;
  upsertOrder(input: { order: Order; idempotencyKey: string }, options?: CallOptions): Promise<ErpOrder>;
}

/** The customer a payment is for, as the payment gateway needs it to find or create its own customer record. */
export interface PaymentCustomer {
  /** Our customer id. */
  readonly id: string;
  readonly email: string;
  readonly name: string;
  /** The gateway's customer id kept for this customer; null or absent: find or create it. */
  readonly gatewayCustomerId?: string | null;
}

/** What a new payment is created with. */
export interface PaymentRequest {
  readonly orderId: string;
  readonly customerId: string;
  readonly amount: Money;
  readonly idempotencyKey: string;
  /**
   * The payment method from checkout (the gateway's payment method id, as its browser library hands it). Absent: the payment is created without one
   * and waits for the client (`REQUIRES_PAYMENT_METHOD`, completed with its `clientSecret`).
   */
  readonly paymentMethod?: string | null;
  /** The customer, so that the payment is made under the gateway's customer record. */
  readonly customer?: PaymentCustomer | null;
}

/** The payment gateway: owner of payments. */
export interface PaymentGateway {
  /** The payments taken for each order, keyed by order id (the latest intent when there are several). */
  findByOrderIds: BatchRead<Payment>;
  createPayment(input: PaymentRequest, options?: CallOptions): Promise<Payment>;
  confirmPayment(input: { paymentId: string; idempotencyKey: string }, options?: CallOptions): Promise<Payment>;
  capturePayment(input: { paymentId: string; idempotencyKey: string }, options?: CallOptions): Promise<Payment>;
  cancelPayment(input: { paymentId: string; idempotencyKey: string }, options?: CallOptions): Promise<Payment>;
  refundPayment(
    input: { paymentId: string; amount?: Money; idempotencyKey: string },
    options?: CallOptions,
  ): Promise<Payment>;
}

export interface ShipmentRequest {
  readonly orderId: string;
  readonly recipient: { readonly name: string; readonly phone: string | null };
  /** How many packages (the length of `packages` when it is given). */
  readonly parcels: number;
  readonly idempotencyKey: string;
  /** Where the shipment goes. */
  readonly shipTo?: PostalAddress | null;
  /** Where it leaves from; absent: the courier's configured sender (its system settings). */
  readonly shipFrom?: ShipFrom | null;
  /** The packages, with weight and dimensions, computed from the order's lines. */
  readonly packages?: readonly Parcel[] | null;
}

/** A courier: owner of the shipments it carries. Several couriers implement it; orders can fan out to more than one. */
export interface Courier {
  /** The system name of this courier, e.g. "courier-a". */
  readonly carrier: string;
  /** Shipments for each order, keyed by order id (an order with none is missing from the map). */
  findByOrderIds: BatchRead<readonly Shipment[]>;
  bookShipment(input: ShipmentRequest, options?: CallOptions): Promise<Shipment>;
  cancelShipment(input: { shipmentId: string; idempotencyKey: string }, options?: CallOptions): Promise<Shipment>;
}

/** The records a system changed on one calendar day, a page at a time in ascending id order (reconciliation). */
export interface ChangedOnRequest {
  /** The day, `yyyy-mm-dd`, in the system's own time zone. */
  readonly day: string;
  readonly first: number;
  /** The last id of the previous page. */
  readonly after?: string | null;
}

/**
 * The legacy store being replaced: read for the legacy subgraph and reconciliation, written in shadow mode (the site's
 * writes copied to it through the outbox until the entity is cut over). Its saves are upserts of the whole record by
 * our id, so a repeated one changes nothing.
 */
export interface LegacyStore {
  findCustomersByIds: BatchRead<LegacyCustomer>;
  findOrdersByIds: BatchRead<LegacyOrder>;
  /** Customers changed on a day; `cursors` are their ids. */
  listCustomersChangedOn(request: ChangedOnRequest, options?: CallOptions): Promise<Page<LegacyCustomer>>;
  listOrdersChangedOn(request: ChangedOnRequest, options?: CallOptions): Promise<Page<LegacyOrder>>;
  /** Saves the site's customer in the shop, stamped with the site's change time. */
  saveCustomer(input: { customer: Customer; idempotencyKey: string }, options?: CallOptions): Promise<LegacyCustomer>;
  /** Saves the site's order in the shop (status, total, positions), stamped with the site's change time. */
  saveOrder(input: { order: Order; idempotencyKey: string }, options?: CallOptions): Promise<LegacyOrder>;
}

/** The new site's own store (our database): owner of the customer profile, co-owner of orders. */
export interface SiteStore {
  findCustomersByIds: BatchRead<Customer>;
  listCustomers(request: PageRequest, options?: CallOptions): Promise<Page<Customer>>;
  findOrdersByIds: BatchRead<Order>;
  listOrders(
    request: PageRequest & { readonly customerId?: string; readonly status?: OrderStatus },
    options?: CallOptions,
  ): Promise<Page<Order>>;
  /** One page of orders for each customer in a single query (the `Customer.orders` field, batched). */
  listOrdersByCustomerIds(
    request: { readonly customerIds: readonly string[]; readonly first: number; readonly after?: string | null },
    options?: CallOptions,
  ): Promise<ReadonlyMap<string, Page<Order>>>;
}

/** Where an invoice stands in the accounting system: issued and waiting for payment, paid, or voided. */
export const INVOICE_STATUSES = ['DRAFT', 'AWAITING_APPROVAL', 'AWAITING_PAYMENT', 'PAID', 'VOIDED'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** The invoice the accounting system holds for one order (it follows the order). */
export interface Invoice {
  readonly orderId: string;
  /** The accounting system's own id. */
  readonly invoiceId: string;
  /** The invoice number a customer sees. */
  readonly number: string;
  readonly status: InvoiceStatus;
  readonly total: Money;
  readonly amountDue: Money;
  readonly updatedAt: Date;
}

/** An accounting system: follower of orders (one sales invoice each), owner of what is invoiced and paid. */
export interface Accounting {
  /** The invoice of each order, keyed by order id (an order with none is missing from the map). */
  findInvoicesByOrderIds: BatchRead<Invoice>;
  /** Creates the order's invoice, or brings it in line with the order: a cancelled order's invoice is voided (null: it had none). */
  upsertInvoice(input: { order: Order; customer: Customer; idempotencyKey: string }, options?: CallOptions): Promise<Invoice | null>;
}
