import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * What became of an inbound webhook event we accepted: it changed what the graph serves, it concerned nothing we read,
 * it named a record in a form nothing can hold (a NUL in an order id): received, kept for a person, never applied;
 * or it came after a newer event about the same record had been applied (`superseded`: older news, not applied).
 */
export type WebhookEventOutcome = 'applied' | 'ignored' | 'unusable' | 'superseded';

/**
 * A row of `webhook_events`: one event a system sent us and we accepted (signature and timestamp good), remembered
 * so that the same event is never applied twice. Unique on (source, event id): two deliveries racing each other cannot
 * both be remembered. `signature_digest` is the SHA-256 of the signature header of the delivery that was accepted:
 * the same bytes again are a replay, a fresh signature for the same event is the system re-sending it.
 */
@Entity({ tableName: 'webhook_events' })
@Unique({ name: 'webhook_events_source_event_id_unique', properties: ['source', 'eventId'] })
@Index({ name: 'webhook_events_received_at_index', properties: ['receivedAt'] })
@Index({ name: 'webhook_events_source_subject_index', properties: ['source', 'subject'] })
export class WebhookEventEntity {
  [OptionalProps]?: 'subject' | 'occurredAt' | 'state';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** The system that sent it, by its name in the integration map, e.g. "payments". */
  @Property({ type: 'string', length: 64 })
  source!: string;

  /** The system's own id of the event (the payment gateway's `evt_…`). */
  @Property({ type: 'string', length: 255, fieldName: 'event_id' })
  eventId!: string;

  /** The system's event type, e.g. "payment_intent.succeeded". */
  @Property({ type: 'string', length: 128 })
  type!: string;

  /** SHA-256 (hex) of the signature header the accepted delivery carried; never the header itself. */
  @Property({ type: 'string', length: 64, fieldName: 'signature_digest' })
  signatureDigest!: string;

  /** One of WebhookEventOutcome (a plain string column: see OrderEntity.status for why not @Enum). */
  @Property({ type: 'string', length: 16 })
  outcome!: WebhookEventOutcome;

  /** The record it concerned (for payments, our order id), when it named one. */
  @Property({ type: 'string', length: 255, nullable: true })
  subject: string | null = null;

  @Property({ type: 'datetime', fieldName: 'received_at' })
  receivedAt!: Date;

  /**
   * When the system says the event happened (its own event time), where it says so: events about one subject are
   * applied in this order, an older one never over a newer one (src/webhooks/receive-events.ts).
   */
  @Property({ type: 'datetime', fieldName: 'occurred_at', nullable: true })
  occurredAt: Date | null = null;

  /** What the event says its subject now is, in a few words (a tracking status, a property's new value), when it says. */
  @Property({ type: 'string', length: 255, nullable: true })
  state: string | null = null;
}
