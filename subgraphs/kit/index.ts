export { buildSubgraph } from './build-subgraph';
export type { Subgraph, SubgraphOptions, SubgraphRequest } from './build-subgraph';
export { loaderOf } from './loaders';
export { badUserInput, formatSubgraphError, pageSize } from './errors';
export * from './types';
