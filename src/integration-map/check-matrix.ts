import type { EntityRules, FieldOwner, FieldRule, SourceOfTruthMatrix } from '../domain/source-of-truth';
import type { GraphEntities } from './graph';
import { nearest, type PathSegment, type Problems, type SourceFile } from './problems';
import type { WrittenFieldRule, WrittenMatrix } from './schema';

/**
 * Internal to src/integration-map: what the matrix must say beyond its shape, checked against the systems of the map
 * and the entities of the graph. Every problem names its place; the matrix is answered only when there are none.
 *
 * The rules, and why:
 * - a field has exactly one owner (a list of owners is refused naming them all: make the others followers);
 * - every owner and follower is a system of the map; an owner never follows itself; no follower twice;
 * - bidirectional needs a follower and `latest-timestamp-wins` (with owner-wins every change a follower makes would
 *   be overwritten: that is owner-to-followers); owner-to-followers takes `owner-wins` (only the owner changes it);
 * - entities and fields are those of the graph, so the matrix cannot describe data nobody serves.
 */
export function checkMatrix(
  written: WrittenMatrix,
  context: { readonly systems: readonly string[]; readonly graph: GraphEntities; readonly graphFile: string },
  source: SourceFile,
  problems: Problems,
): SourceOfTruthMatrix | undefined {
  const before = problems.lines.length;
  const entities: Record<string, EntityRules> = {};
  const entityNames = [...context.graph.keys()];
  for (const [entity, rules] of Object.entries(written.entities)) {
    const place: PathSegment[] = ['entities', entity];
    const graphFields = context.graph.get(entity);
    if (!graphFields) {
      problems.add(source, place, `not an entity of the graph (${didYouMean(entity, entityNames)}${context.graphFile} has: ${entityNames.join(', ')})`);
      continue;
    }
    if (Object.keys(rules.fields).length === 0) problems.add(source, [...place, 'fields'], 'no fields: list the fields the matrix rules, or leave the entity out');
    const fields: Record<string, FieldRule> = {};
    for (const [field, rule] of Object.entries(rules.fields)) {
      const fieldPlace = [...place, 'fields', field];
      if (!graphFields.includes(field)) {
        problems.add(source, fieldPlace, `not a field of ${entity} in the graph (${didYouMean(field, graphFields)}it has: ${graphFields.join(', ')})`);
        continue;
      }
      const checked = checkRule(rule, { entity, graphFields, systems: context.systems }, fieldPlace, source, problems);
      if (checked) fields[field] = checked;
    }
    entities[entity] = { ...(rules.note === undefined ? {} : { note: rules.note }), fields };
  }
  return problems.lines.length === before ? { entities } : undefined;
}

function checkRule(
  rule: WrittenFieldRule,
  context: { readonly entity: string; readonly graphFields: readonly string[]; readonly systems: readonly string[] },
  place: readonly PathSegment[],
  source: SourceFile,
  problems: Problems,
): FieldRule | undefined {
  const before = problems.lines.length;
  const system = (name: string, at: readonly PathSegment[]): void => {
    if (!context.systems.includes(name)) {
      problems.add(source, at, `unknown system ${JSON.stringify(name)} (${didYouMean(name, context.systems)}the map has: ${context.systems.join(', ')})`);
    }
  };

  let owner: FieldOwner | undefined;
  const written = rule.owner;
  if (typeof written === 'string') {
    system(written, [...place, 'owner']);
    owner = { kind: 'system', system: written };
  } else if (Array.isArray(written)) {
    const times = written.length === 2 ? 'twice' : `${written.length} times`;
    problems.add(
      source,
      place,
      written.length > 1
        ? `owned ${times} (${written.join(', ')}): a field has exactly one owner; make the others followers`
        : 'owner is one system, not a list',
    );
  } else {
    written.oneOf.forEach((name, index) => system(name, [...place, 'owner', 'oneOf', index]));
    duplicates(written.oneOf).forEach((index) => problems.add(source, [...place, 'owner', 'oneOf', index], `${JSON.stringify(written.oneOf[index])} is listed twice`));
    if (!context.graphFields.includes(written.by)) {
      problems.add(source, [...place, 'owner', 'by'], `${context.entity} has no field ${JSON.stringify(written.by)} in the graph (${didYouMean(written.by, context.graphFields)}it has: ${context.graphFields.join(', ')})`);
    }
    owner = { kind: 'per-record', oneOf: written.oneOf, by: written.by };
  }

  const owners = owner?.kind === 'system' ? [owner.system] : owner?.kind === 'per-record' ? owner.oneOf : [];
  rule.followers.forEach((follower, index) => {
    const at = [...place, 'followers', index];
    if (owners.includes(follower)) problems.add(source, at, `${JSON.stringify(follower)} owns this field: an owner does not follow itself`);
    else system(follower, at);
  });
  duplicates(rule.followers).forEach((index) => problems.add(source, [...place, 'followers', index], `${JSON.stringify(rule.followers[index])} is listed twice`));

  if (rule.direction === 'bidirectional') {
    if (rule.followers.length === 0) problems.add(source, [...place, 'followers'], 'a bidirectional field needs at least one follower');
    if (rule.conflict !== 'latest-timestamp-wins') {
      problems.add(
        source,
        [...place, 'conflict'],
        'bidirectional takes latest-timestamp-wins: with owner-wins every change a follower makes is overwritten (that is owner-to-followers)',
      );
    }
  } else if (rule.conflict !== 'owner-wins') {
    problems.add(
      source,
      [...place, 'conflict'],
      'owner-to-followers takes owner-wins: only the owner changes the field (make it bidirectional if the followers change it too)',
    );
  }

  if (!owner || problems.lines.length !== before) return undefined;
  return {
    owner,
    followers: rule.followers,
    direction: rule.direction,
    conflict: rule.conflict,
    ...(rule.note === undefined ? {} : { note: rule.note }),
  };
}

/** Indexes of the entries that repeat an earlier one. */
function duplicates(names: readonly string[]): number[] {
  return names.flatMap((name, index) => (names.indexOf(name) < index ? [index] : []));
}

function didYouMean(name: string, known: readonly string[]): string {
  const near = nearest(name, known);
  return near ? `did you mean ${near}? ` : '';
}
