import type { Database } from '../db';
import type { SystemConnections } from '../estate/connections';
import type { Resilience } from '../resilience';
import { SYSTEM_REGISTRY, type EstatePortSet } from '../systems';

/** The ports the write path, source-of-truth resolution and reconciliation are built on: a start without one stops, named. */
export const CORE_PORTS = ['store', 'directory', 'erp', 'payments', 'legacy'] as const;

/** The ports of the estate's systems (the write path and auth are added by the stack), and any a new system adds. */
export type AdapterPorts = EstatePortSet & Required<Pick<EstatePortSet, (typeof CORE_PORTS)[number] | 'couriers'>>;

/** The core ports no system of the estate serves (its integration map leaves out every system that would). */
export function missingCorePorts(ports: EstatePortSet): string[] {
  return CORE_PORTS.filter((port) => ports[port] === undefined);
}

export interface EstatePorts extends AsyncDisposable {
  /** Every port, wrapped by the resilience layer: what the subgraphs and the write path call. */
  readonly ports: AdapterPorts;
  close(): Promise<void>;
}

/**
 * The adapters of every system of the registry, each wrapped once by the resilience layer with its policy for every
 * method (each system's `serve`). Ports served by several systems (the couriers) are collected in one list.
 */
export function createEstatePorts(deps: {
  connections: SystemConnections;
  /** The site's database; without one (a process that does not serve the store) the store port refuses. */
  db?: Database;
  resilience: Resilience;
  /** Only these systems (a CLI that calls one). @default every system of the registry */
  only?: readonly string[];
}): EstatePorts {
  const ports: Record<string, unknown> = { couriers: [] };
  const closers: (() => Promise<void>)[] = [];
  for (const system of SYSTEM_REGISTRY.filter((candidate) => !deps.only || deps.only.includes(candidate.name))) {
    const connection = deps.connections[system.name];
    if (system.connect && !connection) throw new Error(`no connection for system ${system.name}`);
    const served = system.serve({ connection: connection ?? { baseUrl: '' }, resilience: deps.resilience, ...(deps.db ? { db: deps.db } : {}) });
    for (const [name, port] of Object.entries(served.ports)) {
      ports[name] = Array.isArray(port) ? [...((ports[name] as unknown[] | undefined) ?? []), ...port] : port;
    }
    if (served.close) closers.push(served.close);
  }
  const close = async () => {
    await Promise.all(closers.map((closeOne) => closeOne()));
  };
  return { ports: ports as AdapterPorts, close, [Symbol.asyncDispose]: close };
}
