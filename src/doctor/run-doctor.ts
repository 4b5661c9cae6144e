import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db';
import type { SystemConnections } from '../estate/connections';
import type { IntegrationMap } from '../integration-map';
import { estateSystemNames } from '../estate/systems';
import { composeSystems, connectionsFor } from '../runtime/compose-systems';
import { SYSTEM_REGISTRY, type SystemDefinition } from '../systems';
import { whyNoAnswer, type DoctorCheck, type DoctorContext, type DoctorFindings, type ProbeAnswer, type ProbeRequest } from '../systems/kit/doctor';
import type { Resilience } from '../resilience';
import { cassetteCheck, newestCassetteOf } from './cassette-check';
import { credentialChecks } from './credentials';
import { sendProbe, type ProbeTarget } from './http-probe';
import type { DoctorReport, LatencyFigures, SystemReadiness } from './types';

export interface RunDoctorOptions {
  readonly config: Config;
  /** The site's database: the integration log of the probes' calls, and the store's own probe. */
  readonly db: Database;
  readonly logger: Logger;
  readonly map: IntegrationMap;
  /** Where the systems are. @default connectionsFor(config): the running sandboxes when PLUGBOARD_SANDBOXES=on, else *_URL */
  readonly connections?: SystemConnections;
  /** Repeats of each system's cheap read, for p50/p95. @default 5 */
  readonly samples?: number;
  /**
   * Where `npm run record` keeps its cassettes (`<dir>/<system>/*.json`): each system's newest one is held against its
   * vendor's description. @default PLUGBOARD_DATA_DIR/cassettes
   */
  readonly cassettes?: string;
  readonly now?: () => Date;
}

/** Headers that tell a client its budget (vendors' own X-…-RateLimit-* and X-MinLimit-* headers, RateLimit-*, Retry-After). */
const RATE_LIMIT_HEADER = /rate-?limit|limit-remaining|retry-after|x-daylimit|x-minlimit|x-applimit/i;

/** The q-quantile of durations (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/**
 * Probes every system of the estate (the registry's systems the integration map declares), through the one composition root (every call is written to the integration
 * log, counted and logged as `doctor.<operation>`), and answers the readiness report.
 */
export async function runDoctor(options: RunDoctorOptions): Promise<DoctorReport> {
  const now = options.now ?? (() => new Date());
  // The estate is what the integration map declares: a system it leaves out is not probed, nor asked for its variables.
  const inEstate = estateSystemNames(options.map);
  const connections = options.connections ?? (await connectionsFor(options.config, inEstate));
  const cassettes = options.cassettes ?? path.join(options.config.PLUGBOARD_DATA_DIR, 'cassettes');
  const composed = await composeSystems({ config: options.config, db: options.db, logger: options.logger, map: options.map, connections, only: inEstate });
  try {
    const systems: SystemReadiness[] = [];
    for (const system of SYSTEM_REGISTRY.filter((candidate) => inEstate.includes(candidate.name))) {
      const probed = await probeSystem(system, connections[system.name], composed.resilience, options, now);
      // Each credential or certificate whose end is known (the autopilot's): warned a week before, failed once expired.
      // ...and its newest recorded window of answers, held against the vendor's description (a warning per difference).
      const recorded = await newestCassetteOf(cassettes, system.name);
      const held = recorded ? [cassetteCheck(recorded.cassette, recorded.file, system.description)] : [];
      systems.push(withChecks(probed, [...credentialChecks(composed.autopilot.credentials(), system.name), ...held]));
    }
    return {
      generatedAt: now(),
      mode: options.config.PLUGBOARD_SANDBOXES === 'on' ? 'sandboxes' : 'real',
      systems,
      ready: systems.every((system) => system.ready),
    };
  } finally {
    await composed.close();
  }
}

