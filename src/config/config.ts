import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SYSTEM_REGISTRY, type SystemSetting } from '../systems';
import { GATEWAY_PORT } from './ports';
import { isTimeZone } from '../shadow/business-day';

/**
 * Plugboard's configuration: one typed schema; every key has a description, an environment variable and a default.
 * Invalid values stop the start with a message that names the variable.
 */
const port = z.coerce.number().int().min(0).max(65_535);
const url = z.string().url();

const CORE_KEYS = {
  PORT: { schema: port.default(GATEWAY_PORT), doc: 'Port of the gateway (GraphQL, explorer, health, admin).' },
  HOST: { schema: z.string().default('127.0.0.1'), doc: 'Interface the gateway binds to. Use 0.0.0.0 to serve beyond this machine (subgraphs and sandboxes keep PLUGBOARD_INTERNAL_HOST).' },
  PLUGBOARD_INTERNAL_HOST: {
    schema: z.string().default('127.0.0.1'),
    doc: 'Interface the subgraphs (`npm run subgraph`, or `npm start` with PLUGBOARD_SUBGRAPH_CALLS=http) and the sandboxes with their fault switches bind to; HOST never moves them.',
  },
  DATABASE_URL: {
    schema: z.string().optional(),
    doc: 'Database for the site\'s store, audit and outbox: unset for SQLite in PLUGBOARD_DATA_DIR, or postgresql://…',
  },
  REDIS_URL: { schema: url.optional(), doc: 'Redis for the shared read cache (and, later, rate limits); unset keeps them in memory.' },
  PLUGBOARD_SCHEMA_DIR: {
    schema: z.string().optional(),
    doc: 'Where every process reads the integration map and the source-of-truth matrix from; unset: the project\'s schema/.',
  },
  PLUGBOARD_DATA_DIR: { schema: z.string().default('.plugboard'), doc: 'Where the embedded SQLite file and the test PKI live.' },
  PLUGBOARD_ADMIN_TOKEN: { schema: z.string().min(16).optional(), doc: 'Bearer token for /admin; `npm start` makes and prints one when unset.' },
  PLUGBOARD_TIMEOUT_MS: { schema: z.coerce.number().int().min(100).max(120_000).default(8_000), doc: 'Default timeout of a call to a system.' },
  PLUGBOARD_SYSTEM_MAX_CALLS: {
    schema: z.coerce.number().int().min(1).max(1_000).default(32),
    doc: 'Calls to one system in flight at once (its bulkhead); more wait in a short queue, whose wait is not part of the system\'s timeout.',
  },
  PLUGBOARD_SYSTEM_CALL_QUEUE: {
    schema: z.coerce.number().int().min(0).max(10_000).default(128),
    doc: 'Calls that may wait for a place in a system\'s bulkhead; one more fails at once with SYSTEM_BUSY (ours, never counted by the breaker).',
  },
  PLUGBOARD_SYSTEM_QUEUE_WAIT_MS: {
    schema: z.coerce.number().int().min(1).max(120_000).default(1_500),
    doc: 'Longest a call waits for a place in a system\'s bulkhead before it fails with SYSTEM_BUSY.',
  },
  PLUGBOARD_ADMISSION: { schema: z.enum(['on', 'off']).default('on'), doc: 'Admission control of GraphQL requests at the gateway (off: every request is let in at once).' },
  PLUGBOARD_MAX_REQUESTS: {
    schema: z.coerce.number().int().min(1).max(10_000).default(64),
    doc: 'GraphQL requests the gateway serves at once; more wait in a short queue (health, metrics and admin are never held).',
  },
  PLUGBOARD_REQUEST_QUEUE: {
    schema: z.coerce.number().int().min(0).max(100_000).default(64),
    doc: 'GraphQL requests that may wait for a place; past it the gateway answers 503 OVERLOADED with Retry-After at once.',
  },
  PLUGBOARD_REQUEST_QUEUE_WAIT_MS: {
    schema: z.coerce.number().int().min(1).max(60_000).default(1_000),
    doc: 'Longest a GraphQL request waits for a place before it is answered 503 OVERLOADED.',
  },
  PLUGBOARD_REQUEST_DEADLINE_MS: {
    schema: z.coerce.number().int().min(100).max(600_000).optional(),
    doc: 'Longest a GraphQL request may take; past it, 503 DEADLINE_EXCEEDED with Retry-After. Unset: PLUGBOARD_TIMEOUT_MS + 1 s.',
  },
  PLUGBOARD_BODY_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100).max(600_000).default(10_000),
    doc: 'Longest the gateway waits for a whole request (headers and body) before it drops the connection (408).',
  },
  PLUGBOARD_HEADERS_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100).max(600_000).default(5_000),
    doc: 'Longest the gateway waits for a request\'s headers before it drops the connection.',
  },
  PLUGBOARD_SUBGRAPH_URLS: {
    schema: z
      .string()
      .regex(/^([a-z-]+=\S+)(,[a-z-]+=\S+)*$/, 'expected name=url pairs separated by commas')
      .optional(),
    doc: 'For `npm run gateway`: where subgraphs run, e.g. "crm=http://10.0.0.5:4002/graphql,erp=…"; unnamed ones keep the supergraph\'s URLs.',
  },
  PLUGBOARD_SANDBOXES: {
    schema: z.enum(['on', 'off']).default('on'),
    doc: 'on: `npm start` runs the example estate\'s sandboxes (a lone subgraph process uses those of `npm run sandboxes`); off: use the *_URL variables below.',
  },
  PLUGBOARD_COURIER_RULE: {
    schema: z.enum(['by-size', 'courier-a', 'courier-b', 'both']).default('by-size'),
    doc: 'Which couriers carry a new order: by-size (more than two lines: both couriers, else courier A), or always courier-a, courier-b, both.',
  },
  PLUGBOARD_READS: {
    schema: z.enum(['open', 'closed']).default('open'),
    doc: 'open: queries need no token (the demo); closed: every request needs a valid bearer token. Mutations always need one with the entity\'s scope.',
  },
  PLUGBOARD_SUBGRAPH_SECRET: {
    schema: z.string().min(32, 'expected at least 32 characters, e.g. `openssl rand -hex 32`').optional(),
    doc: 'Shared secret with which the gateway signs (HMAC-SHA256) every request to a subgraph over HTTP; a subgraph refuses what it did not sign. `npm start` makes one per start when unset; `npm run gateway` and `npm run subgraph` need the same value.',
  },
  PLUGBOARD_SUBGRAPH_SKEW_S: {
    schema: z.coerce.number().int().min(1).max(600).default(30),
    doc: 'Oldest (or furthest ahead) signature timestamp a subgraph accepts from the gateway, in seconds: the clock skew allowed between them.',
  },
  PLUGBOARD_SUBGRAPH_CALLS: {
    schema: z.enum(['in-process', 'http']).default('in-process'),
    doc: 'How `npm start`\'s gateway reaches the subgraphs of its own process: directly (in-process: the subgraphs open no port), or over HTTP as a gateway of its own does (signed, see PLUGBOARD_SUBGRAPH_SECRET).',
  },
  PLUGBOARD_PROFILE: {
    schema: z.enum(['demo', 'production']).default('demo'),
    doc: 'demo: introspection and the explorer on; production: both off unless PLUGBOARD_INTROSPECTION=on (errors then give no schema hints either), /metrics needs the admin token unless PLUGBOARD_METRICS=open, and a start without a JWT secret of its own, an admin token or a subgraph secret is refused (docs/deployment.md).',
  },
  PLUGBOARD_INTROSPECTION: {
    schema: z.enum(['on', 'off']).optional(),
    doc: 'Introspection (and the explorer that needs it); unset: on in the demo profile, off in production.',
  },
  PLUGBOARD_LIMIT_DEPTH: { schema: z.coerce.number().int().min(1).max(100).default(12), doc: 'Deepest nesting of selections in one operation (DEPTH_LIMIT_EXCEEDED).' },
  PLUGBOARD_LIMIT_ALIASES: { schema: z.coerce.number().int().min(0).max(1_000).default(30), doc: 'Aliases in one operation (ALIAS_LIMIT_EXCEEDED).' },
  PLUGBOARD_LIMIT_ROOT_FIELDS: { schema: z.coerce.number().int().min(1).max(1_000).default(15), doc: 'Root fields in one operation (ROOT_FIELD_LIMIT_EXCEEDED).' },
  PLUGBOARD_LIMIT_COST: {
    schema: z.coerce.number().int().min(1).default(100_000),
    doc: 'Estimated cost of one operation: each field 1 (fields served by another system 2-3), lists times their `first` (COST_LIMIT_EXCEEDED).',
  },
  PLUGBOARD_LIMIT_TOKENS: { schema: z.coerce.number().int().min(100).max(1_000_000).default(5_000), doc: 'Lexical tokens of one document (TOKEN_LIMIT_EXCEEDED).' },
  PLUGBOARD_LIMIT_BATCH: { schema: z.coerce.number().int().min(1).max(100).default(10), doc: 'Operations in one batched request (a JSON array); 1 turns batching off (BATCH_LIMIT_EXCEEDED).' },
  PLUGBOARD_LIMIT_BODY_BYTES: {
    schema: z.coerce.number().int().min(1_024).max(100 * 1_048_576).default(1_048_576),
    doc: 'Largest request body the gateway reads (PAYLOAD_TOO_LARGE, HTTP 413).',
  },
  PLUGBOARD_APQ: { schema: z.enum(['on', 'off']).default('on'), doc: 'Automatic persisted queries (kept in Redis with REDIS_URL, else in memory).' },
  PLUGBOARD_TRUSTED_DOCUMENTS: {
    schema: z.enum(['on', 'off']).default('off'),
    doc: 'on: only the operations in PLUGBOARD_TRUSTED_DOCUMENTS_FILE run (by id or full text); automatic persisted queries are then off (OPERATION_NOT_TRUSTED).',
  },
  PLUGBOARD_TRUSTED_DOCUMENTS_FILE: {
    schema: z.string().default('schema/trusted-documents.json'),
    doc: 'The allowlist `npm run trusted-documents -- --from <dir>` writes from the frontend\'s operations.',
  },
  PLUGBOARD_CORS_ORIGINS: {
    schema: z
      .string()
      .regex(/^https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*$/, 'expected origins like https://shop.example.com, separated by commas')
      .optional(),
    doc: 'Browser origins that may call the gateway cross-origin (CORS), comma-separated; unset: same origin only.',
  },
  PLUGBOARD_JWT_SECRET: {
    schema: z.string().min(32).optional(),
    doc: 'HS256 secret of the bearer tokens; unset uses the demo\'s well-known secret (never in production). `npm run token` mints with it.',
  },
  PLUGBOARD_OUTBOX_WORKER: {
    schema: z.enum(['on', 'off']).default('on'),
    doc: 'on: the process serving writes (`npm start`, `npm run subgraph -- writes`) also drains the outbox; off: only `npm run worker` processes do.',
  },
  PLUGBOARD_OUTBOX_BACKOFF_BASE_MS: {
    schema: z.coerce.number().int().min(1).max(3_600_000).default(500),
    doc: 'Wait before the second attempt of a failed outbox job; each later wait is multiplied by PLUGBOARD_OUTBOX_BACKOFF_FACTOR.',
  },
  PLUGBOARD_OUTBOX_BACKOFF_FACTOR: { schema: z.coerce.number().min(1).max(10).default(2), doc: 'Growth of the wait between attempts of a failed outbox job.' },
  PLUGBOARD_OUTBOX_BACKOFF_CAP_MS: {
    schema: z.coerce.number().int().min(1).max(86_400_000).default(60_000),
    doc: 'Longest wait between attempts of a failed outbox job.',
  },
  PLUGBOARD_OUTBOX_BACKOFF_JITTER: {
    schema: z.coerce.number().min(0).max(1).default(0.2),
    doc: 'Share of each wait that is random (0..1), so that jobs failed together do not retry together.',
  },
  PLUGBOARD_OUTBOX_MAX_ATTEMPTS: {
    schema: z.coerce.number().int().min(1).max(100).default(8),
    doc: 'Attempts before an outbox job is dead-lettered (ops are alerted at the third failure and at the dead letter).',
  },
  PLUGBOARD_ALERT_WEBHOOK_URL: {
    schema: url.optional(),
    doc: 'Where alerts (a job failing for the third time, a dead-lettered job) are POSTed as JSON; unset: the log and the alerts table only.',
  },
  PLUGBOARD_LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'Level of the structured log (pino JSON lines on stdout): info logs every system call with its request id, warn only failed ones.',
  },
  PLUGBOARD_METRICS: {
    schema: z.enum(['open', 'admin', 'off']).optional(),
    doc: 'GET /metrics (Prometheus): open to whoever reaches the port, admin (needs the admin bearer token), or off; unset: open in the demo profile, admin in production.',
  },
  PLUGBOARD_CUTOVER_CLEAN_DAYS: {
    schema: z.coerce.number().int().min(1).max(365).default(5),
    doc: 'Consecutive clean reconciliation days an entity needs before the cutover gate lets it be cut over from the legacy shop.',
  },
  PLUGBOARD_RECONCILE_TIME_ZONE: {
    schema: z.string().refine(isTimeZone, 'expected an IANA time zone, e.g. Europe/Amsterdam').default('Europe/Amsterdam'),
    doc: 'Time zone of the business day that reconciliation compares and the cutover gate counts: the legacy shop\'s server clock (its timestamps carry no offset).',
  },
} as const;

