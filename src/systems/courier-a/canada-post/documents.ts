import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Parcel, PostalAddress, ShipmentRequest, WeightUnit } from '../../../domain';
import { ATTRIBUTE_PREFIX } from '../../../xml';

/**
 * Canada Post Contract Shipping, REST v8: the documents courier A is to speak, written from Canada Post's developer
 * documentation (Create Shipment, Get Shipment, Get Shipments, Void Shipment; links in docs/estate.md) and checked
 * against its published schema (./shipment-v8.trimmed.xsd). Not wired into courier A's adapter yet: docs/estate.md
 * says what in our courier port and its contract suite stands in the way.
 */

export const SHIPMENT_NAMESPACE = 'http://www.canadapost.ca/ws/shipment-v8';
export const MESSAGES_NAMESPACE = 'http://www.canadapost.ca/ws/messages';
/** Sent as both Content-Type and Accept: Canada Post refuses `*\/*` and picks the service version from it. */
export const SHIPMENT_MEDIA_TYPE = 'application/vnd.cpc.shipment-v8+xml';

/** Canada Post's limits on the ids we put in a shipment. */
const MAX_GROUP_ID = 32;
const MAX_CUSTOMER_REQUEST_ID = 35;
/** The largest parcel weight the schema can carry, in kg (Canada Post's services stop at 30 kg). */
const MAX_WEIGHT_KG = 999.999;

/** The contract account a shop books under: set once per estate in courier A's settings, never in code. */
export interface CanadaPostAccount {
  /** The mailed-by customer number (up to 10 digits), in every shipment URL. */
  readonly customerNumber: string;
  /** The mailed-on-behalf-of customer number. @default customerNumber */
  readonly mobo?: string;
  /** The parcel contract the shipments are billed to (up to 10 digits). */
  readonly contractId: string;
  /** The service every shipment is booked with, e.g. "DOM.EP" (Expedited Parcel). */
  readonly serviceCode: string;
  /** How the contract pays: "Account" or "CreditCard". */
  readonly methodOfPayment: string;
  /** Where parcels leave from: Canada Post requires the sender's company and phone. */
  readonly sender: { readonly company: string; readonly phone: string; readonly address: PostalAddress };
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
 * is N shipments, grouped under the order id (`group-id`, for Get Shipments by group) and each with a
 * `customer-request-id` made from the idempotency key (for Get Shipments by request id, which finds a shipment whose
 * answer was lost instead of creating it twice).
 */
export function createShipmentDocuments(
  request: ShipmentRequest,
  account: CanadaPostAccount,
  mailingDate: Date,
): Record<string, unknown>[] {
  const shipTo = request.shipTo;
  if (!shipTo) throw new UnbookableShipment('Canada Post needs the destination address');
  const parcels = request.packages ?? [];
  if (parcels.length === 0 || parcels.length !== request.parcels) {
    throw new UnbookableShipment('Canada Post needs each parcel with its weight (one shipment per parcel)');
  }
  if (request.orderId.length > MAX_GROUP_ID) throw new UnbookableShipment(`an order id longer than ${MAX_GROUP_ID} characters cannot name a Canada Post group`);
  return parcels.map((parcel, index) => ({
    shipment: {
      [`${ATTRIBUTE_PREFIX}xmlns`]: SHIPMENT_NAMESPACE,
      'customer-request-id': customerRequestIdOf(request.idempotencyKey, index),
      'group-id': request.orderId,
      'expected-mailing-date': mailingDate.toISOString().slice(0, 10),
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
        references: { 'customer-ref-1': request.orderId },
        'settlement-info': { 'contract-id': account.contractId, 'intended-method-of-payment': account.methodOfPayment },
      },
    },
  }));
}

/**
 * The `customer-request-id` of one parcel of a booking: the idempotency key and the parcel's place, as they are when
 * they fit Canada Post's 35 characters, else a digest of the key (the same key always gives the same ids).
 */
export function customerRequestIdOf(idempotencyKey: string, index: number): string {
  const plain = `${idempotencyKey}-${index + 1}`;
  if (plain.length <= MAX_CUSTOMER_REQUEST_ID) return plain;
  const digest = createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 28);
  return `h${digest}-${index + 1}`;
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

/** `shipment-info`, as the safe codec reads it (attributes on, `links.link` repeated). */
export const shipmentInfoSchema = z.object({
  'shipment-id': z.string().min(1),
  'shipment-status': z.string().min(1),
  'tracking-pin': z.string().min(1).optional(),
  links: z.object({ link: z.array(link).min(1) }),
});

/** What courier A reads from a shipment: its ids, where Canada Post says it stands, and where its label is. */
export interface ShipmentInfo {
  readonly shipmentId: string;
  /** "created", "transmitted" or "suspended": a voided shipment is gone (404), not a status. */
  readonly status: string;
  readonly trackingPin: string | null;
  /** Get Artifact's address for the label (a PDF), from its `label` link. */
  readonly labelUrl: string | null;
}

export function toShipmentInfo(info: z.infer<typeof shipmentInfoSchema>): ShipmentInfo {
  const href = (rel: string): string | null => info.links.link.find((each: Link) => each[`${ATTRIBUTE_PREFIX}rel`] === rel)?.[`${ATTRIBUTE_PREFIX}href`] ?? null;
  return {
    shipmentId: info['shipment-id'],
    status: info['shipment-status'],
    trackingPin: info['tracking-pin'] ?? null,
    labelUrl: href('label'),
  };
}
