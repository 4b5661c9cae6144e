import type { z } from 'zod';
import type { Courier, CustomerDirectory, Erp, LegacyStore, PaymentGateway, Shipment, SiteStore } from '../../domain';
import type { GatewayPlugin } from '../../gateway-plugin';
import type { OperationPolicies, Resilience } from '../../resilience';
import type { TestPki } from '../../pki';
import type { SystemDoctor } from './doctor';
import type { RateLimitHeaderReader } from './rate-limit-headers';
import type { SpecCheck } from './spec';
import type { SandboxDefinition } from './sandbox';
import type { EstateSeed } from './seed';

/**
 * What a system is, in one place: `src/systems/<name>/index.ts` exports one `defineSystem({...})`, and the registry
 * (`src/systems/index.ts`) lists them. Config, connections, the sandboxes, the ports, the admin listing, the follower
 * handlers of the outbox and the integration map's checks are loops over that registry: nothing else names a system.
 */

/** One environment variable of a system's connection, validated when the configuration is loaded. */
export interface SystemSetting {
  /** zod schema of the raw value (strings from the environment: coerce numbers). */
  readonly schema: z.ZodTypeAny;
  /** One line for docs/configuration.md. */
  readonly doc: string;
  /**
   * Needed to reach the real system (PLUGBOARD_SANDBOXES=off): a start without it stops, naming it.
   * @default false
   */
  readonly required?: boolean;
}

/** The largest answer an adapter takes from its system, in bytes (the integration map's `maxResponseBytes`). */
export interface Capped {
  readonly maxResponseBytes?: number;
}

/** How its adapter reaches one system: base URL, credentials, anything else the adapter is built with. */
export interface Connection extends Capped {
  readonly baseUrl: string;
}

/** Reads a system's settings from the loaded configuration. */
export interface SettingsReader {
  /** A setting's value (its zod default applied); a `required` one that is missing is collected and reported. */
  get<T = string>(key: string): T;
  /** The text of the file a setting names (certificates), or '' after reporting it unreadable. */
  file(key: string): string;
}

/** What a sandbox's connection is made from. */
export interface SandboxConnectionContext {
  /** Test PKI (courier A's mutual TLS). */
  readonly pki: TestPki;
  /** Tuning the embedded estate passes to one sandbox by its system name (e.g. the CRM's token lifetime). */
  readonly tuning: Readonly<Record<string, unknown>>;
}

/** What a sandbox is started with. */
export interface SandboxStartContext extends SandboxConnectionContext {
  /** The estate every sandbox is seeded from, so that every system agrees at the start. */
  readonly estate: EstateSeed;
  /** `fixed`: on the documented ports; `ephemeral`: any free port (tests). */
  readonly ports: 'fixed' | 'ephemeral';
}

/** A system's stand-in, before it listens. */
export interface SandboxInstance {
  readonly definition: SandboxDefinition;
  /** Told where the gateway listens, once it does (a sandbox that calls back, e.g. with webhooks). */
  onGatewayOrigin?(origin: string): void;
}

/** A system's sandbox: the stand-in for its vendor in the example estate. */
export interface SystemSandbox<C extends Connection = Connection> {
  /** Its port in the embedded estate (`npm start`, `npm run sandboxes`). */
  readonly port: number;
  /** @default 'http' */
  readonly scheme?: 'http' | 'https';
  /** How the adapter reaches the sandbox listening at `url`, with the sandbox's demo credentials. */
  connection(url: string, context: SandboxConnectionContext): C;
  create(context: SandboxStartContext): SandboxInstance;
  /**
   * The estate's bookings with this courier, as its adapter records them in the booking ledger when it books them
   * (src/systems/kit/adapter/booking-ledger.ts): seeded with the site's store, as if Plugboard had booked them.
   */
  bookings?(estate: EstateSeed): readonly Shipment[];
}

/**
 * The ports the systems serve, by port name. A system fills the ones it serves (`couriers` collect every courier);
 * a new kind of system adds a port of its own under its own name.
 */
export interface EstatePortSet {
  readonly store?: SiteStore;
  readonly directory?: CustomerDirectory;
  readonly erp?: Erp;
  readonly payments?: PaymentGateway;
  readonly couriers?: readonly Courier[];
  readonly legacy?: LegacyStore;
  readonly [port: string]: unknown;
}

