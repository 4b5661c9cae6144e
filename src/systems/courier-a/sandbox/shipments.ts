import type { RecordStore } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import { createShipmentDocuments, type CanadaPostAccount } from '../canada-post/documents';

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
    for (const shipment of estate.shipments) {
      if (shipment.carrier !== 'courier-a') continue;
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
    const serial = String(this.sequence).padStart(8, '0');
    const text = (name: string): string | null => (typeof request[name] === 'string' ? (request[name] as string) : null);
    return {
      // Canada Post's shipment ids are up to 32 characters; its PINs 12, 13 or 16 (these are 18 and 16).
      shipmentId: `3478813154${serial}`,
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
