import type { Money } from './money';
import type { PostalAddress, ShipmentLabel, ShipmentTracking, Weight } from './shipping';

/**
 * The shared entities of the graph, in our own vocabulary. Every adapter maps its system's vocabulary to these
 * shapes; nothing here knows a vendor's field names.
 */

/** A customer as the new site holds it: the profile the site owns by default. */
export interface Customer {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly phone: string | null;
  /** The delivery address on file, used when an order names none; null or absent: none on file. */
  readonly address?: PostalAddress | null;
  /** The payment gateway's customer record kept for this customer; null or absent: none kept yet. */
  readonly gatewayCustomerId?: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Marketing segment a CRM assigns to a customer. */
export const CUSTOMER_SEGMENTS = ['LEAD', 'PROSPECT', 'CUSTOMER', 'VIP', 'CHURNED'] as const;
export type CustomerSegment = (typeof CUSTOMER_SEGMENTS)[number];

/** What the CRM knows of a customer: a follower copy of the profile plus the facts it owns. */
export interface CrmProfile {
  readonly customerId: string;
  /** The CRM's own record id. */
  readonly crmId: string;
  readonly email: string;
  readonly name: string;
  readonly phone: string | null;
  readonly segment: CustomerSegment;
  readonly lifetimeValue: Money;
  readonly updatedAt: Date;
}

/** What the ERP knows of a customer (its partner record). */
export interface ErpPartner {
  readonly customerId: string;
  readonly erpId: number;
  readonly email: string;
  readonly name: string;
  readonly phone: string | null;
  readonly updatedAt: Date;
}

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: Money;
}

export interface Order {
  readonly id: string;
  /** Human-facing order number, e.g. "SO-2026-000123". */
  readonly number: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly placedAt: Date;
  readonly updatedAt: Date;
  readonly lines: readonly OrderLine[];
  readonly total: Money;
}

/** A stock-keeping unit as the ERP (its owner by default) describes it. */
export interface InventoryItem {
  readonly sku: string;
  readonly name: string;
  /** Units physically in stock. */
  readonly onHand: number;
  /** Units that can still be promised: on hand minus reserved. */
  readonly available: number;
  readonly price: Money;
  /** The weight of one unit, packed; null or absent: unknown (parcels then count a documented default). */
  readonly weight?: Weight | null;
  readonly updatedAt: Date;
}

export const PAYMENT_STATUSES = [
  'REQUIRES_PAYMENT_METHOD',
  'REQUIRES_CONFIRMATION',
  'REQUIRES_ACTION',
  'PROCESSING',
  'REQUIRES_CAPTURE',
  'SUCCEEDED',
  'CANCELED',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * What the client must do to complete a payment in `REQUIRES_ACTION` (3-D Secure and the like): the payment gateway's
 * action type, as the gateway names it (e.g. "redirect_to_url"), and, for a redirect, where to.
 */
export interface PaymentNextAction {
  readonly type: string;
  readonly redirectUrl: string | null;
}

export interface Payment {
  readonly id: string;
  readonly orderId: string;
  /**
   * `REQUIRES_PAYMENT_METHOD` and `REQUIRES_ACTION` are states the client completes (it attaches a payment method, or
   * passes 3-D Secure, with `clientSecret`), not failures.
   */
  readonly status: PaymentStatus;
  readonly amount: Money;
  /** Sum of refunds so far. */
  readonly refunded: Money;
  readonly createdAt: Date;
  /**
   * The secret the client (the gateway's browser library) completes the payment with; only the paying customer may see it. Null or
   * absent when the gateway gave none.
   */
  readonly clientSecret?: string | null;
  /** What the client must do next, when `status` is `REQUIRES_ACTION`; null otherwise. */
  readonly nextAction?: PaymentNextAction | null;
  /** The payment method attached (the gateway's id); null when none is yet. */
  readonly paymentMethodId?: string | null;
  /** The payment gateway's own customer the payment belongs to (its id); null when none. */
  readonly gatewayCustomerId?: string | null;
}

export const SHIPMENT_STATUSES = ['LABEL_CREATED', 'IN_TRANSIT', 'DELIVERED', 'EXCEPTION', 'CANCELLED'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export interface Shipment {
  /** Unique across carriers: the carrier's own id, prefixed by the carrier's system name. */
  readonly id: string;
  readonly orderId: string;
  /** The system name of the courier that carries it, e.g. "courier-a". */
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly status: ShipmentStatus;
  readonly createdAt: Date;
  /** The label bought from the carrier; null or absent while none is. */
  readonly label?: ShipmentLabel | null;
  /** The carrier's tracking as last read; null or absent when not read. */
  readonly tracking?: ShipmentTracking | null;
}

/** The legacy store's view of an order, for shadow mode and reconciliation. */
export interface LegacyOrder {
  readonly orderId: string;
  readonly legacyNumber: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly total: Money;
  readonly updatedAt: Date;
}

/** The legacy store's view of a customer. */
export interface LegacyCustomer {
  readonly customerId: string;
  readonly legacyNumber: string;
  readonly email: string;
  readonly name: string;
  readonly phone: string | null;
  readonly updatedAt: Date;
}
