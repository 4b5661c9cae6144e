import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** Which way a call went: we called the system (outbound) or the system called us, e.g. a webhook (inbound). */
export type IntegrationDirection = 'outbound' | 'inbound';

/** How a call ended: answered, answered from our cache without calling the system, or failed. */
export type IntegrationOutcome = 'ok' | 'cached' | 'error';

/**
 * A row of `integration_logs`: one call to or from a system. Written in batches off the hot path
 * (src/audit/integration-log.ts); the payload is kept on failures only, and always redacted.
 */
@Entity({ tableName: 'integration_logs' })
@Index({ name: 'integration_logs_adapter_direction_timestamp_index', properties: ['adapter', 'direction', 'timestamp'] })
export class IntegrationLogEntity {
  [OptionalProps]?: 'id' | 'errorCode' | 'reason' | 'payload' | 'requestId';

  /**
   * bigserial on PostgreSQL; SQLite has one autoincrement type (integer, 64-bit), which MikroORM's diff would otherwise
   * read as a change of type and rebuild the table in every generated migration.
   */
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true, ignoreSchemaChanges: ['type'] })
  id!: number;

  /** The system's name in the integration map, e.g. "crm". */
  @Property({ type: 'string', length: 64 })
  adapter!: string;

  /** One of 'outbound' | 'inbound' (a plain string column: see OrderEntity.status for why not @Enum). */
  @Property({ type: 'string', length: 8 })
  direction!: IntegrationDirection;

  @Property({ type: 'string', length: 128 })
  operation!: string;

  /** When the call started. */
  @Property({ type: 'datetime' })
  timestamp!: Date;

  @Property({ type: 'integer', fieldName: 'duration_ms' })
  durationMs!: number;

  @Property({ type: 'string', length: 8 })
  outcome!: IntegrationOutcome;

  /** The IntegrationError code of a failure. */
  @Property({ type: 'string', length: 64, fieldName: 'error_code', nullable: true })
  errorCode: string | null = null;

  /** What went wrong, in words a person can read. */
  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  /** What the system sent or was sent, redacted; failures only. */
  @Property({ type: 'json', nullable: true })
  payload: unknown = null;

  @Property({ type: 'string', length: 128, fieldName: 'request_id', nullable: true })
  requestId: string | null = null;
}
