import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Where a job is in its life: waiting for its first attempt (pending), claimed by a worker until `locked_until`
 * (running), delivered (done), its last attempt failed and it waits for `next_attempt_at` (failed), or dead-lettered
 * after `max_attempts`, replayable by an operator (dead).
 */
export type OutboxJobState = 'pending' | 'running' | 'done' | 'failed' | 'dead';

/**
 * A row of `outbox_jobs`: one write to a system waiting to be delivered (follower sync, or a write to an owner that was
 * down), with the idempotency key the system will see on every attempt. Workers claim due jobs by
 * (state, next_attempt_at); a claim holds until `locked_until`.
 */
@Entity({ tableName: 'outbox_jobs' })
@Index({ name: 'outbox_jobs_state_next_attempt_at_index', properties: ['state', 'nextAttemptAt'] })
@Index({ name: 'outbox_jobs_audit_id_index', properties: ['auditId'] })
export class OutboxJobEntity {
  [OptionalProps]?: 'attempts' | 'lastError' | 'auditId' | 'lockedBy' | 'lockedUntil';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** What the job is for, e.g. 'follower-sync'. */
  @Property({ type: 'string', length: 32 })
  kind!: string;

  /** The system the write goes to. */
  @Property({ type: 'string', length: 64 })
  system!: string;

  /** The port operation to call, e.g. 'updateContact'. */
  @Property({ type: 'string', length: 64 })
  operation!: string;

  @Property({ type: 'string', length: 64 })
  entity!: string;

  @Property({ type: 'string', length: 128, fieldName: 'entity_id' })
  entityId!: string;

  /** The operation's input. */
  @Property({ type: 'json' })
  payload!: unknown;

  @Property({ type: 'string', length: 200, fieldName: 'idempotency_key', unique: 'outbox_jobs_idempotency_key_unique' })
  idempotencyKey!: string;

  /** One of OutboxJobState (a plain string column: see OrderEntity.status for why not @Enum). */
  @Property({ type: 'string', length: 16 })
  state!: OutboxJobState;

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'integer', fieldName: 'max_attempts' })
  maxAttempts!: number;

  @Property({ type: 'datetime', fieldName: 'next_attempt_at' })
  nextAttemptAt!: Date;

  @Property({ type: 'text', fieldName: 'last_error', nullable: true })
  lastError: string | null = null;

  /** The mutation_audit row that queued this job, when a mutation did. */
  @Property({ type: 'uuid', fieldName: 'audit_id', nullable: true })
  auditId: string | null = null;

  @Property({ type: 'datetime', fieldName: 'created_at' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'updated_at' })
  updatedAt!: Date;

  /** The worker holding the job while it runs. */
  @Property({ type: 'string', length: 128, fieldName: 'locked_by', nullable: true })
  lockedBy: string | null = null;

  @Property({ type: 'datetime', fieldName: 'locked_until', nullable: true })
  lockedUntil: Date | null = null;
}
