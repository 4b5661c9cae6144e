import type { Auth } from '../../src/auth';
import { IntegrationError } from '../../src/domain';
import type { EstatePortSet } from '../../src/systems/kit/define-system';
import type { Truth } from '../../src/truth/truth';
import type { WriteService } from '../../src/writes/write-service';
import type { Subgraph } from './build-subgraph';

/**
 * What the subgraphs read through: the ports the estate's systems serve, by port name (each wrapped by the
 * resilience layer; a system the integration map leaves out serves none), and the product's own services.
 */
export type SubgraphPorts = EstatePortSet & {
  /** The write path every mutation goes through. */
  readonly writes: WriteService;
  /** Verifies the bearer tokens mutations need. */
  readonly auth: Auth;
  /** Source-of-truth resolution for the fields several systems hold. */
  readonly truth: Truth;
};

/**
 * How one subgraph is built from the ports: what `subgraphs/<name>/index.ts` exports as `subgraph`. Ports are only
 * touched per request, so the SDL can be printed without live systems.
 */
export type SubgraphFactory = (ports: SubgraphPorts) => Promise<Subgraph>;

/** What a subgraph module exports: `subgraphs/<name>/index.ts`, found by the subgraph's name. */
export interface SubgraphModule {
  readonly subgraph: SubgraphFactory;
}

/**
 * The port a subgraph reads `system` through. When this estate has no such system (its integration map leaves it
 * out, so nothing serves the port), every call is answered SYSTEM_NOT_IN_ESTATE, naming the system: its fields are
 * null with that error, and the rest of the answer comes back.
 */
export function portOf<Port extends object>(ports: SubgraphPorts, port: string, system: string): Port {
  const served = ports[port];
  if (served !== undefined) return served as Port;
  return new Proxy({} as Port, {
    get: (_target, operation) =>
      // Not a thenable: a caller may await the port itself.
      operation === 'then'
        ? undefined
        : () =>
            Promise.reject(
              new IntegrationError('SYSTEM_NOT_IN_ESTATE', `${system} is not in this estate's integration map`, { system, operation: String(operation) }),
            ),
  });
}
