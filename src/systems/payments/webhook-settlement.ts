import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { redact } from '../../audit/redact';
import { MutationAuditEntity, OrderEntity, OutboxJobEntity, type Database } from '../../db';
import type { StripeEvent } from './webhook-event';

/**
 * Internal to the payments system: what the payment gateway's webhook does for an order placed while its payment
 * waited for the client (placeOrder books no courier then: a label is bought and paid for at booking).
 *
 * - The payment is authorised or captured (`payment_intent.amount_capturable_updated`, `payment_intent.succeeded`: the
 *   intent is `requires_capture` or `succeeded`): the bookings placeOrder kept in its audit row
 *   (`after.shipmentsAwaitingPayment`) are queued in the outbox, one `<courier>:bookShipment` job each.
 * - The payment is cancelled (`payment_intent.canceled`: at the payment gateway, or because it never completed and
 *   someone cancelled it): the order is cancelled, its stock released (`erp:releaseStock` per line) and the order's
 *   followers told, as cancelOrder does.
 *
 * Either is one transaction: its own mutation audit row (actor `webhook:payments`) and its jobs, or nothing. Each job's
 * key is made from placeOrder's audit id, so an event delivered twice, or two events with the same outcome, queue it
 * once (the outbox's keys are unique). An order already cancelled (cancelOrder released its stock and voided the
 * payment, which sends `payment_intent.canceled`) is left alone.
 */

/** What an event means for an order whose payment waited. */
export type Settlement = 'paid' | 'canceled';

/** The settlement an event carries, if any: read from the intent's status at the time of the event. */
export function settlementOf(event: StripeEvent): Settlement | null {
  const intent = event.data.object as { object: string; status?: unknown };
  if (intent.object !== 'payment_intent') return null;
  if (intent.status === 'requires_capture' || intent.status === 'succeeded') return 'paid';
  return intent.status === 'canceled' ? 'canceled' : null;
}

/** What was done: the audit row written and the jobs it queued. */
export interface Settled {
  readonly auditId: string;
  readonly operation: string;
  readonly jobs: readonly { readonly system: string; readonly operation: string }[];
}

export interface SettlementOptions {
  readonly db: Database;
  /** The payment gateway's system name (the audit row's actor). */
  readonly system: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** What placeOrder's audit row says, as far as a settlement reads it (a row it cannot read settles nothing). */
const placedSchema = z.object({
  order: z.object({ lines: z.array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive() })) }),
  shipmentsAwaitingPayment: z
    .array(z.looseObject({ carrier: z.string().min(1), request: z.looseObject({ orderId: z.string().min(1) }) }))
    .min(1),
});
const placedReceiptSchema = z.object({
  followerJobs: z.array(z.object({ system: z.string(), operation: z.string() })).default([]),
});

/** Operations whose jobs push the order to a follower: what placeOrder queued, cancelOrder queues again. */
const ORDER_SYNCS: ReadonlySet<string> = new Set(['upsertOrder', 'saveOrder']);

/**
 * Attempts of a queued job before it is dead-lettered: the write path's default (the outbox's
 * PLUGBOARD_OUTBOX_MAX_ATTEMPTS applies to every job, these too).
 */
const MAX_ATTEMPTS = 8;

interface Job {
  readonly system: string;
  readonly operation: string;
  readonly payload: unknown;
  readonly idempotencyKey: string;
}

/** Settles the order an event names; null when there is nothing to settle (or it was settled before). */
export async function settleOrderPayment(options: SettlementOptions, orderId: string, settlement: Settlement, event: StripeEvent): Promise<Settled | null> {
  const now = options.now ?? (() => new Date());
  try {
    return await options.db.orm.em.fork().transactional(async (em) => {
      const placed = await em.findOne(MutationAuditEntity, { operation: 'placeOrder', entity: 'Order', entityId: orderId, result: 'APPLIED' });
      const after = placedSchema.safeParse(placed?.after);
      if (!placed || !after.success) return null;
      const order = await em.findOne(OrderEntity, { id: orderId });
      if (!order || order.status === 'CANCELLED') return null;

      const auditId = randomUUID();
      const key = (what: string): string => `${placed.id}:after-payment:${what}`;
      const { order: placedOrder, shipmentsAwaitingPayment } = after.data;
      const jobs: Job[] =
        settlement === 'paid'
          ? shipmentsAwaitingPayment.map((booking) => ({ system: booking.carrier, operation: 'bookShipment', payload: { request: booking.request }, idempotencyKey: key(`ship:${booking.carrier}`) }))
          : [
              ...placedOrder.lines.map((line) => ({
                system: 'erp',
                operation: 'releaseStock',
                payload: { orderId, sku: line.sku, quantity: line.quantity },
                idempotencyKey: key(`release:${line.sku}`),
              })),
              ...placedReceiptSchema
                .parse(placed.receipt ?? {})
                .followerJobs.filter((job) => ORDER_SYNCS.has(job.operation))
                .map((job) => ({ system: job.system, operation: job.operation, payload: { orderId }, idempotencyKey: key(`${job.operation}:${job.system}`) })),
            ];
      // Settled before: by this event's earlier delivery, or by another event with the same outcome.
      if ((await em.count(OutboxJobEntity, { idempotencyKey: { $in: jobs.map((job) => job.idempotencyKey) } })) > 0) return null;

      const at = now();
      const operation = settlement === 'paid' ? 'bookShipmentsAfterPayment' : 'cancelOrderAfterPayment';
      const before = { status: order.status };
      if (settlement === 'canceled') await em.nativeUpdate(OrderEntity, { id: orderId }, { status: 'CANCELLED', updatedAt: at });
      const rows = jobs.map((job) =>
        em.create(OutboxJobEntity, {
          id: randomUUID(),
          kind: 'follower-sync',
          system: job.system,
          operation: job.operation,
          entity: 'Order',
          entityId: orderId,
          payload: job.payload,
          idempotencyKey: job.idempotencyKey,
          state: 'pending',
          maxAttempts: MAX_ATTEMPTS,
          nextAttemptAt: at,
          auditId,
          createdAt: at,
          updatedAt: at,
        }),
      );
      const owner = settlement === 'paid' ? [...new Set(jobs.map((job) => job.system))].join(', ').slice(0, 64) : placed.owner;
      const receipt = {
        status: 'QUEUED',
        auditId,
        operation,
        owner,
        entity: 'Order',
        entityId: orderId,
        followerJobs: rows.map((row) => ({ id: row.id, system: row.system, operation: row.operation, state: 'pending', attempts: 0, lastError: null })),
        error: null,
        steps: [],
      };
      em.create(MutationAuditEntity, {
        id: auditId,
        actor: `webhook:${options.system}`,
        operation,
        entity: 'Order',
        entityId: orderId,
        input: redact({ event: { id: event.id, type: event.type }, placedBy: placed.id }),
        owner,
        before: redact(before),
        after: redact(settlement === 'paid' ? { shipmentsBooking: shipmentsAwaitingPayment.map((booking) => booking.carrier) } : { status: 'CANCELLED' }),
        result: 'QUEUED',
        errorCode: null,
        receipt: redact(receipt),
        idempotencyKey: null,
        fingerprint: null,
        createdAt: at,
      });
      await em.flush();
      return { auditId, operation, jobs: jobs.map(({ system, operation: op }) => ({ system, operation: op })) };
    });
  } catch (error) {
    // Another delivery settled the same order at the same moment: its jobs hold the keys.
    if (error instanceof UniqueConstraintViolationException) return null;
    throw error;
  }
}
