import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Parcel, PostalAddress, ShipmentRequest, WeightUnit } from '../../../domain';
import { ATTRIBUTE_PREFIX } from '../../../xml';
import { groupIdOf, MAX_ORDER_ID_LENGTH, MAX_PARCELS, requestIdOf } from './ids';

/**
 * Canada Post Contract Shipping, REST v8, and Tracking (track-v2): the documents courier A speaks, written from Canada
 * Post's developer documentation (Create Shipment, Get Shipment(s), Get Shipment Details, Void Shipment, Get Tracking
 * Summary; links in docs/estate.md) and checked against its published schema (./shipment-v8.trimmed.xsd; tracking:
 * ./track-v2.written.xsd, written from the documentation, unverified).
 */

export const SHIPMENT_NAMESPACE = 'http://www.canadapost.ca/ws/shipment-v8';
export const MESSAGES_NAMESPACE = 'http://www.canadapost.ca/ws/messages';
export const TRACK_NAMESPACE = 'http://www.canadapost.ca/ws/track-v2';
/** Sent as both Content-Type and Accept: Canada Post refuses `*\/*` and picks the service version from it. */
export const SHIPMENT_MEDIA_TYPE = 'application/vnd.cpc.shipment-v8+xml';
export const TRACK_MEDIA_TYPE = 'application/vnd.cpc.track-v2+xml';

/** The largest parcel weight the schema can carry, in kg (Canada Post's services stop at 30 kg). */
const MAX_WEIGHT_KG = 999.999;
/** Canada Post's limit on a reference (customer-ref-1, customer-ref-2). */
const MAX_REFERENCE = 35;

/** The contract account a shop books under: set once per estate in courier A's settings, never in code. */
export interface CanadaPostAccount {
  /** The mailed-by customer number (up to 10 digits), in every shipment URL. */
  readonly customerNumber: string;
  /** The mailed-on-behalf-of customer number. @default customerNumber */
  readonly mobo?: string | undefined;
  /** The parcel contract the shipments are billed to (up to 10 digits). */
  readonly contractId: string;
  /** The service every shipment is booked with, e.g. "DOM.EP" (Expedited Parcel). */
  readonly serviceCode: string;
  /** How the contract pays: "Account" or "CreditCard". */
  readonly methodOfPayment: string;
  /** Where parcels leave from: Canada Post requires the sender's company and phone. */
  readonly sender: { readonly company: string; readonly phone: string; readonly address: PostalAddress };
  /**
   * The weight declared for each parcel of a booking that carries no weights (Canada Post requires one on every
   * shipment and documents no default). @default 1 (kg)
   */
  readonly declaredParcelWeightKg?: number | undefined;
}

/** `/rs/{mailed by}/{mobo}/shipment`: where shipments are created and listed. */
export function shipmentsPath(account: CanadaPostAccount): string {
  const mobo = account.mobo ?? account.customerNumber;
  return `/rs/${encodeURIComponent(account.customerNumber)}/${encodeURIComponent(mobo)}/shipment`;
}

/** Why a booking cannot be written as Canada Post shipments (before anything is sent). */
export class UnbookableShipment extends Error {}

/**
 * The Create Shipment documents for one booking: Canada Post labels one parcel per shipment, so an order in N parcels
 * is N shipments in the order's group (`group-id`, see ./ids.ts), parcel i with `customer-request-id` `{group}-i`
 * (found again by Get Shipments' `requestId`), our order id as `customer-ref-1` and the idempotency key (or its
 * digest) as `customer-ref-2`. A booking that carries no weights declares the account's weight for each parcel.
 */
