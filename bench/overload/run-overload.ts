import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';
import { startChild, type BenchChild } from '../kit/child';
import { figure, megabytes, table } from '../kit/stats';
import { runClients, type ClientsResult } from './clients';
import type { ProductCounts } from './product-process';

/** The README's first "Try it" query (the quick start), as a newcomer sends it. */
export const QUICK_START_QUERY =
  '{ customers(first: 5) { nodes { id email name segment orders(first: 3) { nodes { id status total { amount currency } lines { sku quantity item { name onHand } } payment { status } shipments { carrier trackingNumber status } } } } } }';

export interface OverloadSettings {
  readonly clients: number;
  readonly seconds: number;
  /** The fault of the "one system slow" run. */
  readonly slowSystem: 'erp' | 'crm' | 'payments' | 'courier-a' | 'courier-b';
  readonly slowDelayMs: number;
}

export interface OverloadRun {
  readonly name: string;
  readonly admission: boolean;
  readonly slow: boolean;
  readonly clients: ClientsResult;
  readonly product: ProductCounts;
  readonly peakRssMb: number;
  /** CPU seconds the product used during the run (user + system), and requests served per CPU second. */
  readonly cpuSeconds: number;
  readonly servedPerCpuSecond: number;
}

export interface OverloadReport {
  readonly nodeArgs: readonly string[];
  /** The system timeout the p99 target is measured against (PLUGBOARD_TIMEOUT_MS's default). */
  readonly systemTimeoutMs: number;
  readonly runs: readonly OverloadRun[];
}

const SYSTEM_TIMEOUT_MS = 8_000;
const TARGET_RSS_MB = 400;

/**
 * The node flags `npm start` runs the product with, read from package.json's start script (`${VAR:-default}` expanded
 * from this environment), so that the benchmark measures the heap policy users get.
 */
export function startNodeArgs(): string[] {
  const script = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  const flags = /\bnode\s+(.*?)\s*dist\/src\/cli\/start\.js/.exec(script)?.[1] ?? '';
  return flags
    .replace(/\$\{(\w+):-([^}]*)\}/g, (_all, name: string, fallback: string) => process.env[name] ?? fallback)
    .split(/\s+/)
    .filter(Boolean);
}

async function oneRun(name: string, settings: OverloadSettings, options: { admission: boolean; slow: boolean }, nodeArgs: readonly string[]): Promise<OverloadRun> {
  const child: BenchChild = await startChild('overload/product-process.ts', {
    cpus: '0,1',
    quiet: true,
    nodeArgs,
    env: { PLUGBOARD_ADMISSION: options.admission ? 'on' : 'off' },
  });
  try {
    const { url } = child.ready as { url: string };
    // One answer before the clients come: the product is up (its caches stay cold).
    const ready = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    if (ready.status !== 200) throw new Error(`the product answered ${ready.status} to its first query`);
    if (options.slow) await child.call('setFault', { name: settings.slowSystem, setting: { mode: 'slow', delayMs: settings.slowDelayMs } });
    await child.call('resetCounts');
    const before = await child.usage();
    const clients = await runClients({ url, query: QUICK_START_QUERY, clients: settings.clients, seconds: settings.seconds });
    const usage = await child.usage();
    const product = await child.call<ProductCounts>('counts');
    const cpuSeconds = (usage.cpu.user + usage.cpu.system - before.cpu.user - before.cpu.system) / 1e6;
    const served = clients.byStatus['200'] ?? 0;
    return { name, ...options, clients, product, peakRssMb: megabytes(usage.peakRss), cpuSeconds, servedPerCpuSecond: served / cpuSeconds };
  } finally {
    await child.stop();
  }
}

/** Part e: 200 clients on the quick-start query with admission on and off, then with one system slow. */
export async function runOverload(settings: OverloadSettings, log: (line: string) => void): Promise<OverloadReport> {
  const nodeArgs = startNodeArgs();
  const runs: OverloadRun[] = [];
  const plan = [
    { name: 'healthy, admission on', admission: true, slow: false },
    { name: 'healthy, admission off', admission: false, slow: false },
    { name: `${settings.slowSystem} slow ${settings.slowDelayMs} ms, admission on`, admission: true, slow: true },
  ];
  for (const step of plan) {
    log(`  ${step.name}: ${settings.clients} clients, ${settings.seconds} s`);
    runs.push(await oneRun(step.name, settings, step, nodeArgs));
  }
  return { nodeArgs, systemTimeoutMs: SYSTEM_TIMEOUT_MS, runs };
}

export interface OverloadCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const sum = (record: Readonly<Record<string, number>>, keep: (key: string) => boolean = () => true) =>
  Object.entries(record).reduce((total, [key, count]) => total + (keep(key) ? count : 0), 0);

