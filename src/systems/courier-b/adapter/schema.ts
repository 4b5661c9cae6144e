import { z } from 'zod';

/** Internal to the courier-b adapter: what ShipEngine sends, as zod schemas (from its description, components.schemas). */

export const SHIPMENT_STATUSES = ['pending', 'processing', 'label_purchased', 'cancelled'] as const;
/** ShipEngine's tracking `status_code`s (its description writes them lower case, its answers upper case: both are read). */
export const TRACKING_STATUS_CODES = ['un', 'ac', 'it', 'de', 'ex', 'at', 'ny'] as const;
export type TrackingStatusCode = (typeof TRACKING_STATUS_CODES)[number];
/** A label's `tracking_status` (components.schemas.tracking_status). */
export const LABEL_TRACKING_STATUSES = ['unknown', 'in_transit', 'error', 'delivered'] as const;

const seId = z.string().regex(/^se-\S+$/, 'must be a ShipEngine id (se-...)');
const statusCode = z.preprocess((value) => (typeof value === 'string' ? value.toLowerCase() : value), z.enum(TRACKING_STATUS_CODES));

export const shipmentSchema = z.object({
  shipment_id: seId,
  shipment_status: z.enum(SHIPMENT_STATUSES),
  external_order_id: z.string().nullable(),
  /** The id we gave it (ours, made from the order id): how a page of orders finds its shipments in the list. */
  external_shipment_id: z.string().nullish(),
  created_at: z.iso.datetime({ offset: true }),
});
export type ShipEngineShipment = z.infer<typeof shipmentSchema>;

const errorSchema = z.object({
  error_source: z.string(),
  error_type: z.string(),
  error_code: z.string(),
  message: z.string(),
});

export const createShipmentsSchema = z.object({
  has_errors: z.boolean(),
  shipments: z
    // ShipEngine's per-shipment errors are strings (create_shipment_response_body_fields.errors).
    .array(shipmentSchema.extend({ errors: z.array(z.string()).nullish() }))
    .min(1, 'must hold the created shipment'),
});

export const errorResponseSchema = z.object({
  request_id: z.string().optional(),
  errors: z.array(errorSchema).min(1),
});
export type ShipEngineError = z.infer<typeof errorSchema>;

/** A label (`POST /v1/labels/shipment/{id}`, `GET /v1/labels`): what we read of it. */
export const labelSchema = z.object({
  label_id: seId,
  /** The shipment it is for (present on every label ShipEngine lists; a page read matches labels by it). */
  shipment_id: seId.nullish(),
  status: z.enum(['processing', 'completed', 'error', 'voided']),
  tracking_number: z.string().nullish(),
  voided: z.boolean().nullish(),
  /** The carrier's code (`fedex`, `stamps_com`): what `GET /v1/tracking` is asked with. */
  carrier_code: z.string().nullish(),
  label_download: z.object({ pdf: z.string().nullish(), href: z.string().nullish() }).nullish(),
  /** Where the parcel stands (components.schemas.tracking_status): what a page read shows instead of the tracking log. */
  tracking_status: z.enum(LABEL_TRACKING_STATUSES).nullish(),
});
export type ShipEngineLabel = z.infer<typeof labelSchema>;

export const listLabelsSchema = z.object({ labels: z.array(labelSchema), page: z.number().int(), pages: z.number().int() });

/** `GET /v1/shipments` (list_shipments_response_body): one page, and how many there are. */
export const listShipmentsSchema = z.object({ shipments: z.array(shipmentSchema), page: z.number().int(), pages: z.number().int() });

/** `GET /v1/tracking` (get_tracking_log_response_body): the status and the carrier's events. */
export const trackingSchema = z.object({
  tracking_number: z.string().nullish(),
  status_code: statusCode,
  events: z
    .array(
      z.object({
        occurred_at: z.iso.datetime({ offset: true }),
        status_code: statusCode.nullish(),
        description: z.string().nullish(),
        status_description: z.string().nullish(),
        carrier_status_description: z.string().nullish(),
        city_locality: z.string().nullish(),
        state_province: z.string().nullish(),
        country_code: z.string().nullish(),
      }),
    )
    .nullish(),
});
export type ShipEngineTracking = z.infer<typeof trackingSchema>;
