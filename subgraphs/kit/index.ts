export { buildSubgraph } from './build-subgraph';
export type { Subgraph, SubgraphOptions, SubgraphRequest } from './build-subgraph';
export { fieldOf, loadingReference, type Awaitable } from './entities';
export { loaderOf } from './loaders';
export { portOf, type SubgraphFactory, type SubgraphModule, type SubgraphPorts } from './ports';
export { reportStale } from './stale';
export { withRequestId } from './request-context';
export { badUserInput, formatSubgraphError, pageSize } from './errors';
export * from './types';
