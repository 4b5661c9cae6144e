import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState, CallRecord } from '../resilience';
import { LATENCY_BUCKETS_MS } from './latency';
import type { OpenAlerts, QueueDepth } from './ops-counts';

export interface MetricsOptions {
  /** The breakers of this process, by system and operation (Resilience.breakerStates). */
  readonly breakerStates?: () => ReadonlyArray<{ readonly system: string; readonly operation: string; readonly state: BreakerState }>;
  /** Outbox jobs per system and state, read at each scrape. */
  readonly queueDepth?: () => Promise<readonly QueueDepth[]>;
  /** Unacknowledged alerts per system and kind, read at each scrape. */
  readonly openAlerts?: () => Promise<readonly OpenAlerts[]>;
  /** Credentials and certificates with a known end, and the seconds each has left, read at each scrape (the autopilot). */
  readonly credentialExpiry?: () => ReadonlyArray<{ readonly system: string; readonly credential: string; readonly secondsLeft: number }>;
  /** Node's process metrics (CPU, memory, event loop, GC), prefixed `plugboard_`. @default true */
  readonly processMetrics?: boolean;
  /** Told when a scrape could not read the database (the gauge is then left out of that scrape). */
  readonly onError?: (error: Error) => void;
}

export interface Metrics {
  /** This stack's own registry (never prom-client's global one: two stacks in one process keep apart). */
  readonly registry: Registry;
  /** For createResilience's `onCall`: counts the call and its latency. Never throws. */
  readonly onCall: (record: CallRecord) => void;
  /** The exposition text for GET /metrics. */
  render(): Promise<string>;
  readonly contentType: string;
}

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half-open', 'open'];

/**
 * Prometheus metrics of the estate, per system:
 * - `plugboard_system_calls_total{system, operation, outcome, code}`: calls to systems (outcome ok | error | cached;
 *   code is the error code of a failure, else "none");
 * - `plugboard_system_call_duration_seconds{system, operation, outcome}`: their latency (cache answers left out);
 * - `plugboard_breaker_state{system, operation, state}`: 1 for the breaker's current state, 0 for the others;
 * - `plugboard_outbox_jobs{system, state}`: outbox jobs pending, running, failed or dead;
 * - `plugboard_alerts_open{system, kind}`: alerts nobody has acknowledged;
 * - `plugboard_credential_expiry_seconds{system, credential}`: seconds until a credential or certificate expires;
 * - `plugboard_process_*`, `plugboard_nodejs_*`: the process itself.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const onError = options.onError ?? ((error: Error) => process.stderr.write(`metrics: ${error.message}\n`));
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'plugboard_' });

  const calls = new Counter({
    name: 'plugboard_system_calls_total',
    help: 'Calls to external systems, by system, operation, outcome (ok, error, cached) and error code ("none" unless it failed).',
    labelNames: ['system', 'operation', 'outcome', 'code'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'plugboard_system_call_duration_seconds',
    help: 'How long calls to external systems took, retries included (answers from the cache are not counted).',
    labelNames: ['system', 'operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS_MS.map((ms) => ms / 1_000),
    registers: [registry],
  });

  const { breakerStates, queueDepth, openAlerts, credentialExpiry } = options;
  if (credentialExpiry) {
    new Gauge({
      name: 'plugboard_credential_expiry_seconds',
      help: 'Seconds until a credential or certificate expires (negative once it has): client certificates, CAs, and the rotation dates the integration map declares.',
      labelNames: ['system', 'credential'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const credential of credentialExpiry()) this.set({ system: credential.system, credential: credential.credential }, credential.secondsLeft);
      },
    });
  }
  if (breakerStates) {
    new Gauge({
      name: 'plugboard_breaker_state',
      help: 'Circuit breaker of each system and operation: 1 for its current state (closed, half-open, open), 0 for the others.',
      labelNames: ['system', 'operation', 'state'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const breaker of breakerStates()) {
          for (const state of BREAKER_STATES) this.set({ system: breaker.system, operation: breaker.operation, state }, breaker.state === state ? 1 : 0);
        }
      },
    });
  }
  if (queueDepth) {
    new Gauge({
      name: 'plugboard_outbox_jobs',
      help: 'Outbox jobs per system and state (pending, running, failed, dead): the queue of writes not yet delivered.',
      labelNames: ['system', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          for (const row of await queueDepth()) this.set({ system: row.system, state: row.state }, row.jobs);
        } catch (error) {
          onError(new Error(`outbox depth not read: ${(error as Error).message}`, { cause: error }));
        }
      },
    });
  }
  if (openAlerts) {
    new Gauge({
      name: 'plugboard_alerts_open',
      help: 'Alerts nobody has acknowledged yet, per system and kind (job-failing, job-dead, write-interrupted, webhook-unusable).',
      labelNames: ['system', 'kind'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          for (const row of await openAlerts()) this.set({ system: row.system, kind: row.kind }, row.alerts);
        } catch (error) {
          onError(new Error(`open alerts not read: ${(error as Error).message}`, { cause: error }));
        }
      },
    });
  }

  const onCall = (record: CallRecord): void => {
    try {
      const code = record.error?.code ?? 'none';
      calls.inc({ system: record.system, operation: record.operation, outcome: record.outcome, code });
      if (record.outcome !== 'cached') {
        latency.observe({ system: record.system, operation: record.operation, outcome: record.outcome }, record.durationMs / 1_000);
      }
    } catch (error) {
      onError(new Error(`a call of ${record.system} ${record.operation} not counted: ${(error as Error).message}`, { cause: error }));
    }
  };

  return { registry, onCall, render: () => registry.metrics(), contentType: registry.contentType };
}
