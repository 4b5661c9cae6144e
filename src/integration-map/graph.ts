import { readFileSync } from 'node:fs';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';

/**
 * Internal to src/integration-map: the entities of the graph and their fields, read from the composed supergraph
 * (schema/supergraph.graphql) rather than kept as a second list that could drift from it. An entity is an object
 * type that some subgraph declares with a federation key (`@join__type(graph: …, key: …)`).
 */
export type GraphEntities = ReadonlyMap<string, readonly string[]>;

export function entitiesOfSupergraph(sdl: string): GraphEntities {
  const entities = new Map<string, readonly string[]>();
  for (const definition of parse(sdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const type = definition as ObjectTypeDefinitionNode;
    const keyed = (type.directives ?? []).some(
      (directive) => directive.name.value === 'join__type' && (directive.arguments ?? []).some((argument) => argument.name.value === 'key'),
    );
    if (!keyed) continue;
    const fields = (type.fields ?? []).map((field) => field.name.value);
    entities.set(type.name.value, [...(entities.get(type.name.value) ?? []), ...fields]);
  }
  return entities;
}

export function readSupergraphEntities(file: string): GraphEntities {
  return entitiesOfSupergraph(readFileSync(file, 'utf8'));
}