async function probeSystem(
  system: SystemDefinition<any>,
  connection: (ProbeTarget & object) | undefined,
  resilience: Resilience,
  options: RunDoctorOptions,
  now: () => Date,
): Promise<SystemReadiness> {
  const target = connection?.baseUrl ?? 'the site\'s database';
  const seen: Record<string, string> = {};
  if (!system.doctor) {
    const checks: DoctorCheck[] = [{ name: 'probe', status: 'warn', detail: 'this system has no readiness probe', action: `add src/systems/${system.name}/doctor.ts` }];
    return finish(system, target, { checks }, seen);
  }
  const methods = new Map<string, (request: ProbeRequest) => Promise<ProbeAnswer>>();
  const request = (operation: string, probeRequest: ProbeRequest): Promise<ProbeAnswer> => {
    const name = `doctor.${operation}`;
    let method = methods.get(name);
    if (!method) {
      if (!connection) return Promise.reject(new Error(`${system.name} has no connection to probe`));
      const raw = { [name]: (input: ProbeRequest, callOptions?: { signal?: AbortSignal }) => sendProbe(connection, input, callOptions?.signal) };
      // A probe's read goes through the system's policy like any read: its timeout, rate limit, breaker and the log.
      const wrapped = resilience.wrap(system.name, raw, { [name]: { kind: 'read' } } as never) as typeof raw;
      method = (input) => wrapped[name]!(input);
      methods.set(name, method);
    }
    return method(probeRequest).then((answer) => {
      for (const [header, value] of Object.entries(answer.headers)) if (RATE_LIMIT_HEADER.test(header)) seen[header] = value;
      return answer;
    });
  };
  const context: DoctorContext<unknown> = { connection: connection ?? {}, request, samples: options.samples ?? 5, db: options.db, now };
  let findings: DoctorFindings;
  try {
    findings = await system.doctor.probe(context);
  } catch (error) {
    const urlSetting = Object.keys(system.settings ?? {}).find((key) => key.endsWith('_URL'));
    const where = options.config.PLUGBOARD_SANDBOXES === 'on' ? 'start the sandboxes (`npm run sandboxes`)' : `check ${urlSetting ?? 'its URL'} and that the system is up`;
    findings = {
      checks: [{ name: 'reachable', status: 'fail', detail: `no answer from ${target}: ${whyNoAnswer(error).text}`, action: where }],
    };
  }
  return finish(system, target, findings, seen);
}

/** The readiness with more checks: not ready when one of them failed, and the verdict says why. */
function withChecks(readiness: SystemReadiness, checks: readonly DoctorCheck[]): SystemReadiness {
  const failed = checks.filter((check) => check.status === 'fail');
  if (checks.length === 0) return readiness;
  const reasons = failed.map((check) => `${check.name}: ${check.detail}${check.action ? `: ${check.action}` : ''}`).join('; ');
  return {
    ...readiness,
    checks: [...readiness.checks, ...checks],
    ready: readiness.ready && failed.length === 0,
    verdict: failed.length === 0 ? readiness.verdict : readiness.ready ? `${readiness.system}: NOT READY: ${reasons}` : `${readiness.verdict}; ${reasons}`,
  };
}

function finish(system: SystemDefinition<any>, target: string, findings: DoctorFindings, seen: Record<string, string>): SystemReadiness {
  const ready = findings.checks.every((check) => check.status !== 'fail');
  const latencies = findings.latenciesMs ?? [];
  const latency: LatencyFigures | undefined =
    latencies.length > 0 ? { samples: latencies.length, p50Ms: quantile(latencies, 0.5), p95Ms: quantile(latencies, 0.95) } : undefined;
  const failed = findings.checks.filter((check) => check.status === 'fail');
  const verdict =
    ready ?
      `${system.name}: ready${findings.apiVersion ? ` (API ${findings.apiVersion}` : ' ('}${latency ? `${findings.apiVersion ? ', ' : ''}p50 ${latency.p50Ms.toFixed(0)} ms, p95 ${latency.p95Ms.toFixed(0)} ms` : ''})`.replace(' ()', '')
    : `${system.name}: NOT READY: ${failed.map((check) => `${check.detail}${check.action ? `: ${check.action}` : ''}`).join('; ')}`;
  return {
    system: system.name,
    title: system.title,
    target,
    ready,
    checks: findings.checks,
    ...(findings.apiVersion ? { apiVersion: findings.apiVersion } : {}),
    rateLimitHeaders: seen,
    ...(latency ? { latency } : {}),
    dataQuality: findings.dataQuality ?? [],
    verdict,
  };
}
