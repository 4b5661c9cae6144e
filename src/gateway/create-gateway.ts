import '../telemetry-off';
import './plain-exports';
import '../serve/graphql-production';
import { ApolloGateway, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { codesSeenIn } from '../domain/error-codes';
import { installCompiledShaping } from './kept-operations';
import { createMaskedErrors } from './masked-errors';
import { foldRepresentations } from './distinct-representations';
import { collectLineage, LINEAGE_HEADER, lineageExtensionsPlugin } from './lineage';
import { stringifyAnswer } from './response-cache';
import { createSubgraphFetcher, type SubgraphFetcher } from './subgraph-fetcher';

export interface GatewayOptions {
  /** The composed supergraph (schema/supergraph.graphql). */
  readonly supergraphSdl: string;
  /** Subgraphs that run in this process, by name: reached directly, without HTTP (the embedded mode of `npm start`). */
  readonly localSubgraphs?: Readonly<Record<string, LocalSubgraph>>;
  /** Where each subgraph runs now, by name; a subgraph not named keeps the URL composed into the supergraph. */
  readonly subgraphUrls?: Readonly<Record<string, string>>;
  /** Turn on introspection (the explorer needs it). Off also hides schema hints ("Did you mean…") in errors. @default true */
  readonly introspection?: boolean;
  /** The parser stops a document with more tokens than this, before any other work. */
  readonly maxTokens?: number;
  /** Whether a request may carry a JSON array of operations (its length is checked at the front door). @default false */
  readonly batching?: boolean;
  /** More Apollo Server plugins (usage reporting, tests that watch what runs); the front door's check comes first. @default [] */
  readonly apolloPlugins?: readonly ApolloServerPlugin<GatewayContext>[];
  /** Where masked errors are told in full, with the request id (the log). */
  readonly onMaskedError?: (fields: Record<string, unknown>, message: string) => void;
  /** Signs every request to a subgraph over HTTP (PLUGBOARD_SUBGRAPH_SECRET); see src/serve/subgraph-signature.ts. @default unsigned */
  readonly subgraphSecret?: string;
}

/** Apollo's result shaping walks a compiled tree per operation (./compiled-shaping.ts, put in place by ./kept-operations.ts). */
installCompiledShaping();

/**
 * Codes a client may see as they are: those the list of error codes says an answer may carry. Anything else from the
 * gateway itself or a subgraph is masked, INTERNAL_SERVER_ERROR included (its original is logged).
 */
const PASS_THROUGH: ReadonlySet<string> = new Set(codesSeenIn('answer').filter((code) => code !== 'INTERNAL_SERVER_ERROR'));

/**
 * Refuses to execute a document the front door did not check for this request (a way around the door would otherwise
 * run unchecked: the class of issue 15's APQ and GET bypasses). The door hands Apollo only documents it resolved and
 * checked, and lists them in the context; this is the assertion that nothing else runs.
 */
function frontDoorCheckPlugin(log: GatewayOptions['onMaskedError']): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ source, contextValue }) {
          if (contextValue.checkedDocuments?.has(source)) return;
          log?.({ requestId: contextValue.headers?.['x-request-id'], document: source.slice(0, 500) }, 'an operation reached Apollo around the front door: refused');
          throw new GraphQLError('This operation did not pass the front door.', { extensions: { code: 'OPERATION_NOT_CHECKED', http: { status: 500 } } });
        },
      };
    },
  };
}

/** What the gateway keeps of a client's request for the subgraphs. */
export interface GatewayContext {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The documents the front door resolved and checked for this request, by text: Apollo runs no other. */
  readonly checkedDocuments?: ReadonlySet<string>;
  /** What the subgraphs reported served from stale copies, for the client's `extensions.stale` (filled as they answer). */
  staleNotices?: StaleNotice[];
}

/** Client headers the subgraphs need: who is asking, and the key that makes a mutation safe to retry. */
const FORWARDED_HEADERS = ['authorization', 'idempotency-key', 'x-request-id', LINEAGE_HEADER] as const;

/**
 * Records a subgraph served from stale copies (its system failed), as its response's `extensions.stale` says: the
 * client hears of them in its own response's `extensions.stale`, each entry with where in the answer it applies.
 */
