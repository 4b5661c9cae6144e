import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify from 'fastify';
import type { GraphQLFormattedError } from 'graphql';
import { formatSubgraphError, type Subgraph } from '../../subgraphs';
import { withRequestId } from '../../subgraphs/kit';
import { staleExtensionsPlugin, withStaleReport } from '../../subgraphs/kit/stale';
import { gracefulClose } from './graceful-close';

export interface RunningService extends AsyncDisposable {
  readonly name: string;
  readonly url: string;
  /**
   * Runs one operation in this process, as a request to `url` would (the same context, request id and stale
   * report), without HTTP or JSON in between: the gateway's way to its subgraphs when they share its process.
   */
  execute(operation: SubgraphOperation, headers: Readonly<Record<string, string>>): Promise<SubgraphAnswer>;
  /** Operations served so far, over HTTP and in process. */
  served(): { readonly http: number; readonly inProcess: number };
  close(): Promise<void>;
}

export interface SubgraphOperation {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
}

export interface SubgraphAnswer {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly GraphQLFormattedError[];
  readonly extensions?: Record<string, unknown>;
}

/** Serves one subgraph over HTTP at `/graphql` (and `/health`), the way it is deployed past one machine. */
export async function serveSubgraph(subgraph: Subgraph, options: { port?: number; host?: string } = {}): Promise<RunningService> {
  const app = Fastify({ logger: false });
  // The gateway's fetches in flight are answered before the subgraph stops.
  const stopServing = gracefulClose(app);
  const apollo = new ApolloServer({
    schema: subgraph.schema,
    formatError: formatSubgraphError,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    // Inline traces are for Apollo's cloud reporting, which we do not use: they only cost time. Cache-control hints
    // are read by no one (the gateway caches system reads, not subgraph responses), and computing them wraps every
    // field's resolver: 14% of an orders page's CPU (npm run bench).
    plugins: [
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      staleExtensionsPlugin(),
    ],
  });
  await apollo.start();
  const handler = fastifyApolloHandler(apollo, { context: async (request) => subgraph.createContext({ headers: request.headers }) });
  const served = { http: 0, inProcess: 0 };
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/graphql')) served.http += 1;
  });
  app.route({ url: '/graphql', method: ['GET', 'POST', 'OPTIONS'], handler: withRequestId(withStaleReport(handler)) });
  app.get('/health', async () => ({ status: 'live', subgraph: subgraph.name }));
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.port}/graphql`;
  const execute = withRequestId(
    withStaleReport(async (request: { readonly headers: Readonly<Record<string, string>> }, operation: SubgraphOperation): Promise<SubgraphAnswer> => {
      const response = await apollo.executeOperation(
        { query: operation.query, variables: operation.variables, operationName: operation.operationName },
        { contextValue: await subgraph.createContext({ headers: request.headers }) },
      );
      if (response.body.kind !== 'single') throw new Error(`${subgraph.name}: an incremental answer where one was expected`);
      return response.body.singleResult as SubgraphAnswer;
    }),
  );
  const close = async () => {
    await stopServing();
    await apollo.stop();
  };
  return {
    name: subgraph.name,
    url,
    execute: (operation, headers) => {
      served.inProcess += 1;
      return execute({ headers }, operation);
    },
    served: () => ({ ...served }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
