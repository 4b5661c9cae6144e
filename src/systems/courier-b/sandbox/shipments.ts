import type { Shipment, ShipmentStatus, TrackingStatus } from '../../../domain';
import type { RecordStore } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import { externalShipmentIdOf } from '../external-id';

export const SHIPMENT_STATUSES = ['pending', 'processing', 'label_purchased', 'cancelled'] as const;
export type ShipEngineShipmentStatus = (typeof SHIPMENT_STATUSES)[number];
/** ShipEngine's tracking status codes, as its description writes them (components.schemas.status_code). */
export const TRACKING_STATUS_CODES = ['un', 'ac', 'it', 'de', 'ex', 'at', 'ny'] as const;
export type TrackingStatusCode = (typeof TRACKING_STATUS_CODES)[number];
export const WEIGHT_UNITS = ['pound', 'ounce', 'gram', 'kilogram'] as const;

/** ShipEngine's `address`: every field its description requires (`phone` may be absent in what a client sends). */
export interface ShipEngineAddress {
  readonly name: string;
  readonly phone?: string;
  readonly company_name?: string | null;
  readonly address_line1: string;
  readonly address_line2?: string | null;
  readonly city_locality: string;
  readonly state_province: string;
  readonly postal_code: string;
  readonly country_code: string;
  readonly address_residential_indicator: 'yes' | 'no' | 'unknown';
}

export interface ShipEnginePackage {
  readonly package_code: string;
  readonly weight: { readonly value: number; readonly unit: (typeof WEIGHT_UNITS)[number] };
}

/**
 * A shipment as ShipEngine answers it (collection `shipments`, keyed by `shipment_id`): nothing beyond its
 * description. Its tracking lives on its label and at `GET /v1/tracking`, as in ShipEngine.
 */
export interface ShipEngineShipment {
  readonly shipment_id: string;
  readonly carrier_id: string;
  readonly service_code: string;
  /** Our order id, as we booked it. */
  readonly external_order_id: string | null;
  readonly external_shipment_id: string | null;
  readonly shipment_number: string | null;
  readonly ship_date: string;
  readonly created_at: string;
  readonly modified_at: string;
  readonly shipment_status: ShipEngineShipmentStatus;
  readonly ship_to: ShipEngineAddress;
  readonly ship_from: ShipEngineAddress;
  readonly warehouse_id: string | null;
  readonly return_to: ShipEngineAddress;
  readonly confirmation: 'none';
  readonly customs: null;
  readonly advanced_options: Record<string, never>;
  readonly insurance_provider: 'none';
  readonly tags: readonly { readonly name: string }[];
  readonly packages: readonly ShipEnginePackage[];
  readonly total_weight: { readonly value: number; readonly unit: 'gram' };
}

/** One scan the carrier reported, as `GET /v1/tracking` answers it (track_event). */
export interface ShipEngineTrackEvent {
  readonly occurred_at: string;
  readonly city_locality: string;
  readonly state_province: string;
  readonly postal_code: string;
  readonly country_code: string;
  readonly carrier_detail_code: string;
  readonly status_code: TrackingStatusCode;
  readonly status_description: string;
  readonly carrier_status_code: string;
  readonly carrier_status_description: string;
  readonly description: string;
}

/** A parcel's tracking at the carrier (collection `tracking`, keyed by tracking number). */
export interface ParcelTracking {
  readonly status_code: TrackingStatusCode;
  readonly ship_date: string;
  readonly events: readonly ShipEngineTrackEvent[];
}

/** The carrier code of the sandbox account's one carrier (ShipEngine's carrier_code pattern: lower case, underscores). */
export const SANDBOX_CARRIER_CODE = 'courier_b';

/** A label as ShipEngine answers it (collection `labels`, keyed by `label_id`). */
export interface ShipEngineLabel {
  readonly label_id: string;
  readonly shipment_id: string;
  readonly status: 'processing' | 'completed' | 'error' | 'voided';
  readonly carrier_id: string;
  /** The carrier's code, what `GET /v1/tracking` is asked with. */
  readonly carrier_code: string;
  readonly service_code: string;
  readonly tracking_number: string;
  readonly tracking_status: 'unknown' | 'in_transit' | 'error' | 'delivered';
  readonly trackable: boolean;
  readonly voided: boolean;
  readonly voided_at: string | null;
  readonly created_at: string;
}

