import type { Auth } from '../src/auth';
import type { Accounting, Courier, CustomerDirectory, Erp, LegacyStore, PaymentGateway, SiteStore } from '../src/domain';
import type { WriteService } from '../src/writes/write-service';
import type { Truth } from '../src/truth/truth';
import type { Subgraph } from './kit';
import { createCouriersSubgraph } from './couriers';
import { createCrmSubgraph } from './crm';
import { createErpSubgraph } from './erp';
import { createLegacySubgraph } from './legacy';
import { createPaymentsSubgraph } from './payments';
import { createStoreSubgraph } from './store';
import { createWritesSubgraph } from './writes';
import { createXeroSubgraph } from './xero';

export type { Subgraph } from './kit';
export { formatSubgraphError } from './kit';

/** The ports the subgraphs read through, already wrapped by the resilience layer. */
export interface SubgraphPorts {
  readonly store: SiteStore;
  readonly directory: CustomerDirectory;
  readonly erp: Erp;
  readonly payments: PaymentGateway;
  readonly couriers: readonly Courier[];
  readonly legacy: LegacyStore;
  readonly accounting: Accounting;
  /** The write path every mutation goes through. */
  readonly writes: WriteService;
  /** Verifies the bearer tokens mutations need. */
  readonly auth: Auth;
  /** Source-of-truth resolution for the fields several systems hold. */
  readonly truth: Truth;
}

export const SUBGRAPH_NAMES = ['store', 'crm', 'erp', 'payments', 'couriers', 'legacy', 'writes', 'xero'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Builds one subgraph. Ports are only touched per request, so the SDL can be printed without live systems. */
export function createSubgraph(name: SubgraphName, ports: SubgraphPorts): Promise<Subgraph> {
  switch (name) {
    case 'store':
      return createStoreSubgraph({ store: ports.store, truth: ports.truth });
    case 'crm':
      return createCrmSubgraph({ directory: ports.directory });
    case 'erp':
      return createErpSubgraph({ erp: ports.erp });
    case 'payments':
      return createPaymentsSubgraph({ payments: ports.payments });
    case 'couriers':
      return createCouriersSubgraph({ couriers: ports.couriers });
    case 'legacy':
      return createLegacySubgraph({ legacy: ports.legacy });
    case 'writes':
      return createWritesSubgraph({ writes: ports.writes, auth: ports.auth });
    case 'xero':
      return createXeroSubgraph({ accounting: ports.accounting });
    default: {
      const unreachable: never = name;
      throw new Error(`unknown subgraph ${String(unreachable)}`);
    }
  }
}

export function createSubgraphs(ports: SubgraphPorts, names: readonly SubgraphName[] = SUBGRAPH_NAMES): Promise<Subgraph[]> {
  return Promise.all(names.map((name) => createSubgraph(name, ports)));
}

/** Ports that refuse every call: for printing SDL, where no request is ever served. */
export const NO_PORTS: SubgraphPorts = new Proxy({} as SubgraphPorts, {
  get: (_target, property) => {
    if (property === 'couriers') return [];
    return new Proxy({}, { get: () => () => Promise.reject(new Error(`no ${String(property)} port: SDL only`)) });
  },
});
