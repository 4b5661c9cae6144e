import { IntegrationError, type Shipment, type ShipmentRequest, type ShipmentStatus } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import type { ShipEngineLabel, ShipEngineShipment, TRACKING_STATUS_CODES } from './schema';

/** Internal to the courier-b adapter: ShipEngine's vocabulary <-> the domain. */

const BY_TRACKING: Readonly<Record<(typeof TRACKING_STATUS_CODES)[number], ShipmentStatus>> = {
  UN: 'LABEL_CREATED',
  NY: 'LABEL_CREATED',
  AC: 'LABEL_CREATED',
  IT: 'IN_TRANSIT',
  AT: 'IN_TRANSIT',
  DE: 'DELIVERED',
  EX: 'EXCEPTION',
};

function statusOf(shipment: ShipEngineShipment): ShipmentStatus {
  switch (shipment.shipment_status) {
    case 'cancelled':
      return 'CANCELLED';
    case 'pending':
    case 'processing':
      return 'LABEL_CREATED';
    case 'label_purchased':
      return BY_TRACKING[shipment.tracking_status_code ?? 'UN'];
    default: {
      const unreachable: never = shipment.shipment_status;
      throw new Error(`unknown shipment status ${String(unreachable)}`);
    }
  }
}

/**
 * A ShipEngine shipment as our shipment. One still waiting for its label has no tracking number yet: it maps to
 * LABEL_CREATED with an empty tracking number.
 */
export function toShipment(shipment: ShipEngineShipment, carrier: string, orderId: string, label?: ShipEngineLabel): Shipment {
  return {
    id: `${carrier}:${shipment.shipment_id}`,
    orderId,
    carrier,
    trackingNumber: label?.tracking_number || shipment.tracking_number || '',
    status: statusOf(shipment),
    createdAt: new Date(shipment.created_at),
  };
}

/**
 * A postal address as the domain carries it (its PostalAddress), read structurally so that the adapter compiles
 * before and after the domain's shipping types.
 */
export interface CourierBAddress {
  readonly name: string;
  readonly phone?: string | null;
  readonly line1: string;
  readonly line2?: string | null;
  readonly city: string;
  readonly region: string;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2. */
  readonly countryCode: string;
  readonly residential?: boolean | null;
}

/** One package as the domain carries it (its Parcel), read structurally. */
export interface CourierBParcel {
  readonly weight: { readonly value: number; readonly unit: 'GRAM' | 'KILOGRAM' | 'OUNCE' | 'POUND' };
  readonly dimensions: { readonly length: number; readonly width: number; readonly height: number; readonly unit: 'CENTIMETER' | 'INCH' } | null;
}

/** The booking account: ShipEngine's carrier and service ids and where parcels leave from, from configuration. */
export interface CourierBAccount {
  readonly carrierId: string;
  readonly serviceCode: string;
  readonly shipFrom: CourierBAddress;
  readonly packageWeightGrams: number;
}

/** What bookShipment reads: the port's request, with the address and parcels the domain carries once it has them. */
export type CourierBShipmentRequest = ShipmentRequest & {
  readonly shipTo?: CourierBAddress | null;
  readonly packages?: readonly CourierBParcel[] | null;
};

/** ShipEngine's `address` (every field its description requires; `phone` only when we know one). */
export function toShipEngineAddress(address: CourierBAddress): Record<string, unknown> {
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

function toPackage(parcel: CourierBParcel): Record<string, unknown> {
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
 * holds only the recipient: real ShipEngine refuses that; the sandbox accepts it.
 */
export function toCreateShipments(input: CourierBShipmentRequest, account: CourierBAccount): unknown {
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
        external_shipment_id: input.idempotencyKey,
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