export interface NewShipment {
  readonly carrier_id: string;
  readonly service_code: string;
  readonly external_shipment_id: string | null;
  readonly external_order_id: string | null;
  readonly shipment_number: string | null;
  readonly ship_to: ShipEngineAddress;
  readonly ship_from: ShipEngineAddress;
  readonly packages: readonly ShipEnginePackage[];
}

export type Failure = {
  readonly status: number;
  readonly type: 'validation' | 'business_rules';
  readonly code: string;
  readonly message: string;
};

/** The sandbox account's warehouse (COURIER_B_SANDBOX_SHIP_FROM, in ShipEngine's words): its return address. */
export const WAREHOUSE: ShipEngineAddress = {
  name: 'Plugboard demo warehouse',
  phone: '+31 20 555 0100',
  company_name: 'Plugboard Demo BV',
  address_line1: 'Westerdok 12',
  city_locality: 'Amsterdam',
  state_province: 'NH',
  postal_code: '1013 BH',
  country_code: 'NL',
  address_residential_indicator: 'no',
};

/** A seeded customer's delivery address: its own where the estate carries one, else one made from its number. */
function seededShipTo(customer: { name: string; phone: string | null; address?: unknown } | undefined, n: number): ShipEngineAddress {
  const own = customer?.address as { line1?: string; city?: string; region?: string; postalCode?: string; countryCode?: string } | undefined;
  return {
    name: customer?.name ?? 'Unknown recipient',
    // ShipEngine answers a phone on every address: without the customer's, the shop's (as the adapter sends it).
    phone: customer?.phone ?? WAREHOUSE.phone ?? '',
    address_line1: own?.line1 ?? `Keizersgracht ${(n % 700) + 1}`,
    city_locality: own?.city ?? 'Amsterdam',
    state_province: own?.region || 'NH',
    postal_code: own?.postalCode ?? `10${String(n % 100).padStart(2, '0')} AB`,
    country_code: own?.countryCode ?? 'NL',
    address_residential_indicator: 'yes',
  };
}
const TRACKING_OF: Readonly<Record<ShipmentStatus, TrackingStatusCode>> = {
  LABEL_CREATED: 'ac',
  IN_TRANSIT: 'it',
  DELIVERED: 'de',
  EXCEPTION: 'ex',
  CANCELLED: 'ac',
};
const LABEL_TRACKING: Readonly<Record<TrackingStatusCode, ShipEngineLabel['tracking_status']>> = {
  un: 'unknown', ny: 'unknown', ac: 'unknown', it: 'in_transit', at: 'in_transit', de: 'delivered', ex: 'error',
};
/** What a scan with each code says (ShipEngine's status descriptions). */
const DESCRIPTION: Readonly<Record<TrackingStatusCode, string>> = {
  un: 'Unknown', ny: 'Not Yet In System', ac: 'Accepted', it: 'In Transit', at: 'Delivery Attempt', de: 'Delivered', ex: 'Exception',
};
const GRAMS: Readonly<Record<(typeof WEIGHT_UNITS)[number], number>> = {
  gram: 1,
  kilogram: 1000,
  ounce: 28.3495,
  pound: 453.592,
};
const PREFIX = 'courier-b:';

/** The first label id the sandbox sells (`se-7000001`, then one more per label, the estate's first). */
const FIRST_LABEL = 7_000_001;
/** Where ShipEngine serves a label's PDF, on its own host (label_download.pdf). */
export const labelPathOf = (labelId: string): string => `/v1/downloads/labels/${labelId}.pdf`;
/** The tracking a page read shows for each status: its label's tracking_status, without the carrier's events. */
const LISTED_TRACKING: Readonly<Record<ShipmentStatus, TrackingStatus | null>> = {
  LABEL_CREATED: 'UNKNOWN',
  IN_TRANSIT: 'IN_TRANSIT',
  DELIVERED: 'DELIVERED',
  EXCEPTION: 'EXCEPTION',
  CANCELLED: null,
};

