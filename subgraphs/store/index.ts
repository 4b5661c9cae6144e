import type { SiteStore } from '../../src/domain';
import type { Truth } from '../../src/truth/truth';
import { buildSubgraph, type Subgraph, portOf, type SubgraphFactory } from '../kit';
import { createStoreContext, type StoreContext } from './context';
import { CustomerResolver, OrderResolver } from './resolvers';
import { CustomerType, OrderType } from './types';

/** The new site's store: customers (profile owner), orders, and their lines. */
export function createStoreSubgraph(deps: { readonly store: SiteStore; readonly truth: Truth }): Promise<Subgraph<StoreContext>> {
  return buildSubgraph<StoreContext>({
    name: 'store',
    resolvers: [CustomerResolver, OrderResolver],
    referenceResolvers: {
      Customer: {
        __resolveReference: async (reference: { id: string }, context: StoreContext) => {
          const found = await context.customers.load(reference.id);
          return found && CustomerType.of(found);
        },
      },
      Order: {
        __resolveReference: async (reference: { id: string }, context: StoreContext) => {
          const found = await context.orders.load(reference.id);
          return found && OrderType.of(found);
        },
      },
    },
    createContext: () => createStoreContext(deps.store, deps.truth),
  });
}

/** This subgraph, built from the estate's ports (the registry's loop in subgraphs/index.ts finds it by its name). */
export const subgraph: SubgraphFactory = (ports) => createStoreSubgraph({ store: portOf<SiteStore>(ports, 'store', 'store'), truth: ports.truth });
