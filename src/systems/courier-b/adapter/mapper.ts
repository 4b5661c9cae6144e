import { IntegrationError, type Parcel, type PostalAddress, type Shipment, type ShipmentRequest, type ShipmentStatus, type ShipmentTracking, type TrackingStatus } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import type { LABEL_TRACKING_STATUSES, ShipEngineLabel, ShipEngineShipment, ShipEngineTracking, TrackingStatusCode } from './schema';

/** Internal to the courier-b adapter: ShipEngine's vocabulary <-> the domain. */

/** ShipEngine's tracking status codes (description: components.schemas.status_code) in our words. */
const TRACKING: Readonly<Record<TrackingStatusCode, { tracking: TrackingStatus; shipment: ShipmentStatus }>> = {
  un: { tracking: 'UNKNOWN', shipment: 'LABEL_CREATED' },
  ny: { tracking: 'NOT_YET_IN_SYSTEM', shipment: 'LABEL_CREATED' },
  ac: { tracking: 'ACCEPTED', shipment: 'LABEL_CREATED' },
  it: { tracking: 'IN_TRANSIT', shipment: 'IN_TRANSIT' },
  at: { tracking: 'DELIVERY_ATTEMPT', shipment: 'IN_TRANSIT' },
  de: { tracking: 'DELIVERED', shipment: 'DELIVERED' },
  ex: { tracking: 'EXCEPTION', shipment: 'EXCEPTION' },
};

function statusOf(shipment: ShipEngineShipment, tracking: ShipEngineTracking | null): ShipmentStatus {
  switch (shipment.shipment_status) {
    case 'cancelled':
      return 'CANCELLED';
    case 'pending':
    case 'processing':
      return 'LABEL_CREATED';
    case 'label_purchased':
      return TRACKING[tracking?.status_code ?? 'un'].shipment;
    default: {
      const unreachable: never = shipment.shipment_status;
      throw new Error(`unknown shipment status ${String(unreachable)}`);
    }
  }
}

/** A label's `tracking_status` as the nearest tracking status code. */
const LABEL_TRACKING: Readonly<Record<(typeof LABEL_TRACKING_STATUSES)[number], TrackingStatusCode>> = {
  unknown: 'un',
  in_transit: 'it',
  delivered: 'de',
  error: 'ex',
};

/**
 * The tracking a label tells by its `tracking_status`, without the carrier's events (those are `GET /v1/tracking`'s):
 * what a page read shows, so that a page costs no tracking request per order.
 */
export function trackingOfLabel(label: ShipEngineLabel | null): ShipEngineTracking | null {
  if (!label?.tracking_status) return null;
  return { tracking_number: label.tracking_number, status_code: LABEL_TRACKING[label.tracking_status], events: [] };
}

/** The carrier's tracking as the domain carries it, its events oldest first. */
export function toTracking(tracking: ShipEngineTracking): ShipmentTracking {
  const events = (tracking.events ?? [])
    .map((event) => ({
      at: new Date(event.occurred_at),
      description: event.description || event.status_description || event.carrier_status_description || TRACKING[event.status_code ?? 'un'].tracking,
      location: [event.city_locality, event.state_province, event.country_code].filter((part) => part).join(', ') || null,
    }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return { status: TRACKING[tracking.status_code].tracking, events };
}

/** What a shipment is read with besides itself: its label (bought apart from it) and the carrier's tracking. */
export interface ShipmentExtras {
  readonly label?: ShipEngineLabel | null;
  readonly tracking?: ShipEngineTracking | null;
}

/**
 * A ShipEngine shipment as our shipment: the tracking number is its label's, the status its tracking's once the label
 * is bought. One still waiting for its label has no tracking number yet: LABEL_CREATED with an empty tracking number.
 */
export function toShipment(shipment: ShipEngineShipment, carrier: string, orderId: string, extras: ShipmentExtras = {}): Shipment {
  const label = extras.label ?? null;
  const tracking = extras.tracking ?? null;
  return {
    id: `${carrier}:${shipment.shipment_id}`,
    orderId,
    carrier,
    trackingNumber: label?.tracking_number || '',
    status: statusOf(shipment, tracking),
    createdAt: new Date(shipment.created_at),
    label: label ? { id: label.label_id, url: label.label_download?.pdf || label.label_download?.href || null } : null,
    tracking: tracking ? toTracking(tracking) : null,
  };
}

/** The booking account: ShipEngine's carrier and service ids and where parcels leave from, from configuration. */
export interface CourierBAccount {
  readonly carrierId: string;
  readonly serviceCode: string;
  readonly shipFrom: PostalAddress;
  readonly packageWeightGrams: number;
}


/** ShipEngine's `address` (every field its description requires; `phone` only when we know one). */
export function toShipEngineAddress(address: PostalAddress): Record<string, unknown> {
  const indicator = address.residential === true ? 'yes' : address.residential === false ? 'no' : 'unknown';
  return {
    name: address.name,
    ...(address.phone ? { phone: address.phone } : {}),
    address_line1: address.line1,
    ...(address.line2 ? { address_line2: address.line2 } : {}),
    city_locality: address.city,
    state_province: address.region,
    postal_code: address.postalCode,
    country_code: address.countryCode,
    address_residential_indicator: indicator,
  };
}

function toPackage(parcel: Parcel): Record<string, unknown> {
  const { dimensions } = parcel;
  return {
    weight: { value: parcel.weight.value, unit: parcel.weight.unit.toLowerCase() },
    ...(dimensions
      ? { dimensions: { length: dimensions.length, width: dimensions.width, height: dimensions.height, unit: dimensions.unit.toLowerCase() } }
      : {}),
  };
}

/**
 * `POST /v1/shipments`'s body. Without a delivery address (a request from before the domain carried one) `ship_to`
 * holds only the recipient: ShipEngine refuses that (and so does the sandbox, held to its description).
 */
export function toCreateShipments(input: ShipmentRequest, account: CourierBAccount, externalShipmentId: string): unknown {
  // ShipEngine's description requires a phone on every address: without the recipient's, the sender's (the carrier
  // then calls the shop), which is what a shop writes on a parcel form too.
  const phone = input.shipTo?.phone ?? input.recipient.phone ?? account.shipFrom.phone ?? null;
  const shipTo = input.shipTo
    ? toShipEngineAddress({ ...input.shipTo, phone })
    : { name: input.recipient.name, ...(input.recipient.phone ? { phone: input.recipient.phone } : {}) };
  const packages = input.packages?.length
    ? input.packages.map(toPackage)
    : Array.from({ length: input.parcels }, () => ({ weight: { value: account.packageWeightGrams, unit: 'gram' } }));
  return {
    shipments: [
      {
        carrier_id: account.carrierId,
        service_code: account.serviceCode,
        external_shipment_id: externalShipmentId,
        external_order_id: input.orderId,
        ship_to: shipTo,
        ship_from: toShipEngineAddress(account.shipFrom),
        packages,
      },
    ],
  };
}

/** The ShipEngine id inside one of our shipment ids (`courier-b:se-000123`). */
export function shipEngineIdOf(site: CallSite, carrier: string, shipmentId: string): string {
  const prefix = `${carrier}:`;
  const id = shipmentId.startsWith(prefix) ? shipmentId.slice(prefix.length) : '';
  if (!/^se-\S+$/.test(id)) {
    const reason = `"${shipmentId}" is not a ${carrier} shipment id`;
    throw new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
  }
  return id;
}