/** The estate's courier B shipments, in the order the sandbox seeds them. */
const estateShipments = (estate: EstateSeed) => estate.shipments.filter((shipment) => shipment.carrier === 'courier-b' && shipment.id.startsWith(PREFIX));

/**
 * The estate's courier B bookings as the adapter records them in the booking ledger (src/db/booking-ledger.ts) from a
 * page read of ShipEngine's lists: the shipment id, its label (the id the sandbox sells it under, its path on the
 * courier's host) and tracking number, the label's tracking_status as the tracking, ShipEngine's created_at. A
 * cancelled one has neither label nor tracking (its label is void).
 */
export function estateBookings(estate: EstateSeed): Shipment[] {
  return estateShipments(estate).map((shipment, index) => {
    const labelId = `se-${FIRST_LABEL + index}`;
    const tracking = LISTED_TRACKING[shipment.status];
    return {
      id: shipment.id,
      orderId: shipment.orderId,
      carrier: 'courier-b',
      trackingNumber: tracking ? shipment.trackingNumber : '',
      status: shipment.status,
      createdAt: shipment.createdAt,
      label: tracking ? { id: labelId, url: labelPathOf(labelId) } : null,
      tracking: tracking ? { status: tracking, events: [] } : null,
    };
  });
}

/**
 * Courier B's account, kept in the sandbox's record store: `shipments` and `labels` by id, `tracking` by tracking
 * number, `shipments-by-order` (our order id -> shipment ids, for tests) and `external-shipment-ids` (lookup and
 * idempotency).
 */
export class ShipmentLedger {
  readonly shipments: Map<string, ShipEngineShipment>;
  private readonly labels: Map<string, ShipEngineLabel>;
  private readonly tracking: Map<string, ParcelTracking>;
  private readonly byOrder: Map<string, string[]>;
  private readonly byExternalId: Map<string, { shipment_id: string; fingerprint: string }>;
  private shipmentSequence = 0;
  private labelSequence = FIRST_LABEL - 1;

  constructor(
    records: RecordStore,
    readonly carrierId: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.shipments = records.collection<ShipEngineShipment>('shipments');
    this.labels = records.collection<ShipEngineLabel>('labels');
    this.tracking = records.collection<ParcelTracking>('tracking');
    this.byOrder = records.collection<string[]>('shipments-by-order');
    this.byExternalId = records.collection('external-shipment-ids');
  }

  seed(estate: EstateSeed, serviceCode: string): void {
    const orders = new Map(estate.orders.map((order) => [order.id, order]));
    const customers = new Map(estate.customers.map((customer) => [customer.id, customer]));
    const weights = new Map(estate.items.map((item) => [item.sku, item.weightGrams]));
    for (const shipment of estateShipments(estate)) {
      const order = orders.get(shipment.orderId);
      const customer = order ? customers.get(order.customerId) : undefined;
      const grams = order?.lines.reduce((sum, line) => sum + (weights.get(line.sku) ?? 500) * line.quantity, 0) ?? 500;
      const at = shipment.createdAt.toISOString();
      const record = this.shipmentOf(
        shipment.id.slice(PREFIX.length),
        {
          carrier_id: this.carrierId,
          service_code: serviceCode,
          // What the adapter booked it with: the order's external_shipment_id, by which it reads it back.
          external_shipment_id: externalShipmentIdOf('courier-b', shipment.orderId),
          external_order_id: shipment.orderId,
          shipment_number: order?.number ?? null,
          ship_to: seededShipTo(customer, this.shipments.size),
          ship_from: WAREHOUSE,
          packages: [{ package_code: 'package', weight: { value: grams, unit: 'gram' } }],
        },
        at,
      );
      this.store(record);
      this.byExternalId.set(record.external_shipment_id!, { shipment_id: record.shipment_id, fingerprint: 'seeded' });
      this.purchaseLabel(record, shipment.trackingNumber, TRACKING_OF[shipment.status], at);
      if (shipment.status === 'CANCELLED') this.cancel(record.shipment_id);
    }
  }

