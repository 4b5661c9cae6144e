import { createHash, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Database } from '../db';
import { WebhookEventEntity, type WebhookEventOutcome } from '../db/entities';

/** Shared by the systems' webhooks: the events we accepted, remembered durably so that none is applied twice. */

/** What we remember of an accepted event. */
export interface AcceptedEvent {
  readonly source: string;
  readonly eventId: string;
  readonly type: string;
  /** The signature header of the accepted delivery (only its SHA-256 is kept). */
  readonly signature: string;
  readonly outcome: WebhookEventOutcome;
  readonly subject: string | null;
  readonly receivedAt: Date;
  /** The system's own time of the event, where it gives one: events about one subject apply in this order. */
  readonly occurredAt?: Date | null;
  /** What the event says its subject now is, in a few words. */
  readonly state?: string | null;
}

/** The newest event applied to a subject: what an older one may not overwrite. */
export interface NewestApplied {
  readonly eventId: string;
  readonly occurredAt: Date;
  readonly state: string | null;
}

/** How a delivery relates to what we already accepted. */
export type Seen = { readonly kind: 'new' } | { readonly kind: 'replay' } | { readonly kind: 'redelivery' };

export interface WebhookEventStore {
  /** Whether the event was accepted before, and if so whether this is the very same delivery (a replay). */
  seen(source: string, eventId: string, signature: string): Promise<Seen>;
  /**
   * Remembers an accepted event. Answers `false` when another delivery of it was remembered first (two deliveries
   * racing each other): the unique (source, event id) decides which one counts.
   */
  remember(event: AcceptedEvent): Promise<boolean>;
  /** The newest event applied to a subject (by the system's event time), if any was. */
  newestApplied(source: string, subject: string): Promise<NewestApplied | null>;
}

export const signatureDigest = (signature: string): string => createHash('sha256').update(signature, 'utf8').digest('hex');

export function createWebhookEventStore(db: Database): WebhookEventStore {
  return {
    async seen(source, eventId, signature) {
      const found = await db.orm.em.fork().findOne(WebhookEventEntity, { source, eventId });
      if (!found) return { kind: 'new' };
      return found.signatureDigest === signatureDigest(signature) ? { kind: 'replay' } : { kind: 'redelivery' };
    },
    async remember(event) {
      try {
        await db.orm.em.fork().insert(WebhookEventEntity, {
          id: randomUUID(),
          source: event.source,
          eventId: event.eventId,
          type: event.type.slice(0, 128),
          signatureDigest: signatureDigest(event.signature),
          outcome: event.outcome,
          subject: event.subject?.slice(0, 255) ?? null,
          receivedAt: event.receivedAt,
          occurredAt: event.occurredAt ?? null,
          state: event.state?.slice(0, 255) ?? null,
        });
        return true;
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) return false;
        throw error;
      }
    },
    async newestApplied(source, subject) {
      const [found] = await db.orm.em
        .fork()
        .find(WebhookEventEntity, { source, subject, outcome: 'applied', occurredAt: { $ne: null } }, { orderBy: { occurredAt: 'desc' }, limit: 1 });
      return found?.occurredAt ? { eventId: found.eventId, occurredAt: found.occurredAt, state: found.state } : null;
    },
  };
}
