import type { Logger } from 'pino';
import { createAlerts } from '../alerts';
import { createIntegrationLog, type IntegrationLog } from '../audit/integration-log';
import { createAutopilot, type Autopilot } from '../autopilot';
import type { Config } from '../config';
import type { Database } from '../db';
import { ConfigError } from '../config';
import { connectionsFromConfig, withResponseCaps, type SystemConnections } from '../estate/connections';
import { estateSystemNames } from '../estate/systems';
import { fixedSandboxConnections } from '../estate/start-sandboxes';
import type { IntegrationMap } from '../integration-map';
import { currentRequestId, logSystemCall } from '../logging';
import { createMetrics, openAlerts, queueDepth, type Metrics } from '../metrics';
import { bulkheadFrom, createReadCache, createResilience, type Resilience, type ResilienceOptions } from '../resilience';
import { REDACTION_RULES, SYSTEM_REGISTRY, type FollowerHandler } from '../systems';
import { withTrafficObserver } from '../systems/kit/adapter';
import { createFollowerHandlers } from '../writes/follower-handlers';
import { createEstatePorts, missingCorePorts, type AdapterPorts } from './create-ports';

export interface ComposeSystemsOptions {
  readonly config: Config;
  /** The site's database: the store port, the integration log (one row per system call), the metrics' gauges. */
  readonly db: Database;
  /** A line per system call, with its request id. */
  readonly logger: Logger;
  /** The loaded integration map: each system's timeout, rate limit and response cap. */
  readonly map: IntegrationMap;
  /** How the adapters reach the systems. @default {@link connectionsFor}(config) */
  readonly connections?: SystemConnections;
  /** Also told about every system call (tests, benchmarks). */
  readonly onCall?: ResilienceOptions['onCall'];
  /** Policies laid over the map's, per system (tests shorten timeouts and breaker windows). */
  readonly systems?: ResilienceOptions['systems'];
  /** Only these systems' ports (a CLI that calls one system). @default every system of the estate (those the map declares) */
  readonly only?: readonly string[];
  /** The autopilot's clock (tests drive a fake one). @default Date.now */
  readonly now?: () => number;
}

/** Every system of the registry, composed the same way in every process. */
export interface ComposedSystems extends AsyncDisposable {
  /** Every port, wrapped by the resilience layer. */
  readonly ports: AdapterPorts;
  readonly resilience: Resilience;
  readonly integrationLog: IntegrationLog;
  /** The Prometheus registry the calls are counted in (served at /metrics by the gateway's process). */
  readonly metrics: Metrics;
  /** The maintenance autopilot: contract drift, credential expiry, the rate limits vendors announce. */
  readonly autopilot: Autopilot;
  /** The outbox's follower handlers, over these ports. */
  followerHandlers(): Record<string, FollowerHandler>;
  /** Closes the adapters, the resilience layer, the read cache, and flushes the integration log. */
  close(): Promise<void>;
}

/** How often a long-running process looks at the credentials' expiry again. */
const CREDENTIAL_CHECK_EVERY_MS = 60 * 60_000;

/**
 * Where the systems are, as a process of its own finds them: the sandboxes of `npm run sandboxes` on their fixed
 * ports while PLUGBOARD_SANDBOXES=on, else each system's settings (*_URL and credentials).
 */
export async function connectionsFor(config: Config, only?: readonly string[]): Promise<SystemConnections> {
  return config.PLUGBOARD_SANDBOXES === 'on'
    ? fixedSandboxConnections(config.PLUGBOARD_DATA_DIR, config.PLUGBOARD_INTERNAL_HOST, only)
    : connectionsFromConfig(config, only);
}

/**
 * The one composition root of the systems, used by every process (`npm start`, `npm run subgraph`, `npm run worker`,
 * the CLIs that call a system): the same policies (the integration map's timeouts and rate limits, each system's
 * bulkhead from PLUGBOARD_SYSTEM_*), the same response caps, and every call written to the integration log, counted
 * in the metrics and logged.
 */
