import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startChild, type BenchChild } from '../kit/child';
import { load, loadSteady, type HeaderMode } from '../kit/load';
import { median } from '../kit/stats';
import { nodeFlagsOf, TARGETS, type Target } from './gateways';
import { BENCH_QUERIES, type BenchQuery } from './queries';
import { benchSupergraph } from './supergraph';
import type { SubgraphTraffic } from './serve-subgraphs';

/** Where things run: the gateway under test alone on one core; subgraphs, load generator and this script on the other. */
export const GATEWAY_CPU = '1';
export const LOAD_CPU = '0';

export interface FederationSettings {
  /** Rounds with a token per request (the headline figures). */
  readonly rounds: number;
  /** Rounds with one token for all requests. */
  readonly identicalRounds: number;
  /** Load on each target and query before the first round, so that every target is measured with its code compiled hot. */
  readonly firstWarmupSeconds: number;
  /** Load before each window (the target was serving another query, or idle). */
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly connections: number;
}

/** One target, one query, one header mode: medians over the rounds (peak RSS: the highest). */
export interface FederationRow {
  readonly target: Target;
  readonly query: BenchQuery['name'];
  readonly headers: HeaderMode;
  readonly rps: number;
  /** Requests per second of gateway CPU time: the figure that cancels other load on the machine. */
  readonly rpsPerCore: number;
  /** Requests per second of gateway CPU time in each round, in the order run: how much the machine wandered. */
  readonly rpsPerCoreByRound: readonly number[];
  /** Cores the target used while loaded (1 = one core fully busy). */
  readonly cores: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly peakRssMb: number;
  readonly failures: number;
  /** Share of subgraph requests that carried an Authorization header (undefined for the direct subgraph). */
  readonly forwarded?: number;
}

export interface FederationReport {
  readonly rows: readonly FederationRow[];
  /** Whether every gateway answered each query with the same data as the others (and the direct subgraph). */
  readonly sameAnswers: Readonly<Record<BenchQuery['name'], boolean>>;
  /** Each target's RSS once started, before any request: what its code and schema cost before load. */
  readonly idleRssMb: Readonly<Record<Target, number>>;
}

interface Sample {
  rps: number;
  rpsPerCore: number;
  cores: number;
  p50Ms: number;
  p99Ms: number;
  peakRss: number;
  failures: number;
  forwarded?: number;
}

/** The four bench subgraphs in their own process on the load generator's CPU, and the supergraph over them (written to `dir`). */
export async function startBenchSubgraphs(dir: string): Promise<{ subgraphs: BenchChild; supergraphFile: string }> {
  const subgraphs = await startChild('federation/subgraphs-process.ts', { cpus: LOAD_CPU });
  const supergraphFile = path.join(dir, 'supergraph.graphql');
  await writeFile(supergraphFile, benchSupergraph((subgraphs.ready as { origin: string }).origin));
  return { subgraphs, supergraphFile };
}

/** One target alone on the gateway's CPU, with the Node flags it runs with (see nodeFlagsOf) and any given. */
export function startTargetChild(target: Target, supergraphFile: string, extraNodeArgs: readonly string[] = []): Promise<BenchChild> {
  return startChild('federation/target-process.ts', {
    cpus: GATEWAY_CPU,
    env: { BENCH_TARGET: target, BENCH_SUPERGRAPH: supergraphFile },
    nodeArgs: [...nodeFlagsOf(target), ...extraNodeArgs],
  });
}

/** Which targets answer a query: the direct subgraph can only answer the one-fetch query. */
const targetsFor = (query: BenchQuery): readonly Target[] => TARGETS.filter((target) => target !== 'direct' || query.name === 'one-fetch');

