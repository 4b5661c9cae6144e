import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify from 'fastify';
import { formatSubgraphError, type Subgraph } from '../../subgraphs';
import { withRequestId } from '../../subgraphs/kit';
import { staleExtensionsPlugin, withStaleReport } from '../../subgraphs/kit/stale';

export interface RunningService extends AsyncDisposable {
  readonly name: string;
  readonly url: string;
  close(): Promise<void>;
}

/** Serves one subgraph over HTTP at `/graphql` (and `/health`), the way it is deployed past one machine. */
export async function serveSubgraph(subgraph: Subgraph, options: { port?: number; host?: string } = {}): Promise<RunningService> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const apollo = new ApolloServer({
    schema: subgraph.schema,
    formatError: formatSubgraphError,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    // Inline traces are for Apollo's cloud reporting, which we do not use: they only cost time.
    plugins: [fastifyApolloDrainPlugin(app), ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), staleExtensionsPlugin()],
  });
  await apollo.start();
  const handler = fastifyApolloHandler(apollo, { context: async (request) => subgraph.createContext({ headers: request.headers }) });
  app.route({ url: '/graphql', method: ['GET', 'POST', 'OPTIONS'], handler: withRequestId(withStaleReport(handler)) });
  app.get('/health', async () => ({ status: 'live', subgraph: subgraph.name }));
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.port}/graphql`;
  const close = async () => {
    await app.close();
    await apollo.stop();
  };
  return { name: subgraph.name, url, close, [Symbol.asyncDispose]: close };
}
