import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** How a mutation ended: written to the owning system, queued for it (the owner was down), or refused. */
export type MutationResult = 'APPLIED' | 'QUEUED' | 'REJECTED';

/**
 * A row of `mutation_audit`: one GraphQL mutation, who asked for it, the system that owns what it changed, the record
 * before and after, and the receipt the client got. Committed in the same transaction as its follower-sync jobs.
 *
 * An idempotency key is unique per operation, so that a client's retry finds the first receipt. The key is shared by
 * everyone: a caller that finds a row must check that its actor is the one asking before handing back the receipt.
 */
@Entity({ tableName: 'mutation_audit' })
@Unique({ name: 'mutation_audit_operation_idempotency_key_unique', properties: ['operation', 'idempotencyKey'] })
@Index({ name: 'mutation_audit_entity_created_at_index', properties: ['entity', 'entityId', 'createdAt'] })
export class MutationAuditEntity {
  [OptionalProps]?: 'before' | 'after' | 'errorCode' | 'idempotencyKey' | 'fingerprint';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** The token's subject, or "anonymous". */
  @Property({ type: 'string', length: 200 })
  actor!: string;

  /** The GraphQL mutation, e.g. "updateCustomer". */
  @Property({ type: 'string', length: 64 })
  operation!: string;

  /** The entity it changes, e.g. "Customer". */
  @Property({ type: 'string', length: 64 })
  entity!: string;

  @Property({ type: 'string', length: 128, fieldName: 'entity_id' })
  entityId!: string;

  /** The mutation's input, redacted. */
  @Property({ type: 'json' })
  input!: unknown;

  /** The system that owns what the mutation changes, from the source-of-truth matrix. */
  @Property({ type: 'string', length: 64 })
  owner!: string;

  @Property({ type: 'json', nullable: true })
  before: unknown = null;

  @Property({ type: 'json', nullable: true })
  after: unknown = null;

  /** One of 'APPLIED' | 'QUEUED' | 'REJECTED'. */
  @Property({ type: 'string', length: 16 })
  result!: MutationResult;

  @Property({ type: 'string', length: 64, fieldName: 'error_code', nullable: true })
  errorCode: string | null = null;

  /** What the client was answered. */
  @Property({ type: 'json' })
  receipt!: unknown;

  @Property({ type: 'string', length: 200, fieldName: 'idempotency_key', nullable: true })
  idempotencyKey: string | null = null;

  /**
   * The fingerprint of the request the idempotency key was first sent with, taken from its claim (src/writes/fingerprint.ts):
   * the key answers this receipt only to the same request. Null for rows written before it was kept.
   */
  @Property({ type: 'string', length: 64, nullable: true })
  fingerprint: string | null = null;

  @Property({ type: 'datetime', fieldName: 'created_at' })
  createdAt!: Date;
}