export function createShipmentDocuments(
  request: ShipmentRequest,
  account: CanadaPostAccount,
  mailingDate: Date,
): Record<string, unknown>[] {
  const shipTo = request.shipTo;
  if (!shipTo) throw new UnbookableShipment('Canada Post needs the destination address');
  if (request.parcels < 1) throw new UnbookableShipment('a booking needs at least one parcel');
  if (request.parcels > MAX_PARCELS) throw new UnbookableShipment(`a booking holds at most ${MAX_PARCELS} parcels`);
  const declared: Parcel = { weight: { value: account.declaredParcelWeightKg ?? 1, unit: 'KILOGRAM' }, dimensions: null };
  const parcels = request.packages?.length ? request.packages : Array.from({ length: request.parcels }, () => declared);
  if (parcels.length !== request.parcels) {
    throw new UnbookableShipment(`the booking says ${request.parcels} parcels and weighs ${parcels.length}`);
  }
  const groupId = groupIdOf(request.orderId);
  if (!groupId) throw new UnbookableShipment(`an order id longer than ${MAX_ORDER_ID_LENGTH} characters cannot name a Canada Post group`);
  return parcels.map((parcel, index) => ({
    shipment: {
      [`${ATTRIBUTE_PREFIX}xmlns`]: SHIPMENT_NAMESPACE,
      'customer-request-id': requestIdOf(groupId, index),
      'group-id': groupId,
      'expected-mailing-date': dayOf(mailingDate),
      'delivery-spec': {
        'service-code': account.serviceCode,
        sender: {
          company: account.sender.company,
          'contact-phone': account.sender.phone,
          'address-details': addressDetails(account.sender.address),
        },
        destination: {
          name: shipTo.name,
          ...(shipTo.phone ? { 'client-voice-number': shipTo.phone } : {}),
          'address-details': addressDetails(shipTo),
        },
        'parcel-characteristics': parcelCharacteristics(parcel),
        preferences: { 'show-packing-instructions': false },
        references: { 'customer-ref-1': request.orderId, 'customer-ref-2': referenceOfKey(request.idempotencyKey) },
        'settlement-info': { 'contract-id': account.contractId, 'intended-method-of-payment': account.methodOfPayment },
      },
    },
  }));
}

/** A day as Canada Post writes dates (YYYY-MM-DD, UTC). */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The idempotency key as a reference: as it is when it fits Canada Post's 35 characters, else a digest of it. */
export function referenceOfKey(idempotencyKey: string): string {
  if (idempotencyKey.length <= MAX_REFERENCE) return idempotencyKey;
  return `h${createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, MAX_REFERENCE - 1)}`;
}

/** Canada Post's address: the province or state in prov-state; the postal code upper case without spaces in Canada. */
function addressDetails(address: PostalAddress): Record<string, unknown> {
  const postalCode = address.countryCode === 'CA' ? address.postalCode.replace(/\s+/g, '').toUpperCase() : address.postalCode;
  return {
    'address-line-1': address.line1,
    ...(address.line2 ? { 'address-line-2': address.line2 } : {}),
    city: address.city,
    ...(address.region ? { 'prov-state': address.region } : {}),
    'country-code': address.countryCode,
    ...(postalCode ? { 'postal-zip-code': postalCode } : {}),
  };
}

const KILOGRAMS: Readonly<Record<WeightUnit, number>> = { GRAM: 0.001, KILOGRAM: 1, OUNCE: 0.028349523125, POUND: 0.45359237 };
const CENTIMETERS = { CENTIMETER: 1, INCH: 2.54 } as const;

/** Weight in kg to the gram, rounded up (a label that says less than the parcel weighs is surcharged); sizes in cm. */
function parcelCharacteristics(parcel: Parcel): Record<string, unknown> {
  const kg = Math.ceil(parcel.weight.value * KILOGRAMS[parcel.weight.unit] * 1000 - 1e-9) / 1000;
  if (!(kg > 0) || kg > MAX_WEIGHT_KG) throw new UnbookableShipment(`a parcel of ${kg} kg cannot be labelled`);
  const size = parcel.dimensions;
  const cm = (value: number) => (Math.ceil(value * CENTIMETERS[size!.unit] * 10 - 1e-9) / 10).toFixed(1);
  return {
    weight: kg.toFixed(3),
    ...(size ? { dimensions: { length: cm(size.length), width: cm(size.width), height: cm(size.height) } } : {}),
  };
}

const link = z.object({
  [`${ATTRIBUTE_PREFIX}rel`]: z.string(),
  [`${ATTRIBUTE_PREFIX}href`]: z.string().min(1),
  [`${ATTRIBUTE_PREFIX}media-type`]: z.string(),
});
type Link = z.infer<typeof link>;

