import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A row of `drift`: a follower system holding a value for a field that differs from its owner's. One row per
 * difference, not per read: seeing the same follower value again moves `last_seen_at` and counts `times_seen`.
 * Values are text (strings as they are, anything else as JSON).
 */
@Entity({ tableName: 'drift' })
@Unique({
  name: 'drift_difference_unique',
  properties: ['entity', 'entityId', 'field', 'followerSystem', 'followerValue'],
})
@Index({ name: 'drift_last_seen_at_index', properties: ['lastSeenAt'] })
export class DriftEntity {
  [OptionalProps]?: 'timesSeen' | 'resolvedAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 64 })
  entity!: string;

  @Property({ type: 'string', length: 128, fieldName: 'entity_id' })
  entityId!: string;

  @Property({ type: 'string', length: 128 })
  field!: string;

  @Property({ type: 'string', length: 64, fieldName: 'owner_system' })
  ownerSystem!: string;

  @Property({ type: 'text', fieldName: 'owner_value' })
  ownerValue!: string;

  @Property({ type: 'string', length: 64, fieldName: 'follower_system' })
  followerSystem!: string;

  @Property({ type: 'text', fieldName: 'follower_value' })
  followerValue!: string;

  @Property({ type: 'datetime', fieldName: 'first_seen_at' })
  firstSeenAt!: Date;

  @Property({ type: 'datetime', fieldName: 'last_seen_at' })
  lastSeenAt!: Date;

  @Property({ type: 'integer', fieldName: 'times_seen' })
  timesSeen: number = 1;

  /** When the follower was brought back in line (or agreed again); null while the difference stands. */
  @Property({ type: 'datetime', fieldName: 'resolved_at', nullable: true })
  resolvedAt: Date | null = null;
}
