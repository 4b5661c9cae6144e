import type { Shipment } from '../../../domain';
import type { RecordStore } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import { createShipmentDocuments, type CanadaPostAccount } from '../canada-post/documents';
import { groupIdOf } from '../canada-post/ids';

/** A Canada Post shipment as the sandbox holds it (collection `shipments`, keyed by shipment id). */
export interface ShipmentRecord {
  readonly shipmentId: string;
  readonly groupId: string | null;
  readonly customerRequestId: string | null;
  readonly trackingPin: string;
  /** "created" until transmitted (the day's manifest); "transmitted" once handed over. */
  readonly status: 'created' | 'transmitted' | 'suspended';
  /** The Create Shipment document's content, as read (Get Shipment Details answers it back). */
  readonly request: Record<string, unknown>;
  /** Tracking, once transmitted: the mailing day and the latest event. */
  readonly tracking: { readonly mailedOn: string; readonly eventType: string; readonly description: string; readonly at: string } | null;
}

/** The sandbox's tracking event types (UNVERIFIED against Canada Post: see canada-post/track-v2.written.xsd). */
const EVENTS = {
  DELIVERED: { eventType: 'DELIVERED', description: 'Delivered' },
  IN_TRANSIT: { eventType: 'INDUCTION', description: 'Item accepted at the Post Office' },
} as const;

/** The shipment id the sandbox gives its `sequence`th shipment (1-based): the estate's come first, in its order. */
const shipmentIdOf = (sequence: number): string => `3478813154${String(sequence).padStart(8, '0')}`;

/** Where the sandbox serves a shipment's label, on its own host. */
export const labelPathOf = (shipmentId: string): string => `/ers/artifact/${shipmentId.slice(-8)}/${shipmentId.slice(0, 5)}/0`;

/** The estate's courier A shipments, in the order the sandbox seeds them. */
const estateShipments = (estate: EstateSeed): Shipment[] => estate.shipments.filter((shipment) => shipment.carrier === 'courier-a');

/**
 * The estate's courier A bookings as the adapter records them in the booking ledger when it books them: the order's
 * group as the shipment id, the PIN, the first parcel's label (its path on the courier's host), the mailing day.
 */
export function estateBookings(estate: EstateSeed): Shipment[] {
  return estateShipments(estate).map((shipment, index) => {
    const shipmentId = shipmentIdOf(index + 1);
    return {
      id: `courier-a:${groupIdOf(shipment.orderId)}`,
      orderId: shipment.orderId,
      carrier: 'courier-a',
      trackingNumber: shipment.trackingNumber,
      status: shipment.status,
      createdAt: new Date(`${shipment.createdAt.toISOString().slice(0, 10)}T00:00:00.000Z`),
      label: { id: shipmentId, url: labelPathOf(shipmentId) },
    };
  });
}

/** The sandbox's book of shipments: by id, by group, by customer-request-id and by PIN. */
export class ShipmentBook {
  private readonly shipments: Map<string, ShipmentRecord>;
  private readonly byGroup: Map<string, string[]>;
  private readonly byRequest: Map<string, string>;
  private readonly byPin: Map<string, string>;
  private sequence = 0;

  constructor(records: RecordStore) {
    this.shipments = records.collection<ShipmentRecord>('shipments');
    this.byGroup = records.collection<string[]>('shipments-by-group');
    this.byRequest = records.collection<string>('shipments-by-request');
    this.byPin = records.collection<string>('shipments-by-pin');
  }

  /**
   * The estate's courier-a shipments, each an order's group of one transmitted shipment with the estate's tracking
   * number as its PIN, mailed the day it was created, delivered or in transit.
   */
  seed(estate: EstateSeed, account: CanadaPostAccount): void {
    const customers = new Map(estate.customers.map((customer) => [customer.id, customer]));
    const orders = new Map(estate.orders.map((order) => [order.id, order]));
    for (const shipment of estateShipments(estate)) {
      const customer = customers.get(orders.get(shipment.orderId)?.customerId ?? '');
      const name = customer?.name.slice(0, 44) ?? 'Estate customer';
      const [document] = createShipmentDocuments(
        {
          orderId: shipment.orderId,
          recipient: { name, phone: null },
          parcels: 1,
          idempotencyKey: `estate-${shipment.orderId}`,
          shipTo: { name, line1: 'Keizersgracht 1', city: 'Amsterdam', region: 'NH', postalCode: '1015 CJ', countryCode: 'NL' },
        },
        account,
        shipment.createdAt,
      );
      const event = shipment.status === 'DELIVERED' ? EVENTS.DELIVERED : EVENTS.IN_TRANSIT;
      const day = shipment.createdAt.toISOString().slice(0, 10);
      this.add({
        ...this.created(document!['shipment'] as Record<string, unknown>, shipment.trackingNumber),
        status: 'transmitted',
        tracking: { mailedOn: day, ...event, at: shipment.createdAt.toISOString() },
      });
    }
  }

  /** Creates a shipment from a Create Shipment document's content (already held to the schema). */
  create(request: Record<string, unknown>): ShipmentRecord {
    const record = this.created(request, null);
    this.add(record);
    return record;
  }

  get(shipmentId: string): ShipmentRecord | undefined {
    return this.shipments.get(shipmentId);
  }

  /** The group's shipments not yet transmitted, as Get Shipments by group-id answers them. */
  inGroup(groupId: string): ShipmentRecord[] {
    return (this.byGroup.get(groupId) ?? []).map((id) => this.shipments.get(id)).filter((record): record is ShipmentRecord => record?.status === 'created');
  }

  byRequestId(requestId: string): ShipmentRecord | undefined {
    const id = this.byRequest.get(requestId);
    return id === undefined ? undefined : this.shipments.get(id);
  }

  byTrackingPin(pin: string): ShipmentRecord | undefined {
    const id = this.byPin.get(pin);
    return id === undefined ? undefined : this.shipments.get(id);
  }

  /** Voids a shipment: Canada Post deletes it. */
  void(shipmentId: string): void {
    const record = this.shipments.get(shipmentId);
    if (!record) return;
    this.shipments.delete(shipmentId);
    if (record.groupId) {
      const left = (this.byGroup.get(record.groupId) ?? []).filter((id) => id !== shipmentId);
      if (left.length > 0) this.byGroup.set(record.groupId, left);
      else this.byGroup.delete(record.groupId);
    }
    if (record.customerRequestId) this.byRequest.delete(record.customerRequestId);
    this.byPin.delete(record.trackingPin);
  }

  private created(request: Record<string, unknown>, pin: string | null): ShipmentRecord {
    this.sequence += 1;
    const shipmentId = shipmentIdOf(this.sequence);
    const serial = shipmentId.slice(-8);
    const text = (name: string): string | null => (typeof request[name] === 'string' ? (request[name] as string) : null);
    return {
      // Canada Post's shipment ids are up to 32 characters; its PINs 12, 13 or 16 (these are 18 and 16).
      shipmentId,
      groupId: text('group-id'),
      customerRequestId: text('customer-request-id'),
      trackingPin: pin ?? `70${serial}000000`,
      status: text('group-id') === null ? 'transmitted' : 'created',
      request,
      tracking: null,
    };
  }

  private add(record: ShipmentRecord): void {
    this.shipments.set(record.shipmentId, record);
    if (record.groupId) this.byGroup.set(record.groupId, [...(this.byGroup.get(record.groupId) ?? []), record.shipmentId]);
    if (record.customerRequestId) this.byRequest.set(record.customerRequestId, record.shipmentId);
    this.byPin.set(record.trackingPin, record.shipmentId);
  }
}