/** What a system's ports are built with. */
export interface ServeContext<C extends Connection> {
  readonly connection: C;
  /** Wraps every port method with the system's policy: cache, rate limit, bulkhead, breaker, timeout, the integration log. */
  readonly resilience: Resilience;
  /**
   * The site's database (src/db's `Database`): only the store needs it; absent in a process that does not open it.
   * Opaque here, as the database's seed depends on this kit.
   */
  readonly db?: object;
}

/** A system's ports, each wrapped once by the resilience layer, and how its adapter lets go of its connections. */
export interface ServedPorts {
  readonly ports: EstatePortSet;
  close?(): Promise<void>;
}

/** A queued write as a follower handler sees it (the outbox's claimed job, of which it reads these). */
export interface FollowerJob {
  readonly id: string;
  readonly system: string;
  readonly operation: string;
  readonly payload: unknown;
  /** Sent with the write, so that a retry is applied once. */
  readonly idempotencyKey: string;
  /** Attempts so far, this one included. */
  readonly attempts: number;
}
/**
 * Delivers one queued write to its system; throws to have it retried with backoff. A long job (a backfill) does a
 * bounded part of its work per claim and answers `{ continueWith }`: it is queued again with that payload, its progress.
 */
export type FollowerHandler = (job: FollowerJob) => Promise<void | { readonly continueWith: unknown }>;

/** What follower handlers are built with: every port of the estate (already wrapped) and the read cache. */
export interface FollowerContext {
  readonly ports: EstatePortSet;
  /** Drops the cached reads of a system's operation for these keys, after a write changed them. */
  invalidate(system: string, operation: string, keys: readonly string[]): Promise<void>;
}

/** What a system's gateway plugins (its webhooks in) are built with. */
export interface GatewayPluginContext<C extends Connection> {
  readonly connection: C;
  /** The configuration's values of the system's settings. */
  readonly settings: SettingsReader;
  /**
   * The runtime's services, typed where they are defined (src/db's `Database`, src/audit's `IntegrationLog`,
   * src/alerts' `Alerts`); opaque here, as the database's seed depends on this kit.
   */
  readonly services: { readonly db: object; readonly integrationLog: object; readonly alerts: object };
  /** Drops cached reads of one of the system's operations (an event said they changed); every key when none are given. */
  invalidate(operation: string, keys?: readonly string[]): Promise<void>;
}

/**
 * The vendor and published API a system's sandbox and adapter are held to. The vendor's name appears nowhere outside
 * the system's folder, its subgraph, schema/, docs/, tests and generated files (test/unit/one-folder.test.ts).
 */
export interface Imitation {
  /**
   * The vendor, as people write it; the one-folder check searches for its name, case-insensitively.
   * Absent while the API is one of our own making, modelled on no vendor.
   */
  readonly vendor?: string;
  /** The API and the part of it imitated: its name and the resources used. */
  readonly api: string;
  /** Where its contract is published (a documentation URL), or the page of docs/ that describes it. */
  readonly reference: string;
  /**
   * What the vendor lets one read request carry, as it publishes it: the benchmark holds a page's calls to it.
   * @default none published: one call per level of a query
   */
  readonly batchLimit?: VendorBatchLimit;
  /**
   * How long the vendor's answers take, low and high end in ms (what its published p50s suggest): the benchmark's
   * realistic estate profile draws each page's latency in this range. @default [50, 300]
   */
  readonly latencyMs?: readonly [number, number];
}

/** What a vendor allows one read request: keys at most, and the requests a batch of them takes. */
export interface VendorBatchLimit {
  /** Keys one request may carry (ids, search clauses, orders). */
  readonly keys: number;
  /** Requests one batch of `keys` takes (a read that needs a second or third call per batch). @default 1 */
  readonly requestsPerBatch?: number;
  /** Where the vendor says so (a documentation URL and the part of it). */
  readonly source: string;
}

/**
 * A system's fields in the graph: its thin subgraph, `subgraphs/<name>/`, whose index.ts exports `subgraph` (a
 * `SubgraphFactory` of subgraphs/kit: how it is built from the estate's ports). Systems that serve the same port may
 * share one subgraph (the couriers): they declare the same name and port.
 */
export interface SystemSubgraph {
  /** Its name in the supergraph, `npm run subgraph <name>` and schema/<name>.graphql; its folder under subgraphs/. */
  readonly name: string;
  /** Its port when it runs as its own process (`npm run subgraph`); 40xx. */
  readonly port: number;
}

/**
 * Secrets of a system's wire format that the generic redaction (keys named like secrets, bearer and basic
 * credentials, JWTs, card numbers) does not see: applied to every integration log, alert and log line.
 */
