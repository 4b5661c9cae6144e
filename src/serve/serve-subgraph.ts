import './graphql-production';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { formatSubgraphError, type Subgraph } from '../../subgraphs';
import { withRequestId, type SubgraphRequest } from '../../subgraphs/kit';
import { staleExtensionsPlugin, withStaleReport } from '../../subgraphs/kit/stale';
import { createLogger } from '../logging';
import { openSubgraphDoor, type SubgraphDoor } from './subgraph-door';
import { loggingMaskedErrors, noServiceFieldRule } from './subgraph-errors';

export type { SubgraphDoor } from './subgraph-door';

export interface RunningService extends AsyncDisposable {
  readonly name: string;
  /** Where it listens for the gateway; undefined when it serves only its own process (no port open). */
  readonly url: string | undefined;
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

export interface ServeSubgraphOptions {
  /**
   * Listen for the gateway over HTTP, behind its door (signed requests only); unset: no port at all, the subgraph
   * serves only `execute` in this process (the embedded mode of `npm start`). @default undefined
   */
  readonly door?: SubgraphDoor;
  /** Introspection and `_service` (PLUGBOARD_INTROSPECTION, else on only in the demo profile). @default true */
  readonly introspection?: boolean;
  /** Where a masked error is told in full: its original message and stack, with the request id. @default pino on stdout */
  readonly logger?: Logger;
}

/**
 * Serves one subgraph: always to its own process (`execute`), and over HTTP at `/graphql` (and `/health`) only when
 * given a door, the way it is deployed past one machine.
 */
export async function serveSubgraph(subgraph: Subgraph, options: ServeSubgraphOptions = {}): Promise<RunningService> {
  const introspection = options.introspection ?? true;
  const logger = options.logger ?? createLogger({ name: `plugboard-subgraph-${subgraph.name}` });
  const served = { http: 0, inProcess: 0 };
  const door = options.door ? openSubgraphDoor(subgraph.name, options.door, () => void (served.http += 1)) : undefined;
  const apollo = new ApolloServer({
    schema: subgraph.schema,
    formatError: loggingMaskedErrors(formatSubgraphError, logger, subgraph.name),
    introspection,
    // The gateway is composed from the committed supergraph: `_service` only tells strangers the SDL.
    ...(introspection ? {} : { validationRules: [noServiceFieldRule] }),
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    // Inline traces are for Apollo's cloud reporting, which we do not use: they only cost time. Cache-control hints
    // are read by no one (the gateway caches system reads, not subgraph responses), and computing them wraps every
    // field's resolver: 14% of an orders page's CPU (npm run bench).
    plugins: [
      // The gateway's fetches in flight are answered before the subgraph stops.
      ...(door ? [fastifyApolloDrainPlugin(door.app)] : []),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      staleExtensionsPlugin({ subgraph: subgraph.name }),
    ],
  });
  await apollo.start();
  const context = async (request: { readonly headers: SubgraphRequest['headers'] }) => subgraph.createContext({ headers: request.headers });
  const listening = door ? await door.listen(withRequestId(withStaleReport(fastifyApolloHandler(apollo, { context })))) : undefined;
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
    await listening?.close();
    await apollo.stop();
  };
  return {
    name: subgraph.name,
    url: listening?.url,
    execute: (operation, headers) => {
      served.inProcess += 1;
      return execute({ headers }, operation);
    },
    served: () => ({ ...served }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