  /** Creates a shipment (pending: its label is bought apart); the same `external_shipment_id` answers the same shipment. */
  create(input: NewShipment): ShipEngineShipment | Failure {
    if (input.carrier_id !== this.carrierId) {
      return failure(400, 'business_rules', 'carrier_not_connected', `carrier_id ${input.carrier_id} is not connected`);
    }
    const { carrier_id, service_code, external_order_id, ship_to, packages } = input;
    const fingerprint = JSON.stringify([carrier_id, service_code, external_order_id, ship_to, packages]);
    if (input.external_shipment_id !== null) {
      const seen = this.byExternalId.get(input.external_shipment_id);
      const existing = seen && this.shipments.get(seen.shipment_id);
      if (seen && existing) {
        if (seen.fingerprint === fingerprint) return existing;
        const message = `external_shipment_id ${input.external_shipment_id} is already used by ${seen.shipment_id}`;
        return failure(400, 'validation', 'identifier_conflict', message);
      }
    }
    const at = this.now().toISOString();
    this.shipmentSequence += 1;
    const record = this.shipmentOf(`se-${String(this.shipmentSequence).padStart(6, '0')}`, input, at);
    this.store(record);
    if (input.external_shipment_id !== null) {
      this.byExternalId.set(input.external_shipment_id, { shipment_id: record.shipment_id, fingerprint });
    }
    return record;
  }

  /** Cancels a shipment whose parcel the carrier has not yet taken, voiding its label. */
  cancel(shipmentId: string): ShipEngineShipment | Failure {
    const shipment = this.shipments.get(shipmentId);
    if (!shipment) return notFound(shipmentId);
    if (shipment.shipment_status === 'cancelled') return shipment;
    const label = this.labelsOf({ shipment_id: shipmentId }).find((found) => !found.voided);
    const code = label ? this.tracking.get(label.tracking_number)?.status_code : undefined;
    if (code !== undefined && code !== 'ac' && code !== 'ny' && code !== 'un') {
      const message = `shipment ${shipmentId} cannot be cancelled: its label is ${code} and must be voided first`;
      return failure(400, 'business_rules', 'invalid_status', message);
    }
    const at = this.now().toISOString();
    for (const [id, label] of this.labels) {
      if (label.shipment_id === shipmentId && !label.voided) {
        this.labels.set(id, { ...label, status: 'voided', voided: true, voided_at: at });
      }
    }
    const cancelled: ShipEngineShipment = { ...shipment, shipment_status: 'cancelled', modified_at: at };
    this.shipments.set(shipmentId, cancelled);
    return cancelled;
  }

  /** The shipment created with this `external_shipment_id`, if any. */
  byExternalShipmentId(externalShipmentId: string): ShipEngineShipment | undefined {
    const seen = this.byExternalId.get(externalShipmentId);
    return seen && this.shipments.get(seen.shipment_id);
  }

  labelsOf(filter: { shipment_id?: string; tracking_number?: string }): ShipEngineLabel[] {
    return [...this.labels.values()].filter(
      (label) =>
        (filter.shipment_id === undefined || label.shipment_id === filter.shipment_id) &&
        (filter.tracking_number === undefined || label.tracking_number === filter.tracking_number),
    );
  }

  private shipmentOf(id: string, input: NewShipment, at: string): ShipEngineShipment {
    const grams = input.packages.reduce((sum, pkg) => sum + pkg.weight.value * GRAMS[pkg.weight.unit], 0);
    return {
      shipment_id: id,
      carrier_id: input.carrier_id,
      service_code: input.service_code,
      external_order_id: input.external_order_id,
      external_shipment_id: input.external_shipment_id,
      shipment_number: input.shipment_number,
      ship_date: at,
      created_at: at,
      modified_at: at,
      shipment_status: 'pending',
      ship_to: input.ship_to,
      ship_from: input.ship_from,
      warehouse_id: null,
      return_to: WAREHOUSE,
      confirmation: 'none',
      customs: null,
      advanced_options: {},
      insurance_provider: 'none',
      tags: [],
      packages: input.packages,
      total_weight: { value: Math.round(grams), unit: 'gram' },
    };
  }

  private store(record: ShipEngineShipment): void {
    this.shipments.set(record.shipment_id, record);
    if (record.external_order_id !== null) {
      const list = this.byOrder.get(record.external_order_id) ?? [];
      this.byOrder.set(record.external_order_id, [...list, record.shipment_id]);
    }
    const number = Number(/^se-(\d+)$/.exec(record.shipment_id)?.[1] ?? 0);
    this.shipmentSequence = Math.max(this.shipmentSequence, number);
  }

