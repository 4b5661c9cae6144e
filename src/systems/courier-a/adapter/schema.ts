import { z } from 'zod';

/** Internal to the courier-a adapter: what courier A sends, as zod schemas. */

export const CONSIGNMENT_STATUS_CODES = ['PRE_ADVICE', 'IN_TRANSIT', 'DELIVERED', 'EXCEPTION', 'CANCELLED'] as const;

/** An empty element parses as ''; an element holding nothing but children parses as an object. */
const emptyAsObject = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? {} : value), schema);

export const consignmentSchema = z.object({
  ConsignmentNo: z.string().min(1),
  Reference: z.string().min(1),
  Barcode: z.string().min(1),
  StatusCode: z.enum(CONSIGNMENT_STATUS_CODES),
  Created: z.iso.datetime({ offset: true }),
});
export type Consignment = z.infer<typeof consignmentSchema>;

export const trackResponseSchema = z.object({
  TrackResponse: emptyAsObject(z.object({ Consignment: z.array(consignmentSchema).optional() })),
});

export const shipmentResponseSchema = z.object({
  ShipmentResponse: z.object({ Consignment: consignmentSchema }),
});

export const cancelResponseSchema = z.object({
  CancelResponse: z.object({ Consignment: consignmentSchema }),
});

export const faultSchema = z.object({
  Fault: z.object({
    Code: z.string().min(1),
    Message: z.string().optional(),
  }),
});
export type Fault = z.infer<typeof faultSchema>['Fault'];
