import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BenchChild } from '../kit/child';
import { load } from '../kit/load';
import { BENCH_QUERIES } from './queries';
import { startBenchSubgraphs, startTargetChild } from './run-federation';
import type { Target } from './gateways';
import { PROJECT_ROOT } from '../../src/project-root';

export interface ProfileLine {
  readonly name: string;
  readonly where: string;
  readonly selfPercent: number;
}

export interface GatewayProfile {
  readonly target: Target;
  readonly seconds: number;
  /** Functions by self time. */
  readonly functions: readonly ProfileLine[];
  /** Self time by package (node_modules/<package>), our own code, Node's internals, GC and idle. */
  readonly packages: readonly ProfileLine[];
}

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * V8's profiler in a gateway under load (both queries, a token per request, one after the other), summarised as the
 * functions and packages where its CPU time went. The profile covers the load alone: the gateway has started and
 * served a warm-up of each query before it begins.
 */
export async function profileGateway(target: Target, seconds: number, connections: number): Promise<GatewayProfile> {
  const dir = await mkdtemp(path.join(tmpdir(), 'plugboard-profile-'));
  const children: BenchChild[] = [];
  try {
    const { subgraphs, supergraphFile } = await startBenchSubgraphs(dir);
    children.push(subgraphs);
    const gateway = await startTargetChild(target, supergraphFile);
    children.push(gateway);
    const url = (gateway.ready as { url: string }).url;
    for (const query of BENCH_QUERIES) await load({ url, query: query.query, connections, seconds, headers: 'unique' });
    await gateway.call('profile-start');
    for (const query of BENCH_QUERIES) await load({ url, query: query.query, connections, seconds, headers: 'unique' });
    const profile = await gateway.call<{ nodes: CpuProfileNode[] }>('profile-stop');
    return { target, seconds: seconds * BENCH_QUERIES.length, ...summarise(profile) };
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** A V8 CPU profile as self time by function and by package. */
export function summarise(profile: { nodes: CpuProfileNode[] }): Pick<GatewayProfile, 'functions' | 'packages'> {
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  const functions = new Map<string, { name: string; where: string; hits: number }>();
  const packages = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shortPath(url)}:${lineNumber + 1}` : '';
    const name = functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, hits: 0 };
    entry.hits += hits;
    functions.set(key, entry);
    const owner = packageOf(url, name);
    packages.set(owner, (packages.get(owner) ?? 0) + hits);
  }
  const percent = (hits: number) => (100 * hits) / total;
  return {
    functions: [...functions.values()].sort((a, b) => b.hits - a.hits).slice(0, 20).map(({ name, where, hits }) => ({ name, where, selfPercent: percent(hits) })),
    packages: [...packages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([name, hits]) => ({ name, where: '', selfPercent: percent(hits) })),
  };
}

function shortPath(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) return file.slice(modules + 'node_modules/'.length);
  const root = PROJECT_ROOT + path.sep;
  return file.startsWith(root) ? file.slice(root.length) : file;
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const file = url.replace(/^file:\/\//, '');
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file.slice(file.lastIndexOf('node_modules/')));
  if (match) return match[1]!;
  return file.includes(`${path.sep}src${path.sep}`) || file.includes(`${path.sep}bench${path.sep}`) ? 'plugboard (src, bench)' : shortPath(url);
}