  /**
   * Buys the shipment's label (`POST /v1/labels/shipment/{id}`): the label already bought when there is one that
   * holds, else a new one, whose parcel the carrier then tracks as accepted.
   */
  buyLabel(shipmentId: string): ShipEngineLabel | Failure {
    const shipment = this.shipments.get(shipmentId);
    if (!shipment) return notFound(shipmentId);
    if (shipment.shipment_status === 'cancelled') {
      return failure(400, 'business_rules', 'invalid_status', `shipment ${shipmentId} is cancelled`);
    }
    const held = this.labelsOf({ shipment_id: shipmentId }).find((found) => !found.voided);
    if (held) return held;
    return this.purchaseLabel(shipment, `1Z${shipmentId.slice(3)}000`, 'ac', this.now().toISOString());
  }

  /** What the carrier says of a parcel (`GET /v1/tracking`), if it knows the tracking number. */
  trackingOf(trackingNumber: string): ParcelTracking | undefined {
    return this.tracking.get(trackingNumber);
  }

  /** The carrier scans a parcel: a new tracking event with this code (a test moves a parcel along with it). */
  scan(trackingNumber: string, code: TrackingStatusCode, at: string = this.now().toISOString()): ParcelTracking | undefined {
    const known = this.tracking.get(trackingNumber);
    if (!known) return undefined;
    const label = this.labelsOf({ tracking_number: trackingNumber })[0];
    const shipment = label && this.shipments.get(label.shipment_id);
    const place = shipment && code === 'de' ? shipment.ship_to : (shipment?.ship_from ?? WAREHOUSE);
    const event: ShipEngineTrackEvent = {
      occurred_at: at,
      city_locality: place.city_locality,
      state_province: place.state_province,
      postal_code: place.postal_code,
      country_code: place.country_code,
      carrier_detail_code: code.toUpperCase(),
      status_code: code,
      status_description: DESCRIPTION[code],
      carrier_status_code: code.toUpperCase(),
      carrier_status_description: DESCRIPTION[code],
      description: DESCRIPTION[code],
    };
    const moved: ParcelTracking = { ...known, status_code: code, events: [...known.events, event] };
    this.tracking.set(trackingNumber, moved);
    if (label) this.labels.set(label.label_id, { ...label, tracking_status: LABEL_TRACKING[code] });
    return moved;
  }

  private purchaseLabel(record: ShipEngineShipment, trackingNumber: string, code: TrackingStatusCode, at: string): ShipEngineLabel {
    this.labelSequence += 1;
    const label: ShipEngineLabel = {
      label_id: `se-${this.labelSequence}`,
      shipment_id: record.shipment_id,
      status: 'completed',
      carrier_id: record.carrier_id,
      carrier_code: SANDBOX_CARRIER_CODE,
      service_code: record.service_code,
      tracking_number: trackingNumber,
      tracking_status: LABEL_TRACKING['ac'],
      trackable: true,
      voided: false,
      voided_at: null,
      created_at: at,
    };
    this.labels.set(label.label_id, label);
    this.tracking.set(trackingNumber, { status_code: 'ac', ship_date: at, events: [] });
    this.scan(trackingNumber, 'ac', at);
    // A seeded parcel further along: scanned in transit a day after, and delivered a day after that.
    const later = (days: number): string => new Date(Date.parse(at) + days * 86_400_000).toISOString();
    if (code === 'it' || code === 'de' || code === 'ex') this.scan(trackingNumber, 'it', later(1));
    if (code === 'de' || code === 'ex') this.scan(trackingNumber, code, later(2));
    this.shipments.set(record.shipment_id, { ...record, shipment_status: 'label_purchased', modified_at: at });
    return this.labels.get(label.label_id)!;
  }
}

export function notFound(shipmentId: string): Failure {
  return failure(404, 'validation', 'invalid_identifier', `shipment ${shipmentId} was not found`);
}

function failure(status: number, type: Failure['type'], code: string, message: string): Failure {
  return { status, type, code, message };
}

export function isFailure(value: ShipEngineShipment | Failure): value is Failure {
  return 'status' in value && 'code' in value;
}
