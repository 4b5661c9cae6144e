import { z } from 'zod';

/**
 * Internal to the CRM sandbox: HubSpot's request and answer shapes for the operations the sandbox serves, as zod
 * schemas written from HubSpot's public API reference (HubSpot's own specification files are not licensed for
 * copying, so none is kept here). Sources, by page title on developers.hubspot.com:
 * - "Refresh an access token" (OAuth tokens v1): the token request and answer;
 * - CRM API "Contacts" reference: "Retrieve a batch of contacts" (batch/read), "Create or update a batch of contacts
 *   by unique property values" (batch/upsert), "Update a contact", "Create a contact", "Retrieve a contact",
 *   "Retrieve contacts" (the list), and the shared object shapes `SimplePublicObject`, `SimplePublicUpsertObject`,
 *   `BatchResponseSimplePublicObject` and `StandardError`;
 * - "Error handling" (API guide): the error body.
 * Unknown fields are allowed (`passthrough`): HubSpot adds fields without notice.
 */

const isoDateTime = z.iso.datetime({ offset: true });

/** `SimplePublicObject`: every property value a string, or null when asked for and unset. */
const simplePublicObject = z
  .object({
    id: z.string().min(1),
    properties: z.record(z.string(), z.string().nullable()),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    archived: z.boolean().optional(),
    archivedAt: isoDateTime.optional(),
  })
  .passthrough();

/** `StandardError`, inside batch answers. */
const standardError = z
  .object({
    status: z.string(),
    category: z.string(),
    message: z.string(),
    context: z.record(z.string(), z.array(z.string())).optional(),
    subCategory: z.unknown().optional(),
    links: z.record(z.string(), z.string()).optional(),
    errors: z.array(z.unknown()).optional(),
  })
  .passthrough();

/** The error body every HubSpot API answers a failure with ("Error handling"). */
const errorBody = z
  .object({
    status: z.literal('error'),
    message: z.string(),
    correlationId: z.string(),
    category: z.string().optional(),
    errorType: z.string().optional(),
    policyName: z.string().optional(),
    context: z.record(z.string(), z.array(z.string())).optional(),
    errors: z.array(z.unknown()).optional(),
  })
  .passthrough();

/** The token endpoint's own error body: `{status: "BAD_…", message, correlationId}`. */
const tokenErrorBody = z.object({ status: z.string(), message: z.string(), correlationId: z.string() }).passthrough();

const batchStatus = z.enum(['PENDING', 'PROCESSING', 'CANCELED', 'COMPLETE']);
const propertyValues = z.record(z.string(), z.string());

/** One operation's shapes: its request body (absent for GET) and its answers, by status class. */
interface OperationReference {
  readonly request?: z.ZodType;
  readonly ok: z.ZodType;
  readonly error: z.ZodType;
}

export const CRM_REFERENCE: Readonly<Record<string, OperationReference>> = {
  'oauth.token': {
    request: z.object({
      grant_type: z.enum(['authorization_code', 'refresh_token']),
      client_id: z.string().min(1),
      client_secret: z.string().min(1),
      refresh_token: z.string().min(1).optional(),
      code: z.string().optional(),
      redirect_uri: z.string().optional(),
    }),
    ok: z.object({
      token_type: z.literal('bearer'),
      refresh_token: z.string().min(1),
      access_token: z.string().min(1).max(300),
      expires_in: z.number().int().positive(),
    }),
    error: tokenErrorBody,
  },
  'contacts.list': {
    ok: z
      .object({
        results: z.array(simplePublicObject),
        paging: z.object({ next: z.object({ after: z.string(), link: z.string().optional() }) }).optional(),
      })
      .passthrough(),
    error: errorBody,
  },
  'contacts.get': { ok: simplePublicObject, error: errorBody },
  'contacts.batchRead': {
    request: z.object({
      inputs: z.array(z.object({ id: z.string() })).max(100),
      properties: z.array(z.string()),
      propertiesWithHistory: z.array(z.string()),
      idProperty: z.string().optional(),
    }),
    ok: z
      .object({
        status: batchStatus,
        results: z.array(simplePublicObject),
        startedAt: isoDateTime,
        completedAt: isoDateTime,
        numErrors: z.number().int().optional(),
        errors: z.array(standardError).optional(),
      })
      .passthrough(),
    error: errorBody,
  },
  'contacts.batchUpsert': {
    request: z.object({
      inputs: z
        .array(
          z.object({
            idProperty: z.string().min(1),
            id: z.string().min(1),
            properties: propertyValues,
            objectWriteTraceId: z.string().optional(),
          }),
        )
        .max(100),
    }),
    ok: z
      .object({
        status: batchStatus,
        results: z.array(simplePublicObject.extend({ new: z.boolean() })),
        startedAt: isoDateTime,
        completedAt: isoDateTime,
      })
      .passthrough(),
    error: errorBody,
  },
  'contacts.update': { request: z.object({ properties: propertyValues }), ok: simplePublicObject, error: errorBody },
  'contacts.create': {
    request: z.object({ properties: propertyValues, associations: z.array(z.unknown()).optional() }),
    ok: simplePublicObject,
    error: errorBody,
  },
};

/** What a request or an answer has outside HubSpot's reference, in a few words each; empty when it is within. */
export function problemsOf(schema: z.ZodType | undefined, value: unknown): string[] {
  if (!schema) return [];
  const checked = schema.safeParse(value);
  return checked.success ? [] : checked.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
}
