import { SYSTEM_REGISTRY } from '../src/systems';
import type { Subgraph, SubgraphFactory, SubgraphModule, SubgraphPorts } from './kit';
import { createWritesSubgraph } from './writes';

export type { Subgraph, SubgraphPorts } from './kit';
export { formatSubgraphError } from './kit';

/** One subgraph of the supergraph, and its port when it runs as its own process (`npm run subgraph`). */
export interface SubgraphEntry {
  readonly name: string;
  readonly port: number;
  /** The systems whose fields it serves (both couriers serve `couriers`); none for the product's own. */
  readonly systems: readonly string[];
}

/** The product's own subgraphs, which are not a system's: the write path. */
const PRODUCT_SUBGRAPHS: Readonly<Record<string, { readonly port: number; readonly create: SubgraphFactory }>> = {
  writes: { port: 4007, create: (ports) => createWritesSubgraph({ writes: ports.writes, auth: ports.auth }) },
};

/**
 * Every subgraph: each one a system of the registry declares (its `subgraph`, in the registry's order; systems that
 * share one, once), then the product's own. The supergraph is composed from all of them, whatever the estate.
 */
export const SUBGRAPHS: readonly SubgraphEntry[] = [
  ...SYSTEM_REGISTRY.flatMap((system) => (system.subgraph ? [system.subgraph] : [])).reduce<SubgraphEntry[]>((entries, declared) => {
    const systems = SYSTEM_REGISTRY.filter((system) => system.subgraph?.name === declared.name).map((system) => system.name);
    const known = entries.find((entry) => entry.name === declared.name);
    if (known && known.port !== declared.port) {
      throw new Error(`subgraph ${declared.name}: ${systems.join(' and ')} declare it on different ports (${known.port}, ${declared.port})`);
    }
    return known ? entries : [...entries, { name: declared.name, port: declared.port, systems }];
  }, []),
  ...Object.entries(PRODUCT_SUBGRAPHS).map(([name, { port }]) => ({ name, port, systems: [] })),
];

export const SUBGRAPH_NAMES: readonly string[] = SUBGRAPHS.map((entry) => entry.name);

/** The subgraph of that name, or undefined. */
export function subgraphNamed(name: string): SubgraphEntry | undefined {
  return SUBGRAPHS.find((entry) => entry.name === name);
}

/**
 * A system's subgraph module, `subgraphs/<name>/index.ts`, by the name its definition declares. Loaded by name, not
 * imported here: a system's subgraph reaches the write path and the store (through subgraphs/kit), which reach the
 * registry, so a static import from the registry's side would make a cycle between folders. Its export is typed
 * where it is written (`export const subgraph: SubgraphFactory`) and checked when it is loaded.
 */
function factoryOf(name: string): SubgraphFactory {
  const product = PRODUCT_SUBGRAPHS[name];
  if (product) return product.create;
  if (!subgraphNamed(name)) throw new Error(`no subgraph ${JSON.stringify(name)}: ${SUBGRAPH_NAMES.join(', ')}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(`./${name}`) as Partial<SubgraphModule>;
  if (typeof loaded.subgraph !== 'function') throw new Error(`subgraphs/${name}/index.ts exports no \`subgraph\` (a SubgraphFactory)`);
  return loaded.subgraph;
}

/** Builds one subgraph. Ports are only touched per request, so the SDL can be printed without live systems. */
export function createSubgraph(name: string, ports: SubgraphPorts): Promise<Subgraph> {
  return factoryOf(name)(ports);
}

export function createSubgraphs(ports: SubgraphPorts, names: readonly string[] = SUBGRAPH_NAMES): Promise<Subgraph[]> {
  return Promise.all(names.map((name) => createSubgraph(name, ports)));
}

/** Ports that refuse every call: for printing SDL, where no request is ever served. */
export const NO_PORTS: SubgraphPorts = new Proxy({} as SubgraphPorts, {
  get: (_target, property) => {
    if (property === 'couriers') return [];
    return new Proxy({}, { get: () => () => Promise.reject(new Error(`no ${String(property)} port: SDL only`)) });
  },
});
