import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { entitiesAtOnce } from './entities';
import { leanResolvers } from './lean-resolvers';

/** The federation features our subgraphs use. */
const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides"])';

/** What a subgraph sees of the HTTP request (the gateway forwards the client's auth and idempotency headers). */
export interface SubgraphRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A subgraph ready to serve: its federated schema, its SDL, and how to make a per-request context. */
export interface Subgraph<Context extends object = object> {
  /** The subgraph's name in the supergraph, e.g. "crm". */
  readonly name: string;
  readonly schema: GraphQLSchema;
  /** The subgraph's SDL with federation directives, as committed in schema/<name>.graphql. */
  readonly sdl: string;
  /** Makes the context of one request: fresh DataLoaders, so batching never leaks across requests. */
  createContext(request: SubgraphRequest): Context;
}

export interface SubgraphOptions<Context extends object> {
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly resolvers: NonEmptyArray<Function>;
  /** `__resolveReference` per entity type: how the gateway's entity references become objects. */
  readonly referenceResolvers?: Record<string, { __resolveReference: (reference: never, context: Context) => unknown }>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly orphanedTypes?: Function[];
  readonly createContext: (request: SubgraphRequest) => Context;
}

/**
 * type-graphql classes -> federated subgraph. type-graphql prints the types and their directives; @apollo/subgraph
 * adds `_entities` and `_service` (the chain type-graphql's own federation example uses).
 */
export async function buildSubgraph<Context extends object>(options: SubgraphOptions<Context>): Promise<Subgraph<Context>> {
  const plain = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    skipCheck: true,
    validate: false,
  });
  // Every subgraph says the same of the root types, so the composed graph describes them once.
  const query = plain.getQueryType();
  if (query) query.description = 'Reads: each field is served by the system that owns it.';
  const mutation = plain.getMutationType();
  if (mutation) mutation.description = 'Writes: each mutation goes to the owning system and answers a receipt.';
  const sdl = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(plain)}\n`;
  const resolvers = createResolversMap(plain) as Record<string, Record<string, unknown>>;
  leanResolvers(resolvers, options.resolvers);
  for (const [typeName, reference] of Object.entries(options.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...resolvers[typeName], ...reference };
  }
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as GraphQLResolverMap<unknown> });
  const entities = schema.getQueryType()?.getFields()['_entities'];
  if (entities?.resolve) entities.resolve = entitiesAtOnce(entities.resolve as Parameters<typeof entitiesAtOnce>[0]);
  return { name: options.name, schema, sdl, createContext: options.createContext };
}