export interface StaleNotice {
  /** The system whose copies were served, e.g. "crm". */
  readonly system: string;
  /** The keys (customer ids, SKUs…) whose records are older copies. */
  readonly keys: readonly string[];
  /** When the copies were read from the system (ISO 8601). */
  readonly asOf: string;
  /** Where the subgraph's answer sits in the client's, e.g. "customers.nodes.@" ("@" = every item of a list). */
  readonly path?: string;
}

function staleNoticesOf(value: unknown, path: readonly (string | number)[] | undefined): StaleNotice[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    const { system, keys, asOf } = (entry ?? {}) as { system?: unknown; keys?: unknown; asOf?: unknown };
    if (typeof system !== 'string' || typeof asOf !== 'string' || !Array.isArray(keys)) return [];
    return [{ system, keys: keys.filter((key): key is string => typeof key === 'string'), asOf, ...(path?.length ? { path: path.join('.') } : {}) }];
  });
}

/** The stale notices of a request, merged per system, place and moment. */
function mergeStaleNotices(notices: readonly StaleNotice[]): StaleNotice[] {
  const merged = new Map<string, { notice: StaleNotice; keys: Set<string> }>();
  for (const notice of notices) {
    const id = JSON.stringify([notice.system, notice.asOf, notice.path ?? null]);
    const found = merged.get(id) ?? { notice, keys: new Set<string>() };
    for (const key of notice.keys) found.keys.add(key);
    merged.set(id, found);
  }
  return [...merged.values()].map(({ notice, keys }) => ({ ...notice, keys: [...keys] }));
}

/** Puts what the subgraphs reported stale into the client's `extensions.stale`. */
function staleExtensionsPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const notices = contextValue.staleNotices;
          if (!notices?.length || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, stale: mergeStaleNotices(notices) };
        },
      };
    },
  };
}

/** Keeps what a subgraph's answer reported stale, for the client's `extensions.stale`. */
function collectStaleNotices(extensions: Record<string, unknown> | undefined, context: GatewayContext, path: readonly (string | number)[] | undefined): void {
  const notices = staleNoticesOf(extensions?.['stale'], path);
  if (notices.length) (context.staleNotices ??= []).push(...notices);
}

/** The client's headers a subgraph gets (FORWARDED_HEADERS). */
function forwardedHeaders(context: GatewayContext): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = context.headers?.[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/**
 * Reaches a subgraph over HTTP as RemoteGraphQLDataSource does (the same body, the client's forwarded headers, the same
 * errors for a refused or non-JSON answer), through our undici pool, without the fetch Request, Headers and response
 * objects it builds around every call.
 */
class HttpDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly url: string,
    private readonly fetcher: SubgraphFetcher,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const incoming = String(options.kind) === 'incoming operation' ? (options as IncomingOperation) : undefined;
    const headers: Record<string, string> = {};
    for (const [name, value] of request.http?.headers ?? []) headers[name] = value;
    Object.assign(headers, { 'content-type': 'application/json' }, incoming ? forwardedHeaders(incoming.context) : {});
    const { http: _http, ...unfolded } = request;
    const entities = foldRepresentations(unfolded.variables);
    const body = entities.variables === unfolded.variables ? unfolded : { ...unfolded, variables: entities.variables };
    const reply = await this.fetcher.post(this.url, JSON.stringify(body), headers);
    const json = reply.contentType.startsWith('application/json') || reply.contentType.startsWith('application/graphql-response+json');
    const parsed: unknown = json ? JSON.parse(reply.text) : reply.text;
    if (reply.status < 200 || reply.status >= 300) {
      const code = reply.status === 401 ? 'UNAUTHENTICATED' : reply.status === 403 ? 'FORBIDDEN' : undefined;
      throw new GraphQLError(`${reply.status}: `, {
        extensions: { response: { url: this.url, status: reply.status, statusText: '', body: parsed }, ...(code ? { code } : {}) },
      });
    }
    if (parsed === null || typeof parsed !== 'object') throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
    const answer = parsed as GatewayGraphQLResponse;
    if (incoming) collectStaleNotices(answer.extensions, incoming.context, incoming.pathInIncomingRequest);
    if (incoming) collectLineage(answer.extensions, incoming.context, incoming.pathInIncomingRequest, unfolded.variables, entities.variables);
    return entities.spread(answer);
  }
}

/** A subgraph in the gateway's own process: what `serveSubgraph(...).execute` answers. */
export type LocalSubgraph = (
  operation: { query: string; variables?: Record<string, unknown>; operationName?: string },
  headers: Readonly<Record<string, string>>,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[]; extensions?: Record<string, unknown> }>;

