/**
 * What a real carrier needs to carry an order, in our own vocabulary: where it goes (a postal address), where it
 * leaves from (the sender's address or the carrier's warehouse id), what is in it (parcels with weight and
 * dimensions), which carrier account and service carry it, and what comes back (the label bought, the tracking read).
 * Adapters map these to their carrier's fields (ship-to and ship-from addresses, a registered warehouse, packages...).
 */

/** A postal address for delivery or dispatch. */
export interface PostalAddress {
  /** The person the parcel is for (or from). */
  readonly name: string;
  /** A phone number the carrier may call; many carriers require one for international shipments. */
  readonly phone?: string | null;
  readonly line1: string;
  readonly line2?: string | null;
  /** City or locality. */
  readonly city: string;
  /** State, province or region, as the country's post writes it (e.g. "TX", "ON"); empty where the country has none. */
  readonly region: string;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2, upper case, e.g. "US", "DE". */
  readonly countryCode: string;
  /** Whether the address is a home (carriers price residential delivery differently); null: unknown, let the carrier decide. */
  readonly residential?: boolean | null;
}

/**
 * Where a courier's shipments leave from, set per courier in its system settings: a sender address, or the id of a
 * warehouse already registered with the carrier (its warehouse id).
 */
export type ShipFrom =
  | { readonly kind: 'ADDRESS'; readonly address: PostalAddress }
  | { readonly kind: 'WAREHOUSE'; readonly warehouseId: string };

/**
 * The carrier account and service a courier books with, set per courier in its system settings, never in code
 * (e.g. a carrier account id and a service code such as "usps_priority_mail").
 */
export interface CarrierService {
  readonly carrierId: string;
  readonly serviceCode: string;
}

export const WEIGHT_UNITS = ['GRAM', 'KILOGRAM', 'OUNCE', 'POUND'] as const;
export type WeightUnit = (typeof WEIGHT_UNITS)[number];

export const LENGTH_UNITS = ['CENTIMETER', 'INCH'] as const;
export type LengthUnit = (typeof LENGTH_UNITS)[number];

export interface Weight {
  readonly value: number;
  readonly unit: WeightUnit;
}

export interface Dimensions {
  readonly length: number;
  readonly width: number;
  readonly height: number;
  readonly unit: LengthUnit;
}

/** One package handed to the carrier. */
export interface Parcel {
  readonly weight: Weight;
  /** Outer dimensions; null where the shop does not know them (carriers then price by weight). */
  readonly dimensions: Dimensions | null;
}

/** The shipping label bought from the carrier. */
export interface ShipmentLabel {
  /** The carrier's label id. */
  readonly id: string;
  /** Where the printable label is downloaded (PDF); null until the carrier has rendered it. */
  readonly url: string | null;
}

/** Where a shipment stands by the carrier's tracking. */
export const TRACKING_STATUSES = [
  'UNKNOWN',
  'NOT_YET_IN_SYSTEM',
  'ACCEPTED',
  'IN_TRANSIT',
  'DELIVERY_ATTEMPT',
  'DELIVERED',
  'EXCEPTION',
] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

/** One scan or status change the carrier reports. */
export interface TrackingEvent {
  readonly at: Date;
  readonly description: string;
  /** Where it happened, as the carrier words it (e.g. "AUSTIN, TX, US"); null when it says nothing. */
  readonly location?: string | null;
}

/** A shipment's tracking as last read from the carrier. */
export interface ShipmentTracking {
  readonly status: TrackingStatus;
  /** Oldest first. */
  readonly events: readonly TrackingEvent[];
}
