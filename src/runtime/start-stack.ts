import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { introspectionOn, newAdminToken, type Config } from '../config';
import { openDatabase, type Database } from '../db';
import { seedEstate } from '../estate/seed-estate';
import { connectionsFromConfig, settingsFrom, type SystemConnections } from '../estate/connections';
import { startSandboxes, type RunningEstate } from '../estate/start-sandboxes';
import { estateSystemNames, SYSTEMS } from '../estate/systems';
import { frontDoorFrom } from '../gateway/front-door';
import { serveGateway, type RunningGateway, type SystemListing } from '../gateway/serve-gateway';
import { applyCutovers, createShadowControl, useShadowAdmin, type ShadowControl } from '../shadow';
import type { Resilience, ResilienceOptions } from '../resilience';
import { admissionFrom } from '../gateway/admission';
import { generateEstate } from '../systems/kit/seed';
import { serveSubgraph, type RunningService } from '../serve/serve-subgraph';
import { createSubgraphs, subgraphNamed } from '../../subgraphs';
import { composeSystems } from './compose-systems';
import { SYSTEM_REGISTRY } from '../systems';
import { createTruthFor } from './create-truth';
import { createWritePath, writeMatrixOf, type WritePath, type WritePathOptions } from './create-write-path';
import type { IntegrationLog } from '../audit/integration-log';
import { loadIntegrationMap } from '../integration-map';
import { AuthError, jwtSecretFrom } from '../auth';
import { createAlerts } from '../alerts';
import { outboxSettingsFrom } from '../outbox/settings';
import type { Logger } from 'pino';
import { createDashboard, useDashboard } from '../dashboard';
import { createLogger } from '../logging';
import { useMetrics, type Metrics } from '../metrics';
import { useOutboxAdmin } from '../gateway/use-outbox-admin';
import { useResponseCache, type ResponseCache } from '../gateway/response-cache';
import { PROJECT_ROOT } from '../project-root';

/** Where the committed supergraph lives. */
export const SUPERGRAPH_FILE = path.join(PROJECT_ROOT, 'schema', 'supergraph.graphql');

export interface StackOptions {
  readonly config: Config;
  /** `fixed`: the documented ports (4000, 4001…, 4101…); `ephemeral`: any free port (tests, benchmarks). */
  readonly ports: 'fixed' | 'ephemeral';
  /** Told about every system call (integration log, metrics). */
  readonly onCall?: ResilienceOptions['onCall'];
  /** Resilience policies per system (tests shorten timeouts and breaker windows). */
  readonly systems?: ResilienceOptions['systems'];
  /** Where the integration map and the matrix are read from. @default schema/ */
  readonly schemaDir?: string;
  /** Whether this process drains the outbox. @default true */
  readonly worker?: boolean;
  readonly workerOptions?: WritePathOptions['workerOptions'];
  /** Where the structured log goes (a line per system call, with its request id). @default pino on stdout at PLUGBOARD_LOG_LEVEL */
  readonly logger?: Logger;
  /**
   * Whether the gateway keeps whole query answers for their systems' cache lifetimes (src/gateway/response-cache). It
   * needs to see every system call and every change: only where the subgraphs run in the gateway's process and the
   * read cache is this process's own. @default true when embedded without REDIS_URL, else false (forced off there)
   */
  readonly responseCache?: boolean;
}

/** One row of the "what runs where" table `npm start` prints. */
export interface RunningPart {
  readonly part: string;
  readonly name: string;
  readonly url: string;
}

export interface RunningStack extends AsyncDisposable {
  readonly gateway: RunningGateway;
  readonly estate: RunningEstate | undefined;
  readonly db: Database;
  readonly resilience: Resilience;
  readonly writePath: WritePath;
  /** Shadow mode and the cutover gate. */
  readonly shadow: ShadowControl;
  readonly integrationLog: IntegrationLog;
  /** The Prometheus registry behind GET /metrics. */
  readonly metrics: Metrics;
  readonly subgraphs: readonly RunningService[];
  readonly adminToken: string;
  readonly parts: readonly RunningPart[];
  close(): Promise<void>;
}