/**
 * Every configuration key: the product's own, then each system's connection settings from the registry
 * (src/systems/<name>/index.ts: CRM_URL, ERP_DB, ...), validated the same way.
 */
export const CONFIG_KEYS: typeof CORE_KEYS & Readonly<Record<string, SystemSetting>> = {
  ...CORE_KEYS,
  ...Object.fromEntries(SYSTEM_REGISTRY.flatMap((system) => Object.entries(system.settings ?? {}))),
};

type Keys = typeof CORE_KEYS;
type Parsed = { readonly [K in keyof Keys]: z.output<Keys[K]['schema']> };
/**
 * The configuration, with the defaults that depend on the profile filled in. Systems' settings are read by their
 * definitions, by name (`settingsReader`).
 */
export type Config = Omit<Parsed, 'PLUGBOARD_METRICS'> & { readonly PLUGBOARD_METRICS: 'open' | 'admin' | 'off' } & { readonly [systemSetting: string]: unknown };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the configuration from an environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, { schema }] of Object.entries(CONFIG_KEYS)) {
    const raw = env[key] === '' ? undefined : env[key];
    const parsed = (schema as z.ZodType).safeParse(raw);
    if (parsed.success) config[key] = parsed.data;
    else problems.push(`${key}=${JSON.stringify(raw)}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  // Defaults that follow the profile: production opens nothing it was not asked to.
  config['PLUGBOARD_METRICS'] ??= config['PLUGBOARD_PROFILE'] === 'production' ? 'admin' : 'open';
  return config as Config;
}

/** A fresh admin token, for a start without PLUGBOARD_ADMIN_TOKEN. */
export const newAdminToken = (): string => randomBytes(24).toString('base64url');