/** Elements that repeat in what courier A reads, for the safe codec (`repeated`). */
export const REPEATED_ELEMENTS = [
  'shipment-info.links.link',
  'shipments.shipment-info',
  'shipments.shipment-info.links.link',
  'shipments.link',
  'tracking-summary.pin-summary',
  'messages.message',
] as const;

/** `shipment-info`, as the safe codec reads it (attributes on, `links.link` repeated). */
export const shipmentInfoSchema = z.object({
  'customer-request-id': z.string().optional(),
  'shipment-id': z.string().min(1),
  'shipment-status': z.string().min(1),
  'tracking-pin': z.string().min(1).optional(),
  links: z.object({ link: z.array(link).min(1) }),
});

/** What courier A reads from a shipment: its ids, where Canada Post says it stands, and where its resources are. */
export interface ShipmentInfo {
  readonly shipmentId: string;
  readonly customerRequestId: string | null;
  /** "created", "transmitted" or "suspended": a voided shipment is gone (404), not a status. */
  readonly status: string;
  readonly trackingPin: string | null;
  /** The shipment itself (Get Shipment; DELETE it to void). */
  readonly selfUrl: string | null;
  /** Get Shipment Details. */
  readonly detailsUrl: string | null;
  /** Get Artifact's address for the label (a PDF), from its `label` link. */
  readonly labelUrl: string | null;
}

export function toShipmentInfo(info: z.infer<typeof shipmentInfoSchema>): ShipmentInfo {
  const href = (rel: string): string | null => info.links.link.find((each: Link) => each[`${ATTRIBUTE_PREFIX}rel`] === rel)?.[`${ATTRIBUTE_PREFIX}href`] ?? null;
  return {
    shipmentId: info['shipment-id'],
    customerRequestId: info['customer-request-id'] ?? null,
    status: info['shipment-status'],
    trackingPin: info['tracking-pin'] ?? null,
    selfUrl: href('self'),
    detailsUrl: href('details'),
    labelUrl: href('label'),
  };
}

/** An element holding nothing (`<shipments/>`, or one with only its namespace) reads as '' or as attributes alone. */
const emptyAsObject = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? {} : value), schema);

/** Get Shipments with `provideShipmentInfo=true`: the shipments themselves. */
export const shipmentsSchema = z.object({
  shipments: emptyAsObject(z.object({ 'shipment-info': z.array(shipmentInfoSchema).optional() })),
});

/** Get Shipment Details, as far as courier A reads it: the mailing day the shipment was created for. */
export const shipmentDetailsSchema = z.object({
  'shipment-details': z.object({
    'shipment-status': z.string().min(1),
    'tracking-pin': z.string().optional(),
    'shipment-detail': z.object({ 'expected-mailing-date': z.iso.date().optional() }),
  }),
});

/** Get Tracking Summary (unverified: see ./track-v2.written.xsd). */
export const pinSummarySchema = z.object({
  pin: z.string().min(1),
  'mailed-on-date': z.iso.date().optional(),
  'event-date-time': z.string().optional(),
  'event-type': z.string().optional(),
  'event-description': z.string().optional(),
  'event-location': z.string().optional(),
});
export type PinSummary = z.infer<typeof pinSummarySchema>;
export const trackingSummarySchema = z.object({
  'tracking-summary': emptyAsObject(z.object({ 'pin-summary': z.array(pinSummarySchema).optional() })),
});

/** Canada Post's error document: one message per problem. */
export const messagesSchema = z.object({
  messages: z.object({ message: z.array(z.object({ code: z.string(), description: z.string().optional() })).optional() }),
});
export type CanadaPostMessage = { readonly code: string; readonly description?: string | undefined };

/**
 * The tracking event types courier A reads a delivery from. UNVERIFIED: the values Canada Post's event-type takes are
 * not in a published source found; the sandbox answers these.
 */
export const DELIVERED_EVENT_TYPES: readonly string[] = ['DELIVERED'];

/** The code Canada Post answers a void with when the shipment was already transmitted (Void Shipment's page). */
export const ALREADY_TRANSMITTED_CODE = '8064';