/**
 * Starts the whole product on one machine: the example estate's sandboxes (unless PLUGBOARD_SANDBOXES=off), the
 * site's database (migrated, and seeded with the estate when it is empty), every subgraph (in the gateway's process,
 * or each on its own port behind a signed door with PLUGBOARD_SUBGRAPH_CALLS=http), and the gateway in front of them. Closing it stops everything in reverse order.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { config } = options;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    // The integration map and the matrix are checked before anything starts: a bad one stops the start, named.
    const { map, matrix: declared } = loadIntegrationMap(options.schemaDir ?? config.PLUGBOARD_SCHEMA_DIR);
    const estateSeed = generateEstate();
    // The estate is what the map declares: a registry system it leaves out is neither required, connected nor started.
    const inEstate = estateSystemNames(map);
    let estate: RunningEstate | undefined;
    let connections: SystemConnections;
    if (config.PLUGBOARD_SANDBOXES === 'on') {
      // The sandboxes' fault switches never face the network with the gateway: they keep the internal interface.
      estate = await startSandboxes({ estate: estateSeed, dataDir: config.PLUGBOARD_DATA_DIR, ports: options.ports, host: config.PLUGBOARD_INTERNAL_HOST, only: inEstate });
      closers.push(estate.close);
      connections = estate.connections;
    } else {
      connections = connectionsFromConfig(config, inEstate);
    }
    const db = await openDatabase(config.DATABASE_URL, { dataDir: config.PLUGBOARD_DATA_DIR });
    closers.push(db.close);
    await db.migrate();
    if (estate) await seedEstate(db, estateSeed);
    const shadow = createShadowControl(db, { requiredCleanDays: config.PLUGBOARD_CUTOVER_CLEAN_DAYS, timeZone: config.PLUGBOARD_RECONCILE_TIME_ZONE });
    // The matrix as declared, with the cutovers recorded so far laid over it.
    const matrix = applyCutovers(declared, await shadow.cutovers());
    const alerts = createAlerts(db, { webhookUrl: config.PLUGBOARD_ALERT_WEBHOOK_URL });

    const logger = options.logger ?? createLogger({ level: config.PLUGBOARD_LOG_LEVEL });
    const overHttp = config.PLUGBOARD_SUBGRAPH_CALLS === 'http';
    const responseCache: ResponseCache | undefined =
      (options.responseCache ?? true) && !overHttp && !config.REDIS_URL
        ? useResponseCache({ lifetimes: Object.fromEntries(SYSTEM_REGISTRY.flatMap((system) => (system.cacheTtlMs === undefined ? [] : [[system.name, system.cacheTtlMs]]))) })
        : undefined;
    const onCall: StackOptions['onCall'] = responseCache
      ? (record) => {
          responseCache.noteCall(record);
          options.onCall?.(record);
        }
      : options.onCall;
    // The systems, composed as every other process composes them: the map's policies, the integration log, metrics.
    const composed = await composeSystems({ config, db, logger, map, connections, onCall, systems: options.systems });
    closers.push(composed.close);
    const { resilience, integrationLog, metrics } = composed;
    if (responseCache) {
      resilience.onInvalidate((system) => responseCache.systemChanged(system));
      resilience.onCallStart((_system, kind) => responseCache.noteCallStart(kind));
    }
    const estatePorts = { ports: composed.ports };
    const writePath = createWritePath({
      db,
      // The configuration given, not the process's environment: a stack started with its own config verifies its own tokens.
      jwtSecret: jwtSecretFrom({ PLUGBOARD_JWT_SECRET: config.PLUGBOARD_JWT_SECRET }).secret,
      ports: estatePorts.ports,
      resilience,
      matrix: writeMatrixOf(matrix),
      courierRule: config.PLUGBOARD_COURIER_RULE,
      worker: options.worker ?? config.PLUGBOARD_OUTBOX_WORKER === 'on',
      outboxOptions: { ...outboxSettingsFrom(config), alerts },
      workerOptions: options.workerOptions,
      readsOpen: config.PLUGBOARD_READS === 'open',
      // A mutation ends every kept answer; a write the sweep finished ends those that read the store.
      onStoreChanged: responseCache ? () => responseCache.systemChanged('store') : undefined,
    });
    closers.push(writePath.close);

    const subgraphs: RunningService[] = [];
    const truth = createTruthFor(db, estatePorts.ports, matrix);
    // Embedded (in-process calls), the subgraphs open no port: nothing can reach them around the gateway. Over HTTP,
    // each listens behind a door that answers only requests the gateway signed; both sides are composed here, so a
    // secret made for this start serves when none is configured.
    const subgraphSecret = overHttp ? (config.PLUGBOARD_SUBGRAPH_SECRET ?? randomBytes(32).toString('base64url')) : undefined;
    for (const subgraph of await createSubgraphs({ ...estatePorts.ports, writes: writePath.writes, auth: writePath.auth, truth })) {
      const port = options.ports === 'fixed' ? (subgraphNamed(subgraph.name)?.port ?? 0) : 0;
      const running = await serveSubgraph(subgraph, {
        introspection: introspectionOn(config),
        logger,
        ...(subgraphSecret
          ? {
              door: {
                secret: subgraphSecret,
                port,
                host: config.PLUGBOARD_INTERNAL_HOST,
                skewSeconds: config.PLUGBOARD_SUBGRAPH_SKEW_S,
                ...(config.PLUGBOARD_READS === 'closed'
                  ? { requireToken: async (authorization: string | undefined) => (await writePath.auth.verify(authorization)) !== null }
                  : {}),
              },
            }
          : {}),
      });
      closers.push(running.close);
      subgraphs.push(running);
    }

    const adminToken = config.PLUGBOARD_ADMIN_TOKEN ?? newAdminToken();
    const urls: Record<string, string> = {
      ...Object.fromEntries(Object.entries(connections).map(([name, connection]) => [name, connection.baseUrl])),
      store: db.dialect === 'sqlite' ? `sqlite:${config.PLUGBOARD_DATA_DIR}` : 'postgresql (DATABASE_URL)',
    };
    const systems: SystemListing[] = SYSTEMS.filter((system) => inEstate.includes(system.name)).map((system) => ({
      name: system.name,
      kind: system.kind,
      baseUrl: urls[system.name] ?? '',
      sandbox: system.name !== 'store' && estate !== undefined,
    }));
    const gateway = await serveGateway({
      supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
      // Embedded: the gateway reaches the subgraphs of its own process directly; PLUGBOARD_SUBGRAPH_CALLS=http sends
      // it over HTTP like a gateway of its own, signing every request.
      ...(subgraphSecret
        ? { subgraphUrls: Object.fromEntries(subgraphs.map((service) => [service.name, service.url ?? ''])), subgraphSecret }
        : { localSubgraphs: Object.fromEntries(subgraphs.map((service) => [service.name, service.execute])) }),
      port: options.ports === 'fixed' ? config.PORT : 0,
      host: config.HOST,
      ...frontDoorFrom(config),
      admission: admissionFrom(config),
      ...(responseCache ? { apolloPlugins: [responseCache.apolloPlugin] } : {}),
      ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
      adminToken,
      systems,
      // Reads closed by config: every request needs a valid token (mutations also check their scope).
      ...(config.PLUGBOARD_READS === 'closed'
        ? {
            authorize: async (authorization: string | undefined) => {
              if (!(await writePath.auth.verify(authorization))) throw new AuthError('UNAUTHENTICATED', 'reads are closed: send Authorization: Bearer <token>');
            },
          }
        : {}),
      // The gateway's extras, as plugins: it imports none of them.
      plugins: [
        useOutboxAdmin({ outbox: writePath.outbox, alerts }),
        useShadowAdmin({ control: shadow }),
        useDashboard({ dashboard: createDashboard({ db, systems, breakerStates: () => resilience.breakerStates(), outbox: writePath.outbox, alerts, autopilot: composed.autopilot }) }),
        ...(config.PLUGBOARD_METRICS === 'off' ? [] : [useMetrics({ metrics, access: config.PLUGBOARD_METRICS })]),
        // What each system plugs into the gateway's process: its webhooks in.
        ...SYSTEM_REGISTRY.filter((system) => inEstate.includes(system.name)).flatMap(
          (system) =>
            system.gatewayPlugins?.({
              connection: connections[system.name] ?? { baseUrl: '' },
              settings: settingsFrom(config),
              services: { db, integrationLog, alerts },
              invalidate: (operation, keys) => resilience.invalidate(system.name, operation, keys),
            }) ?? [],
        ),
      ],
      readiness: {
        database: async () => {
          const check = await db.orm.checkConnection();
          if (!check.ok) throw new Error(check.reason ?? 'no connection');
        },
      },
    });
    closers.push(gateway.close);
    estate?.setGatewayOrigin(gateway.origin);

    const parts: RunningPart[] = [
      { part: 'gateway', name: 'GraphQL + explorer', url: gateway.url },
      { part: 'gateway', name: 'health', url: `${gateway.origin}/health/ready` },
      { part: 'gateway', name: 'admin API', url: `${gateway.origin}/admin/api/systems` },
      { part: 'gateway', name: 'dashboard', url: `${gateway.origin}/admin` },
      ...(config.PLUGBOARD_METRICS === 'off' ? [] : [{ part: 'gateway', name: 'metrics', url: `${gateway.origin}/metrics` }]),
      ...subgraphs.map((service) => ({ part: 'subgraph', name: service.name, url: service.url ?? '(in process, no port)' })),
      ...systems.map((system) => ({ part: estate && system.name !== 'store' ? 'sandbox' : 'system', name: system.name, url: urls[system.name] ?? '' })),
    ];
    const close = closeAll;
    return { shadow, gateway, estate, db, resilience, writePath, integrationLog, metrics, subgraphs, adminToken, parts, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
