import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import type { GraphQLSchema } from 'graphql';

/**
 * The API schema of a supergraph: the graph clients see, without the join__/link__ machinery the gateway plans
 * with. Built by Apollo's own federation code, so it is exactly what the gateway serves.
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

/**
 * graphql-codegen custom schema loader (codegen.yml): reads the supergraph file the pointer names and answers its
 * API schema, so that generated types and schema/api.graphql follow schema/supergraph.graphql.
 */
export default async function loadApiSchema(pointer: string, options: { readonly cwd?: string } = {}): Promise<GraphQLSchema> {
  return apiSchemaOf(await readFile(path.resolve(options.cwd ?? process.cwd(), pointer), 'utf8'));
}