type IncomingOperation = Extract<GraphQLDataSourceProcessOptions<GatewayContext>, { pathInIncomingRequest?: unknown }>;

/** Reaches a subgraph that runs in this process directly: the same operation and headers, no HTTP, no JSON. */
class InProcessDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(private readonly execute: LocalSubgraph) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    // A client's operation (not the gateway's own health check or schema load) carries the client's headers.
    const incoming = String(options.kind) === 'incoming operation' ? (options as IncomingOperation) : undefined;
    const entities = foldRepresentations(request.variables);
    const answer = await this.execute(
      { query: request.query ?? '', ...(entities.variables ? { variables: entities.variables } : {}), ...(request.operationName ? { operationName: request.operationName } : {}) },
      incoming ? forwardedHeaders(incoming.context) : {},
    );
    if (incoming) collectStaleNotices(answer.extensions, incoming.context, incoming.pathInIncomingRequest);
    if (incoming) collectLineage(answer.extensions, incoming.context, incoming.pathInIncomingRequest, request.variables, entities.variables);
    return entities.spread(answer as GatewayGraphQLResponse);
  }
}

/** Apollo Gateway over the committed supergraph, served by Apollo Server 5. */
export function createGateway(options: GatewayOptions): {
  gateway: ApolloGateway;
  apollo: ApolloServer<GatewayContext>;
  /** Stamps an answer's errors with the request id and logs the originals of those masked (see masked-errors.ts). */
  finishErrors(body: string, requestId: string): string;
} {
  // One keep-alive undici pool per subgraph for every data source (npm run bench: see bench/RESULTS.md).
  const subgraphFetcher = createSubgraphFetcher({ secret: options.subgraphSecret });
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    // Apollo Gateway answers its query plan (subgraph names and operations) to any request with an
    // `Apollo-Query-Plan-Experimental` header unless NODE_ENV=production, which nothing requires us to set.
    __exposeQueryPlanExperimental: false,
    buildService: ({ name, url }) => {
      const local = options.localSubgraphs?.[name];
      return local ? new InProcessDataSource(local) : new HttpDataSource(options.subgraphUrls?.[name] ?? url ?? '', subgraphFetcher);
    },
  });
  const introspection = options.introspection ?? true;
  const masked = createMaskedErrors(PASS_THROUGH, options.onMaskedError);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection,
    hideSchemaDetailsFromClientErrors: !introspection,
    // The front door resolves persisted queries and trusted documents itself and hands Apollo the document it checked:
    // Apollo resolving a document by id is how an unchecked one ran (issue 15).
    persistedQueries: false,
    ...(options.maxTokens ? { parseOptions: { maxTokens: options.maxTokens } } : {}),
    allowBatchedHttpRequests: options.batching ?? false,
    // CSRF prevention guards cookie sessions; this API reads no cookie (bearer tokens only), a GET can never run a
    // mutation, and a simple-form POST (text/plain, urlencoded, multipart) is refused before Apollo (415). With it on,
    // urql's and graphql-request's default GETs were refused. docs/front-door.md, "Choices".
    csrfPrevention: false,
    includeStacktraceInErrorResponses: false,
    // Our CLIs stop everything in order on SIGINT/SIGTERM; Apollo's own handlers would kill the process half-way.
    stopOnTerminationSignals: false,
    formatError: masked.format,
    // A response cache hit is sent as the JSON made when its answer was kept; any other answer as Apollo would.
    stringifyResult: stringifyAnswer,
    // Apollo's default landing page loads from a CDN; the explorer is served from our own files instead.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo Server installs these two unless told not to. Cache-control hints: the gateway reaches its subgraphs
      // through its own data sources, which read no cache-control from them, so the policy is never cacheable and no
      // header was ever sent; inline traces are for subgraphs reporting to Apollo's cloud. Neither did anything here
      // but run on every request: without them, 9-10% more nested queries and 5-6% more one-fetch queries per core
      // (a paired A/B of two gateways, one with them and one without, under the benchmark's load).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      staleExtensionsPlugin(),
      lineageExtensionsPlugin(),
      frontDoorCheckPlugin(options.onMaskedError),
      ...(options.apolloPlugins ?? []),
      // The subgraph connections close with the server, not when the process exits.
      { serverWillStart: async () => ({ serverWillStop: () => subgraphFetcher.close() }) },
    ],
  });
  return { gateway, apollo, finishErrors: masked.finish };
}
