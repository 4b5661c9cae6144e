import '../telemetry-off';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError } from 'graphql';

export interface GatewayOptions {
  /** The composed supergraph (schema/supergraph.graphql). */
  readonly supergraphSdl: string;
  /** Where each subgraph runs now, by name; a subgraph not named keeps the URL composed into the supergraph. */
  readonly subgraphUrls?: Readonly<Record<string, string>>;
  /** Turn on introspection (the explorer needs it). @default true */
  readonly introspection?: boolean;
}

/** Codes a client may see as they are; anything else from the gateway itself is masked. */
const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_AUTH_FAILED',
  'UPSTREAM_REJECTED',
  'CIRCUIT_OPEN',
  'UNAUTHENTICATED',
  'FORBIDDEN',
]);

/** Subgraph errors keep their code and system; anything unexpected is masked, with no stack trace. */
export function formatGatewayError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  if (PASS_THROUGH.has(code)) {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return { message: 'Internal error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** What the gateway keeps of a client's request for the subgraphs. */
export interface GatewayContext {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Client headers the subgraphs need: who is asking, and the key that makes a mutation safe to retry. */
const FORWARDED_HEADERS = ['authorization', 'idempotency-key', 'x-request-id'] as const;

class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]): void {
    for (const name of FORWARDED_HEADERS) {
      const value = context.headers?.[name];
      if (typeof value === 'string') request.http?.headers.set(name, value);
    }
  }
}

/** Apollo Gateway over the committed supergraph, served by Apollo Server 5. */
export function createGateway(options: GatewayOptions): { gateway: ApolloGateway; apollo: ApolloServer<GatewayContext> } {
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => new ForwardingDataSource({ url: options.subgraphUrls?.[name] ?? url }),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: options.introspection ?? true,
    includeStacktraceInErrorResponses: false,
    formatError: formatGatewayError,
    // Apollo's default landing page loads from a CDN; the explorer is served from our own files instead.
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  return { gateway, apollo };
}
