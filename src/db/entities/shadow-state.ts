import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** Which system an entity's records belong to during a cutover: the legacy shop until the cutover, then the site. */
export type EntityOwner = 'legacy' | 'store';

/**
 * A row of `shadow_state`: one entity's place in the cutover. `shadow` on: the site's writes of this entity are also
 * sent to the legacy shop through the outbox. `owner` store with `cutover_at`: the entity was cut over (the durable
 * override of the source-of-truth matrix); shadow writes stop then. An entity without a row is in neither.
 */
@Entity({ tableName: 'shadow_state' })
export class ShadowStateEntity {
  [OptionalProps]?: 'cutoverAt' | 'cutoverBy';

  /** The entity, as the matrix names it ("Customer", "Order"). */
  @PrimaryKey({ type: 'string', length: 64 })
  entity!: string;

  @Property({ type: 'boolean' })
  shadow!: boolean;

  /** One of EntityOwner (a plain string column: see OrderEntity.status for why not @Enum). */
  @Property({ type: 'string', length: 16 })
  owner!: EntityOwner;

  @Property({ type: 'datetime', fieldName: 'cutover_at', nullable: true })
  cutoverAt: Date | null = null;

  /** Who cut it over. */
  @Property({ type: 'string', length: 200, fieldName: 'cutover_by', nullable: true })
  cutoverBy: string | null = null;

  @Property({ type: 'datetime', fieldName: 'updated_at' })
  updatedAt!: Date;

  /** Who switched it last. */
  @Property({ type: 'string', length: 200, fieldName: 'updated_by' })
  updatedBy!: string;
}
