import { z } from 'zod';

/** Internal to the courier-b adapter: what courier B (ShipEngine-shaped) sends, as zod schemas. */

export const SHIPMENT_STATUSES = ['pending', 'processing', 'label_purchased', 'cancelled'] as const;
export const TRACKING_STATUS_CODES = ['UN', 'AC', 'IT', 'DE', 'EX', 'AT', 'NY'] as const;

export const shipmentSchema = z.object({
  shipment_id: z.string().regex(/^se-\S+$/, 'must be a ShipEngine id (se-...)'),
  shipment_status: z.enum(SHIPMENT_STATUSES),
  external_order_id: z.string().nullable(),
  created_at: z.iso.datetime({ offset: true }),
  /** Sandbox extension: the purchased label's tracking number. */
  tracking_number: z.string().min(1).nullish(),
  /** Sandbox extension: the label's tracking status code. */
  tracking_status_code: z.enum(TRACKING_STATUS_CODES).nullish(),
});
export type ShipEngineShipment = z.infer<typeof shipmentSchema>;

export const listShipmentsSchema = z.object({
  shipments: z.array(shipmentSchema),
  total: z.number().int().min(0),
  page: z.number().int().min(1),
  pages: z.number().int().min(0),
});

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
  label_id: z.string().regex(/^se-\S+$/, 'must be a ShipEngine id (se-...)'),
  status: z.enum(['processing', 'completed', 'error', 'voided']),
  tracking_number: z.string().nullish(),
  voided: z.boolean().nullish(),
});
export type ShipEngineLabel = z.infer<typeof labelSchema>;

export const listLabelsSchema = z.object({ labels: z.array(labelSchema) });
