import type { EntityRules, FieldRule, SourceOfTruthMatrix } from '../domain';
import type { CutoverRecord } from './control';

/** The system being replaced, as the integration map names it. */
const LEGACY = 'legacy';
/** The new site's own store. */
const STORE = 'store';

/**
 * Lays the cutovers over the matrix as declared in schema/source-of-truth.yaml: the YAML stays the declaration, the
 * `shadow_state` rows the record of each cutover. For a cut-over entity, every field the YAML gives to the legacy shop
 * is given to the site's store, and the legacy shop leaves the followers of every field: nothing is synced to the
 * system that was cut off. Entities not cut over, and fields owned by any other system, are left as declared.
 */
export function applyCutovers(matrix: SourceOfTruthMatrix, cutovers: readonly Pick<CutoverRecord, 'entity'>[]): SourceOfTruthMatrix {
  const cut = new Set(cutovers.map((cutover) => cutover.entity));
  if (cut.size === 0) return matrix;
  const entities: Record<string, EntityRules> = {};
  for (const [entity, rules] of Object.entries(matrix.entities)) {
    entities[entity] = cut.has(entity)
      ? { ...rules, fields: Object.fromEntries(Object.entries(rules.fields).map(([field, rule]) => [field, cutOver(rule)])) }
      : rules;
  }
  return { entities };
}

function cutOver(rule: FieldRule): FieldRule {
  const owner = rule.owner.kind === 'system' && rule.owner.system === LEGACY ? { kind: 'system' as const, system: STORE } : rule.owner;
  const followers = rule.followers.filter((system) => system !== LEGACY && !(owner.kind === 'system' && system === owner.system));
  // A field left with no follower cannot flow both ways: it becomes the owner's alone.
  return followers.length === 0 && rule.direction === 'bidirectional'
    ? { ...rule, owner, followers, direction: 'owner-to-followers', conflict: 'owner-wins' }
    : { ...rule, owner, followers };
}
