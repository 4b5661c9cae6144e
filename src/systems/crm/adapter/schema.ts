import { z } from 'zod';

/**
 * Internal to the CRM adapter: what HubSpot sends, as the SDK's models hold it (`@hubspot/api-client`'s
 * lib/codegen/…/models: camelCase names, timestamps as Date), checked with zod before use. The SDK's deserializer
 * copies what it finds without checking types (a number where a string belongs stays a number), so every field the
 * adapter reads is checked here. Unknown fields are dropped, not refused.
 */

/** `POST /oauth/v1/token` (grant_type=refresh_token): HubSpot's "Refresh an access token"; the SDK's TokenResponseIF. */
export const tokenSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  tokenType: z.string().regex(/^bearer$/i, 'a bearer token type'),
  expiresIn: z.number().int().positive(),
});
export type HubSpotToken = z.infer<typeof tokenSchema>;

/** HubSpot sends every property value as a string, and null for a property asked for but unset. */
const property = z.string().nullable().optional();

export const contactSchema = z.object({
  id: z.string().min(1),
  properties: z.object({
    plugboard_customer_id: z.string().min(1),
    email: property,
    firstname: property,
    lastname: property,
    phone: property,
    lifecyclestage: property,
    total_revenue: z
      .string()
      .regex(/^(-?\d+(\.\d+)?)?$/, 'a decimal amount')
      .nullable()
      .optional(),
  }),
  // The SDK makes a Date of whatever came (an invalid one from text that is no date, which z.date() refuses).
  createdAt: z.date(),
  updatedAt: z.date(),
  archived: z.boolean().optional(),
});
export type HubSpotContact = z.infer<typeof contactSchema>;

/** A contact that may not be ours yet (made in HubSpot by a form or a person): `plugboard_customer_id` may be unset. */
export const anyContactSchema = contactSchema.extend({
  properties: contactSchema.shape.properties.extend({ plugboard_customer_id: property }),
});

/** `POST /crm/v3/objects/contacts/batch/upsert`: each result says whether it was created (`new`, the SDK's `_new`). */
export const batchUpsertSchema = z.object({
  status: z.string(),
  results: z.array(contactSchema.extend({ _new: z.boolean().optional() })).min(1),
});

/** `POST /crm/v3/objects/contacts/batch/read`: 200, or 207 when some inputs were not found. */
export const batchReadSchema = z.object({
  status: z.string(),
  results: z.array(contactSchema),
  errors: z.array(z.object({ category: z.string().optional(), message: z.string().optional() })).optional(),
});

/** HubSpot's error body; every field is optional, as HubSpot's own guide says to parse it. */
export const hubSpotErrorSchema = z.object({
  status: z.string().optional(),
  message: z.string().optional(),
  category: z.string().optional(),
  errorType: z.string().optional(),
  policyName: z.string().optional(),
});
export type HubSpotErrorBody = z.infer<typeof hubSpotErrorSchema>;