export interface RedactionRules {
  /** Secrets found by their shape in any string (a vendor's key prefixes); each match is replaced whole. */
  readonly patterns?: readonly RegExp[];
  /**
   * Secrets passed by position, which no key names: a JSON-RPC call's `args` whose `service` and `method` match.
   * Each rule names the `args` indexes to replace.
   */
  readonly positional?: readonly { readonly services: readonly string[]; readonly argIndexes: readonly number[] }[];
}

/** A rule a system puts on a value it is handed through a mutation's input: checked at the edge, before anything runs. */
export interface InputRule {
  /** What the value must match. */
  readonly pattern: RegExp;
  /** What it must be, as the refusal (BAD_USER_INPUT naming the field) says it. */
  readonly message: string;
}

export type SystemKind = 'site-store' | 'crm' | 'erp' | 'payment-gateway' | 'courier' | 'legacy-store' | 'accounting' | (string & {});
export type SystemAuth = 'none' | 'oauth2-client-credentials' | 'api-key' | 'basic' | 'mtls' | 'oauth2' | (string & {});
export type SystemFormat = 'sql' | 'json' | 'json-rpc' | 'form' | 'xml' | (string & {});

/** One system: everything the product knows about it. */
export interface SystemDefinition<C extends Connection = Connection> {
  /** Its name in the integration map, the logs, metrics and errors (`extensions.system`). kebab-case. */
  readonly name: string;
  readonly kind: SystemKind;
  /** One line for people (the dashboard, the map). */
  readonly title: string;
  readonly auth: SystemAuth;
  readonly format: SystemFormat;
  /**
   * Environment variables of its connection to the real system (PLUGBOARD_SANDBOXES=off), validated with the rest of
   * the configuration. @default {} (the store: our own database)
   */
  readonly settings?: Readonly<Record<string, SystemSetting>>;
  /** Its connection from the settings (PLUGBOARD_SANDBOXES=off). Absent for the store. */
  connect?(settings: SettingsReader): C;
  /** The environment that points a process at this connection with PLUGBOARD_SANDBOXES=off: the inverse of connect. */
  environmentOf?(connection: C, context: { readonly pkiDir: string }): Record<string, string>;
  /** Its stand-in in the example estate. Absent for the store. */
  readonly sandbox?: SystemSandbox<C>;
  /** The vendor and API it imitates. Absent for the store: our own database. */
  readonly imitates?: Imitation;
  /** Its subgraph, where it adds fields to the graph. @default none */
  readonly subgraph?: SystemSubgraph;
  /** Its wire format's secrets, beyond the generic ones. @default none */
  readonly redaction?: RedactionRules;
  /** Its rules on the mutation inputs it is handed, by input field (e.g. `paymentMethod`). @default none */
  readonly inputRules?: Readonly<Record<string, InputRule>>;
  /** Read-cache lifetime of its reads, in ms (how stale a follower copy may be). @default none */
  readonly cacheTtlMs?: number;
  /** The ports it serves, wrapped with a policy per method ({@link definePolicies}). */
  serve(context: ServeContext<C>): ServedPorts;
  /** What it plugs into the gateway's process (its webhooks in). @default none */
  gatewayPlugins?(context: GatewayPluginContext<C>): GatewayPlugin[];
  /** The outbox jobs it delivers, by `<system>:<operation>` (a follower's sync, a compensation). @default none */
  followers?(context: FollowerContext): Record<string, FollowerHandler>;
  /** Its readiness probe for `npm run doctor` (`src/systems/<name>/doctor.ts`). @default none: reported as not probed */
  readonly doctor?: SystemDoctor<C>;
  /**
   * How to read the rate limit its vendor announces on each answer (`src/systems/<name>/rate-limit-headers.ts`), so
   * that the calls keep to the vendor's figure when it is lower than the integration map's. @default none: the map's
   */
  readonly rateLimitHeaders?: RateLimitHeaderReader;
  /**
   * Its vendor's published description (the spec kit, compiled once), against which the autopilot holds a sample of
   * the live answers (contract drift). @default none: answers are held against the shape last seen only
   */
  readonly description?: () => SpecCheck;
}

/** Declares a system; the identity function, for type inference. */
export function defineSystem<C extends Connection>(definition: SystemDefinition<C>): SystemDefinition<C> {
  return definition;
}

/** A policy for every method of a port (the compiler refuses a missing one). */
export function definePolicies<Port extends object>(policies: OperationPolicies<Port>): OperationPolicies<Port> {
  return policies;
}
