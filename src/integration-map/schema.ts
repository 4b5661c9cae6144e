import { z } from 'zod';
import { CONFLICT_RULES, FLOW_DIRECTIONS } from '../domain/source-of-truth';

/**
 * Internal to src/integration-map: the shapes of schema/integration-map.yaml and schema/source-of-truth.yaml. Every
 * object is strict (an unknown key is an error: it is almost always a misspelt one), and no message ever repeats a
 * value from the file, since a value in the wrong place may be a secret.
 */

export const SYSTEM_KINDS = [
  'site-store',
  'crm',
  'erp',
  'payment-gateway',
  'courier',
  'e-invoicing',
  'accounting',
  'support-desk',
  'sms',
  'marketing',
  'legacy-store',
] as const;
export const AUTH_MODELS = ['none', 'oauth2-client-credentials', 'oauth2-refresh-token', 'api-key', 'basic', 'mtls'] as const;
export const DATA_FORMATS = ['sql', 'json', 'json-rpc', 'form', 'xml'] as const;

/** The playbook's conservative default: a call to a system gives up after 8 seconds. */
export const DEFAULT_TIMEOUT_MS = 8_000;
/** Largest answer taken from a system unless the map says otherwise: far above any honest answer of the estate. */
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

export const LITERAL_SECRET =
  'a literal value: credentials come from environment variables or files, never from the map (write { env: NAME } or { file: /path })';

const text = z.string().trim().min(1, 'must not be empty');
const envName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'not an environment variable name (capital letters, digits and _)');
const systemName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a system name is lower-case letters, digits and -');
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/**
 * Where one credential lives: `{ env: NAME }` or `{ file: /path }`. Anything else in its place, a string above all, is
 * refused without repeating it.
 */
const secretRef = z
  .strictObject(
    { env: envName.optional(), file: text.optional() },
    { error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? LITERAL_SECRET : undefined) },
  )
  .refine((ref) => (ref.env === undefined) !== (ref.file === undefined), 'give exactly one of env or file');
export type SecretRef = z.output<typeof secretRef>;

const authSchema = z.discriminatedUnion('model', [
  z.strictObject({ model: z.literal('none') }),
  z.strictObject({
    model: z.literal('oauth2-client-credentials'),
    /** Path of the token endpoint below the base URL. */
    tokenPath: text.optional(),
    clientId: secretRef,
    clientSecret: secretRef,
  }),
  z.strictObject({
    model: z.literal('oauth2-refresh-token'),
    /** Path of the token endpoint below the base URL. */
    tokenPath: text.optional(),
    clientId: secretRef,
    clientSecret: secretRef,
    /** The refresh token the app's installation (the authorization-code step, done once by a person) gave. */
    refreshToken: secretRef,
  }),
  z.strictObject({
    model: z.literal('api-key'),
    /** Where the key travels: a header, a query parameter, an argument of each call. */
    sentIn: text,
    apiKey: secretRef,
    login: secretRef.optional(),
    database: secretRef.optional(),
  }),
  z.strictObject({ model: z.literal('basic'), username: secretRef, password: secretRef }),
  z.strictObject({
    model: z.literal('mtls'),
    /** A variable (or file) that gives the path of our client certificate (PEM); the same for the key and the CA. */
    certFile: secretRef,
    keyFile: secretRef,
    caFile: secretRef.optional(),
  }),
]);
export type AuthSpec = z.output<typeof authSchema>;
export type AuthModel = AuthSpec['model'];

/** The autopilot's default: at most one check of an operation's answers against its contract per minute. */
export const DEFAULT_CONTRACT_CHECK_SECONDS = 60;

/** The secrets of an auth model that may carry a rotation date (every credential field of it). */
const credentialNames = (auth: AuthSpec): string[] => Object.keys(auth).filter((key) => key !== 'model' && key !== 'tokenPath' && key !== 'sentIn');

/** A credential with a date by which it must be replaced: an API key's rotation, a refresh token's end of life. */
const rotationSchema = z.strictObject({
  /** The credential's field in `auth` (apiKey, refreshToken, clientSecret, password, ...). */
  credential: text,
  /** The day it stops working or must be replaced (YYYY-MM-DD, UTC), or a moment (ISO 8601 with its offset). */
  rotateBy: z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'expected a date (YYYY-MM-DD) or an ISO 8601 moment with its offset' }),
});
export type CredentialRotation = z.output<typeof rotationSchema>;

const systemSchema = z.strictObject({
  kind: z.enum(SYSTEM_KINDS),
  title: text,
  baseUrl: z
    .strictObject({ env: envName, sandbox: httpUrl.optional(), default: text.optional() })
    .refine((url) => url.sandbox !== undefined || url.default !== undefined, 'give a sandbox URL or a default'),
  credentialsOwner: text,
  auth: authSchema,
  rateLimit: z.strictObject({ requests: z.number().int().positive(), perSeconds: z.number().positive() }).nullable(),
  sandbox: z.boolean(),
  format: z.enum(DATA_FORMATS),
  timeoutMs: z.number().int().min(100).max(120_000).default(DEFAULT_TIMEOUT_MS),
  /** Largest answer accepted from the system, in bytes; a larger one is refused unread (UPSTREAM_BAD_RESPONSE). */
  maxResponseBytes: z.number().int().min(1_024).max(1024 * 1024 * 1024).default(DEFAULT_MAX_RESPONSE_BYTES),
  notes: text.optional(),
  /**
   * How often the maintenance autopilot holds one operation's answers against the vendor's description and the shape
   * last seen: at most one answer per operation per `everySeconds` (0: every answer).
   */
  contractCheck: z.strictObject({ everySeconds: z.number().min(0).max(86_400) }).default({ everySeconds: DEFAULT_CONTRACT_CHECK_SECONDS }),
  /** Credentials with a declared rotation date: alerted 30, 7 and 1 days before. */
  rotation: z.array(rotationSchema).optional(),
}).superRefine((system, context) => {
  const names = credentialNames(system.auth);
  system.rotation?.forEach((entry, index) => {
    if (!names.includes(entry.credential)) {
      context.addIssue({
        code: 'custom',
        path: ['rotation', index, 'credential'],
        message: names.length ? `not a credential of auth model ${system.auth.model} (one of ${names.join(', ')})` : `auth model ${system.auth.model} has no credential`,
      });
    }
  });
});
export type SystemEntry = z.output<typeof systemSchema>;

export const integrationMapSchema = z.strictObject({
  /** Whose estate this is, shown at the top of the rendered map. */
  title: text.optional(),
  systems: z.record(systemName, systemSchema),
});
/** schema/integration-map.yaml, validated. */
export type IntegrationMap = z.output<typeof integrationMapSchema>;

/** A field's owner as written: a system, `{ oneOf, by }`, or (refused later, with both names) a list. */
const ownerSchema = z.union([
  z.string(),
  z.array(z.string()),
  z.strictObject({ oneOf: z.array(z.string()).min(2, 'name at least two systems'), by: text }),
]);

const fieldRuleSchema = z.strictObject({
  owner: ownerSchema,
  followers: z.array(z.string()),
  direction: z.enum(FLOW_DIRECTIONS),
  conflict: z.enum(CONFLICT_RULES),
  note: text.optional(),
});
export type WrittenFieldRule = z.output<typeof fieldRuleSchema>;

export const matrixSchema = z.strictObject({
  entities: z.record(
    z.string(),
    z.strictObject({ note: text.optional(), fields: z.record(z.string(), fieldRuleSchema) }),
  ),
});
export type WrittenMatrix = z.output<typeof matrixSchema>;
