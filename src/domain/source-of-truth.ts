/**
 * The source-of-truth matrix: for each entity and field of the graph, the system that owns it, the systems that keep a
 * copy (its followers), which way changes flow and how a disagreement (drift) is settled. It is declared in
 * schema/source-of-truth.yaml and validated at start; these are its types and the questions the rest of the product
 * asks of it. Systems are named by their integration-map names ("store", "crm", "courier-a", …).
 */

/** Which way changes flow between a field's owner and its followers. */
export const FLOW_DIRECTIONS = ['owner-to-followers', 'bidirectional'] as const;
export type FlowDirection = (typeof FLOW_DIRECTIONS)[number];

/**
 * How drift is settled. `owner-wins`: the owner's value is served and pushed to the followers. `latest-timestamp-wins`:
 * the most recently changed copy wins, and every resolution is written to the audit trail.
 */
export const CONFLICT_RULES = ['owner-wins', 'latest-timestamp-wins'] as const;
export type ConflictRule = (typeof CONFLICT_RULES)[number];

/**
 * Who owns a field: one system, or, for records that several systems of one kind hold (a shipment belongs to the
 * courier that carries it), the system named by one of the record's own fields.
 */
export type FieldOwner =
  | { readonly kind: 'system'; readonly system: string }
  | {
      readonly kind: 'per-record';
      /** The systems that may own a record. */
      readonly oneOf: readonly string[];
      /** The field of the record whose value is the owning system's name, e.g. "carrier". */
      readonly by: string;
    };

export interface FieldRule {
  readonly owner: FieldOwner;
  /** Systems that keep a copy, in the order the matrix lists them. */
  readonly followers: readonly string[];
  readonly direction: FlowDirection;
  readonly conflict: ConflictRule;
  /** Why, in the client's words (shown on the integration map). */
  readonly note?: string;
}

export interface EntityRules {
  readonly note?: string;
  /** Field name -> its rule, in the order the matrix lists them. */
  readonly fields: Readonly<Record<string, FieldRule>>;
}

export interface SourceOfTruthMatrix {
  /** Entity name (a type of the graph, e.g. "Customer") -> its rules, in the order the matrix lists them. */
  readonly entities: Readonly<Record<string, EntityRules>>;
}

/** One field of one entity. */
export interface FieldRef {
  readonly entity: string;
  readonly field: string;
}

/** One wire of the map: the fields of one entity that flow from an owner to one follower, one way or both ways. */
export interface Flow {
  readonly entity: string;
  readonly owner: string;
  readonly follower: string;
  readonly direction: FlowDirection;
  readonly conflict: ConflictRule;
  readonly fields: readonly string[];
}

const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;

/** The rule of a field, or undefined when the matrix says nothing about it. */
export function ruleFor(matrix: SourceOfTruthMatrix, entity: string, field: string): FieldRule | undefined {
  const rules = own(matrix.entities, entity);
  return rules ? own(rules.fields, field) : undefined;
}

/** Every system that can own a field under this rule. */
export function possibleOwners(owner: FieldOwner): readonly string[] {
  return owner.kind === 'system' ? [owner.system] : owner.oneOf;
}

/**
 * The system that owns a field. For a per-record owner, `record` must carry the deciding field (e.g. a shipment's
 * `carrier`); the answer is undefined when it does not, when it names a system the rule does not allow, or when the
 * matrix has no rule for the field.
 */
export function ownerOf(
  matrix: SourceOfTruthMatrix,
  entity: string,
  field: string,
  record?: Readonly<Record<string, unknown>>,
): string | undefined {
  const rule = ruleFor(matrix, entity, field);
  if (!rule) return undefined;
  if (rule.owner.kind === 'system') return rule.owner.system;
  const named = record?.[rule.owner.by];
  return typeof named === 'string' && rule.owner.oneOf.includes(named) ? named : undefined;
}

/** The systems that keep a copy of a field (none when the matrix has no rule for it). */
export function followersOf(matrix: SourceOfTruthMatrix, entity: string, field: string): readonly string[] {
  return ruleFor(matrix, entity, field)?.followers ?? [];
}

/** Every field a system owns, or may own (per-record owners), in matrix order. */
export function fieldsOwnedBy(matrix: SourceOfTruthMatrix, system: string): readonly FieldRef[] {
  return fieldRefs(matrix, (rule) => possibleOwners(rule.owner).includes(system));
}

/** Every field a system keeps a copy of, in matrix order. */
export function fieldsFollowedBy(matrix: SourceOfTruthMatrix, system: string): readonly FieldRef[] {
  return fieldRefs(matrix, (rule) => rule.followers.includes(system));
}

function fieldRefs(matrix: SourceOfTruthMatrix, keep: (rule: FieldRule) => boolean): FieldRef[] {
  const refs: FieldRef[] = [];
  for (const [entity, rules] of Object.entries(matrix.entities)) {
    for (const [field, rule] of Object.entries(rules.fields)) if (keep(rule)) refs.push({ entity, field });
  }
  return refs;
}

/**
 * The wires of the matrix: for each entity, owner and follower, the fields that flow between them, grouped by direction
 * and conflict rule. A per-record owner gives one wire from each system that may own the record.
 */
export function flowsOf(matrix: SourceOfTruthMatrix): readonly Flow[] {
  const flows = new Map<string, { -readonly [K in keyof Flow]: Flow[K] } & { fields: string[] }>();
  for (const [entity, rules] of Object.entries(matrix.entities)) {
    for (const [field, rule] of Object.entries(rules.fields)) {
      for (const owner of possibleOwners(rule.owner)) {
        for (const follower of rule.followers) {
          const key = JSON.stringify([entity, owner, follower, rule.direction, rule.conflict]);
          const flow = flows.get(key) ?? { entity, owner, follower, direction: rule.direction, conflict: rule.conflict, fields: [] };
          flow.fields.push(field);
          flows.set(key, flow);
        }
      }
    }
  }
  return [...flows.values()];
}
