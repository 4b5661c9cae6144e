import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * What an alert is about: an outbox job failed for the third time, or it was dead-lettered; or a mutation whose process
 * died before its receipt was finished afterwards (or could not be yet); a signed webhook event could not be applied;
 * or the maintenance autopilot saw a vendor's answers change (contract-drift), a credential near its end
 * (credential-expiry) or a vendor announce a lower rate limit than the map's (rate-limit-lowered).
 */
export type AlertKind =
  | 'job-failing'
  | 'job-dead'
  | 'write-interrupted'
  | 'webhook-unusable'
  | 'contract-drift'
  | 'credential-expiry'
  | 'rate-limit-lowered';

/**
 * A row of `alerts`: something ops must look at, shown on the dashboard until someone acknowledges it. `subject` is
 * what it is about (for job alerts, the outbox job's id; for an interrupted write, its audit id, or its operation and
 * idempotency key when it has no receipt yet).
 */
@Entity({ tableName: 'alerts' })
@Index({ name: 'alerts_created_at_index', properties: ['createdAt'] })
@Index({ name: 'alerts_subject_index', properties: ['subject'] })
export class AlertEntity {
  [OptionalProps]?: 'acknowledgedAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** One of AlertKind (a plain string column: see OrderEntity.status for why not @Enum). */
  @Property({ type: 'string', length: 32 })
  kind!: AlertKind;

  /** The system the alert is about. */
  @Property({ type: 'string', length: 64 })
  system!: string;

  @Property({ type: 'string', length: 200 })
  subject!: string;

  /** What happened, in words, with secrets redacted. */
  @Property({ type: 'text' })
  message!: string;

  @Property({ type: 'datetime', fieldName: 'created_at' })
  createdAt!: Date;

  @Property({ type: 'datetime', fieldName: 'acknowledged_at', nullable: true })
  acknowledgedAt: Date | null = null;
}
