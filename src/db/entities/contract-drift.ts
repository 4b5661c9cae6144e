import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** Against what an answer was held: the vendor's published description, or the shape its answers had so far. */
export type ContractDriftSource = 'description' | 'last-seen';

/**
 * A row of `contract_drift`: a system's answers changed shape (a field appeared, disappeared, was renamed, changed
 * type, or carried an enum value the description does not list). One row per (system, operation, field, change),
 * however often it is seen again: `last_seen_at` and `times_seen` say how it goes on.
 */
@Entity({ tableName: 'contract_drift' })
@Unique({ name: 'contract_drift_change_unique', properties: ['system', 'operation', 'field', 'change'] })
@Index({ name: 'contract_drift_first_seen_at_index', properties: ['firstSeenAt'] })
export class ContractDriftEntity {
  [OptionalProps]?: 'timesSeen';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 64 })
  system!: string;

  /** The adapter's operation whose answer changed. */
  @Property({ type: 'string', length: 100 })
  operation!: string;

  /** The field's path in the answer, e.g. `results[].properties.email`. */
  @Property({ type: 'string', length: 300 })
  field!: string;

  /** What changed, in a few words: `appeared`, `disappeared`, `type number → string`, `enum value "x"`, `renamed from y`. */
  @Property({ type: 'string', length: 300 })
  change!: string;

  /** One of ContractDriftSource (a plain string column: see OrderEntity.status for why not @Enum). */
  @Property({ type: 'string', length: 16 })
  source!: ContractDriftSource;

  /** A short excerpt of the value seen, when there was one (redacted, at most 200 characters). */
  @Property({ type: 'string', length: 200, nullable: true })
  seen: string | null = null;

  @Property({ type: 'datetime', fieldName: 'first_seen_at' })
  firstSeenAt!: Date;

  @Property({ type: 'datetime', fieldName: 'last_seen_at' })
  lastSeenAt!: Date;

  @Property({ type: 'integer', fieldName: 'times_seen' })
  timesSeen: number = 1;
}