export async function runFederation(settings: FederationSettings, log: (line: string) => void): Promise<FederationReport> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'plugboard-bench-'));
  const children: BenchChild[] = [];
  try {
    const { subgraphs, supergraphFile } = await startBenchSubgraphs(workDir);
    children.push(subgraphs);
    const targets = {} as Record<Target, { child: BenchChild; url: string }>;
    for (const target of TARGETS) {
      const child = await startTargetChild(target, supergraphFile);
      children.push(child);
      targets[target] = { child, url: (child.ready as { url: string }).url };
    }

    const idleRssMb = {} as Record<Target, number>;
    for (const target of TARGETS) idleRssMb[target] = (await targets[target].child.usage()).rss / (1024 * 1024);

    const sameAnswers = {} as Record<BenchQuery['name'], boolean>;
    for (const query of BENCH_QUERIES) {
      const answers = await Promise.all(targetsFor(query).map((target) => answerOf(targets[target].url, query.query)));
      sameAnswers[query.name] = answers.every((answer) => answer === answers[0]);
      if (!sameAnswers[query.name]) log(`warning: the targets do not give the same answer to the ${query.name} query`);
    }

    // V8 keeps optimising a process's code for a while under load, the peers' for longer than ours: every target gets
    // the same long warm-up on each query before the first round, so that no round measures a target still cold.
    for (const query of BENCH_QUERIES) {
      for (const target of targetsFor(query)) {
        await load({ url: targets[target].url, query: query.query, connections: settings.connections, headers: 'unique', seconds: settings.firstWarmupSeconds });
      }
    }

    const samples = new Map<string, Sample[]>();
    const plan: { query: BenchQuery; headers: HeaderMode; rounds: number }[] = BENCH_QUERIES.flatMap((query) => [
      { query, headers: 'unique' as const, rounds: settings.rounds },
      { query, headers: 'identical' as const, rounds: settings.identicalRounds },
    ]);
    for (let round = 0; round < Math.max(settings.rounds, settings.identicalRounds); round += 1) {
      for (const step of plan.filter((entry) => round < entry.rounds)) {
        // Alternating order: each target goes first in some rounds and last in others.
        const order = round % 2 === 0 ? targetsFor(step.query) : [...targetsFor(step.query)].reverse();
        for (const target of order) {
          const sample = await measure(targets[target], subgraphs, target, step.query, step.headers, settings);
          const key = `${target}|${step.query.name}|${step.headers}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
          log(`  round ${round + 1} ${step.query.name.padEnd(9)} ${step.headers.padEnd(9)} ${target.padEnd(6)} ${sample.rps.toFixed(0).padStart(6)} req/s  ${sample.rpsPerCore.toFixed(0).padStart(6)} per core  p99 ${sample.p99Ms.toFixed(0)} ms`);
        }
      }
    }

    const rows: FederationRow[] = [...samples.entries()].map(([key, list]) => {
      const [target, query, headers] = key.split('|') as [Target, BenchQuery['name'], HeaderMode];
      const forwarded = list.map((sample) => sample.forwarded).filter((value): value is number => value !== undefined);
      return {
        target,
        query,
        headers,
        rps: median(list.map((sample) => sample.rps)),
        rpsPerCore: median(list.map((sample) => sample.rpsPerCore)),
        rpsPerCoreByRound: list.map((sample) => sample.rpsPerCore),
        cores: median(list.map((sample) => sample.cores)),
        p50Ms: median(list.map((sample) => sample.p50Ms)),
        p99Ms: median(list.map((sample) => sample.p99Ms)),
        peakRssMb: Math.max(...list.map((sample) => sample.peakRss)) / (1024 * 1024),
        failures: list.reduce((sum, sample) => sum + sample.failures, 0),
        ...(forwarded.length ? { forwarded: Math.min(...forwarded) } : {}),
      };
    });
    return { rows, sameAnswers, idleRssMb };
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}

async function measure(
  target: { child: BenchChild; url: string },
  subgraphs: BenchChild,
  name: Target,
  query: BenchQuery,
  headers: HeaderMode,
  settings: FederationSettings,
): Promise<Sample> {
  // One unbroken load; the figures are those of a window in its middle, between two readings of the target's clock.
  const { result, opened, closed } = await loadSteady(
    { url: target.url, query: query.query, connections: settings.connections, headers, warmupSeconds: settings.warmupSeconds, seconds: settings.seconds },
    async (edge) => {
      if (edge === 'open') await Promise.all([target.child.resetPeak(), subgraphs.call('reset-traffic')]);
      return target.child.usage();
    },
  );
  const traffic = await subgraphs.call<SubgraphTraffic>('traffic');
  const cpuSeconds = (closed.cpu.user + closed.cpu.system - opened.cpu.user - opened.cpu.system) / 1e6;
  return {
    rps: result.rps,
    rpsPerCore: result.requests / cpuSeconds,
    cores: cpuSeconds / result.seconds,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    peakRss: closed.peakRss,
    failures: result.failures,
    ...(name === 'direct' ? {} : { forwarded: traffic.requests ? traffic.withAuthorization / traffic.requests : 0 }),
  };
}

/** The data a target answers (errors make the check fail), as canonical JSON. */
async function answerOf(url: string, query: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-check' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  return JSON.stringify(body.errors ? { errors: body.errors } : body.data);
}
