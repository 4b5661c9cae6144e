import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** The source-of-truth matrix's conflict rules. */
export type ConflictRule = 'latest-timestamp-wins' | 'owner-wins';

/**
 * A row of `conflicts`: two systems changed the same record (or field) and the matrix's rule picked a winner. The same
 * losing write (same system, same timestamp) is recorded once, however often it is met.
 */
@Entity({ tableName: 'conflicts' })
@Unique({
  name: 'conflicts_loser_unique',
  properties: ['entity', 'entityId', 'field', 'loserSystem', 'loserTimestamp'],
})
export class ConflictEntity {
  [OptionalProps]?: 'winnerValue' | 'loserValue';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 64 })
  entity!: string;

  @Property({ type: 'string', length: 128, fieldName: 'entity_id' })
  entityId!: string;

  /** The field, a comma-separated list of fields, or 'version' when whole records were compared. */
  @Property({ type: 'string', length: 256 })
  field!: string;

  @Property({ type: 'string', length: 64, fieldName: 'winner_system' })
  winnerSystem!: string;

  @Property({ type: 'json', fieldName: 'winner_value', nullable: true })
  winnerValue: unknown = null;

  @Property({ type: 'datetime', fieldName: 'winner_timestamp' })
  winnerTimestamp!: Date;

  @Property({ type: 'string', length: 64, fieldName: 'loser_system' })
  loserSystem!: string;

  @Property({ type: 'json', fieldName: 'loser_value', nullable: true })
  loserValue: unknown = null;

  @Property({ type: 'datetime', fieldName: 'loser_timestamp' })
  loserTimestamp!: Date;

  /** One of 'latest-timestamp-wins' | 'owner-wins'. */
  @Property({ type: 'string', length: 32 })
  rule!: ConflictRule;

  @Property({ type: 'datetime', fieldName: 'decided_at' })
  decidedAt!: Date;
}