export async function composeSystems(given: ComposeSystemsOptions): Promise<ComposedSystems> {
  // The estate: the registry's systems that the integration map declares; the others are neither required nor connected.
  const options = { ...given, only: estateSystemNames(given.map, given.only) };
  const { config, db, logger, map } = options;
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closeOne of closers.splice(0).reverse()) await closeOne().catch(() => undefined);
  };
  try {
    // Each adapter refuses answers larger than its system's cap in the integration map.
    const caps = Object.fromEntries(SYSTEM_REGISTRY.map((system) => [system.name, map.systems[system.name]?.maxResponseBytes]));
    const connections = withResponseCaps(options.connections ?? (await connectionsFor(config, options.only)), caps);
    // Rows and log lines of a call made for a client's request carry its id (subgraphs run requests under it).
    // What it keeps of a failed call is redacted with every system's own rules too (their wire formats' secrets).
    const integrationLog = createIntegrationLog(db, { requestId: currentRequestId, redaction: REDACTION_RULES });
    closers.push(integrationLog.close);
    let resilience: Resilience | undefined;
    // Every answer of every system passes the autopilot (contract drift, vendors' rate limits); its alerts go where
    // every alert goes (the table the dashboard reads, and the webhook).
    const alerts = createAlerts(db, { webhookUrl: config.PLUGBOARD_ALERT_WEBHOOK_URL, logger });
    const autopilot = createAutopilot({
      db,
      alerts,
      map,
      systems: SYSTEM_REGISTRY,
      connections,
      holdRateLimit: async (system, tokens) => resilience?.holdRateLimit(system, tokens),
      ...(options.now ? { now: options.now } : {}),
      onError: (error) => logger.warn({ reason: error.message }, 'autopilot'),
    });
    const metrics = createMetrics({
      credentialExpiry: () => autopilot.credentials(),
      breakerStates: () => resilience?.breakerStates() ?? [],
      queueDepth: () => queueDepth(db),
      openAlerts: () => openAlerts(db),
      onError: (error) => logger.warn({ reason: error.message }, 'metrics'),
    });
    const cache = createReadCache(config.REDIS_URL);
    closers.push(() => cache.disconnect());
    // Each system's timeout and rate limit come from the integration map; PLUGBOARD_TIMEOUT_MS is the default.
    const declared = Object.fromEntries(
      SYSTEM_REGISTRY.map((system) => [
        system.name,
        {
          timeoutMs: map.systems[system.name]?.timeoutMs ?? config.PLUGBOARD_TIMEOUT_MS,
          rateLimit: map.systems[system.name]?.rateLimit ?? null,
          bulkhead: bulkheadFrom(config),
        },
      ]),
    );
    const names = [...new Set([...Object.keys(declared), ...Object.keys(options.systems ?? {})])];
    resilience = createResilience({
      cache,
      rateLimitOf: autopilot.rateLimitOf,
      onCall: (record) => {
        integrationLog.onCall(record);
        metrics.onCall(record);
        logSystemCall(logger, record);
        options.onCall?.(record);
      },
      systems: Object.fromEntries(names.map((name) => [name, { ...declared[name], ...options.systems?.[name] }])),
      ...(config.REDIS_URL ? { rateLimitRedis: config.REDIS_URL } : {}),
    });
    closers.push(resilience.close);
    const wrapped = resilience;
    const estatePorts = withTrafficObserver(autopilot, () =>
      createEstatePorts({ connections, db, resilience: wrapped, ...(options.only ? { only: options.only } : {}) }),
    );
    closers.push(estatePorts.close);
    const missing = given.only ? [] : missingCorePorts(estatePorts.ports);
    if (missing.length) throw new ConfigError(`the integration map declares no system that serves ${missing.join(', ')}: the write path and reconciliation need them`);
    // Expiry is checked at the start and every hour after; the alerts are raised once each, whichever process sees them first.
    const checkCredentials = () => void autopilot.checkCredentials().catch((error: Error) => logger.warn({ reason: error.message }, 'autopilot'));
    checkCredentials();
    const credentialTimer = setInterval(checkCredentials, CREDENTIAL_CHECK_EVERY_MS).unref();
    closers.push(async () => {
      clearInterval(credentialTimer);
      await autopilot.settled();
    });
    const invalidate = (system: string, operation: string, keys: readonly string[]) => wrapped.invalidate(system, operation, keys);
    return {
      ports: estatePorts.ports,
      resilience,
      integrationLog,
      metrics,
      autopilot,
      followerHandlers: () => createFollowerHandlers({ ...estatePorts.ports, invalidate }),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