/** Issue 15's overload targets, checked on the runs with admission on (the off run is the comparison). */
export function checkOverload(report: OverloadReport): OverloadCheck[] {
  const checks: OverloadCheck[] = [];
  const on = report.runs.filter((run) => run.admission);
  const healthyOn = report.runs.find((run) => run.admission && !run.slow);
  const healthyOff = report.runs.find((run) => !run.admission && !run.slow);
  for (const run of on) {
    const other5xx = sum(run.clients.byStatus, (status) => Number(status) >= 500 && status !== '503');
    checks.push({
      target: `${run.name}: no 5xx but 503 shed with Retry-After, no request unanswered`,
      measured: `other 5xx ${other5xx}, 503 without Retry-After ${run.clients.shedWithoutRetryAfter}, no answer ${run.clients.transportErrors}`,
      met: other5xx === 0 && run.clients.shedWithoutRetryAfter === 0 && run.clients.transportErrors === 0,
    });
    const limit = report.systemTimeoutMs + 1_000;
    checks.push({ target: `${run.name}: p99 of requests served <= ${figure(limit)} ms`, measured: `${figure(run.clients.servedP99Ms)} ms`, met: run.clients.servedP99Ms <= limit });
  }
  if (healthyOn) {
    const openings = sum(healthyOn.product.breakerOpenings);
    const refused = healthyOn.product.calls.CIRCUIT_OPEN ?? 0;
    checks.push({ target: 'healthy, admission on: no breaker opens', measured: `${openings} openings, ${refused} calls refused CIRCUIT_OPEN`, met: openings === 0 && refused === 0 });
  }
  if (healthyOn && healthyOff) {
    // Per CPU second of the product: the machine is shared, and what other processes take in one run and not in
    // the other must not decide the comparison. The wall-clock figures are printed beside it.
    const [shedding, without] = [healthyOn.servedPerCpuSecond, healthyOff.servedPerCpuSecond];
    checks.push({
      target: 'throughput with shedding >= without it (served per CPU second of the product)',
      measured: `${figure(shedding, 1)} vs ${figure(without, 1)} (wall clock: ${figure(healthyOn.clients.servedPerSecond, 1)}/s vs ${figure(healthyOff.clients.servedPerSecond, 1)}/s)`,
      met: shedding >= without,
    });
  }
  const peak = Math.max(0, ...on.map((run) => run.peakRssMb));
  checks.push({ target: `peak RSS of the started product <= ${TARGET_RSS_MB} MB (admission on)`, measured: `${figure(peak)} MB`, met: peak <= TARGET_RSS_MB });
  return checks;
}

export function overloadSection(report: OverloadReport, settings: OverloadSettings): string[] {
  const rows = report.runs.map((run) => {
    const { clients } = run;
    const status = Object.entries(clients.byStatus).map(([code, count]) => `${code}: ${count}`).join(', ');
    const codes = Object.entries(clients.errorCodes).sort((a, b) => b[1] - a[1]).map(([code, count]) => `${code} ${count}`).join(', ') || '—';
    const calls = Object.entries(run.product.calls).sort((a, b) => b[1] - a[1]).map(([code, count]) => `${code} ${count}`).join(', ');
    const openings = sum(run.product.breakerOpenings);
    return [
      run.name,
      figure(clients.servedPerSecond, 1),
      `${figure(run.cpuSeconds, 1)} / ${figure(run.servedPerCpuSecond, 1)}`,
      `${figure(clients.servedP50Ms)} / ${figure(clients.servedP99Ms)} / ${figure(clients.servedMaxMs)} (sent at ${figure(clients.slowestSentAtSeconds, 1)} s)`,
      `${figure(run.product.loopDelayP99Ms)} / ${figure(run.product.loopDelayMaxMs)}`,
      status + (clients.transportErrors ? `, no answer: ${clients.transportErrors}` : ''),
      codes,
      // Which breakers opened (system.operation): the first thing to know of a run that opened any.
      openings ? `${openings} (${Object.entries(run.product.breakerOpenings).sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${count}`).join(', ')})` : '0',
      calls,
      figure(run.peakRssMb),
    ];
  });
  return [
    `## e. Overload (issue 15): ${settings.clients} clients for ${settings.seconds} s on the quick-start query`,
    '',
    `The product as \`npm start\` runs it (sandboxes, subgraphs, gateway in one process; node ${report.nodeArgs.join(' ')}), started fresh for each run (cold caches). Each client sends the query, reads the whole answer and sends it again; after a 503 it waits the Retry-After (1 s at most). The slow run sets the ${settings.slowSystem} sandbox's fault switch to slow ${settings.slowDelayMs} ms.`,
    '',
    table(['run', 'served/s', 'product CPU s / served per CPU s', 'served p50 / p99 / max ms', 'event-loop delay p99 / max ms', 'HTTP statuses', 'error codes in answers', 'breaker openings', 'system calls by outcome', 'peak RSS MB'], rows),
    '',
    '### Targets (issue 15)',
    '',
    table(['target', 'measured', 'met'], checkOverload(report).map((check) => [check.target, check.measured, check.met ? 'yes' : 'NO'])),
    '',
  ];
}
