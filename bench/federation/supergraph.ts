import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { composeSupergraph } from '../../src/supergraph/compose';
import { BENCH_SUBGRAPH_NAMES, createBenchSubgraphs } from './subgraphs';
import { PROJECT_ROOT } from '../../src/project-root';

/** The committed supergraph of the benchmark's four subgraphs, composed with this origin in their URLs. */
export const SUPERGRAPH_FILE = path.join(PROJECT_ROOT, 'bench', 'federation', 'supergraph.graphql');
const COMMITTED_ORIGIN = 'http://127.0.0.1:4200';

/** Composes the four subgraphs (@apollo/composition) with their URLs at `origin`. */
export function composeBenchSupergraph(origin: string): string {
  const subgraphs = createBenchSubgraphs();
  return composeSupergraph(BENCH_SUBGRAPH_NAMES.map((name) => ({ name, url: `${origin}/${name}`, sdl: subgraphs[name].sdl })));
}

/**
 * The supergraph the gateways serve in this run, pointing at the subgraphs' actual port. The committed copy is
 * rewritten when composition gives something else, so that it always shows what was measured.
 */
export function benchSupergraph(origin: string): string {
  const committed = composeBenchSupergraph(COMMITTED_ORIGIN);
  let current = '';
  try {
    current = readFileSync(SUPERGRAPH_FILE, 'utf8');
  } catch {
    // first run: written below
  }
  if (current !== committed) writeFileSync(SUPERGRAPH_FILE, committed);
  return composeBenchSupergraph(origin);
}
