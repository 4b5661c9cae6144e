import { z } from 'zod';
import type { Courier, ShipmentRequest } from '../../domain';
import type { FollowerContext, FollowerHandler, FollowerJob } from './define-system';
import { field } from './followers';

/**
 * The writes every courier takes through the outbox: a booking placeOrder left for the payment (queued once the
 * payment is authorised), and the compensations of a booking placeOrder could not undo at once.
 */
export function courierFollowers(courier: Courier, { invalidate }: Pick<FollowerContext, 'invalidate'>): Record<string, FollowerHandler> {
  return {
    // Booked under the key placeOrder would have used: the courier answers the shipment already made, if any.
    [`${courier.carrier}:bookShipment`]: async (job) => {
      const request = bookingOf(job);
      await courier.bookShipment(request);
      await invalidate(courier.carrier, 'findByOrderIds', [request.orderId]);
    },
    [`${courier.carrier}:cancelShipment`]: async (job) => {
      await courier.cancelShipment({ shipmentId: field(job, 'shipmentId'), idempotencyKey: job.idempotencyKey });
      await invalidate(courier.carrier, 'findByOrderIds', [field(job, 'orderId')]);
    },
    // A booking whose answer was lost: whatever the courier holds for the order is cancelled.
    [`${courier.carrier}:cancelForOrder`]: async (job) => {
      const orderId = field(job, 'orderId');
      const held = (await courier.findByOrderIds([orderId])).get(orderId) ?? [];
      for (const shipment of held.filter((candidate) => candidate.status !== 'CANCELLED')) {
        await courier.cancelShipment({ shipmentId: shipment.id, idempotencyKey: `${job.idempotencyKey}:${shipment.id}` });
      }
      await invalidate(courier.carrier, 'findByOrderIds', [orderId]);
    },
  };
}

/** The courier of the estate's ports whose carrier is `name`. */
export function courierNamed(couriers: readonly Courier[] | undefined, name: string): Courier {
  const courier = couriers?.find((candidate) => candidate.carrier === name);
  if (!courier) throw new Error(`no courier ${name} among the ports`);
  return courier;
}

/** What a booking job carries: the request placeOrder made (`payload.request`); a job without one is malformed. */
const bookingSchema = z.looseObject({
  orderId: z.string().min(1),
  idempotencyKey: z.string().min(1),
  recipient: z.object({ name: z.string(), phone: z.string().nullable() }),
  parcels: z.number().int().min(0),
});

function bookingOf(job: FollowerJob): ShipmentRequest {
  const parsed = bookingSchema.safeParse((job.payload as { request?: unknown } | null)?.request);
  if (!parsed.success) throw new Error(`job ${job.id}: payload has no shipment request (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  // The address and parcels are the domain's own, as placeOrder wrote them; the courier's adapter validates what it sends.
  return parsed.data as unknown as ShipmentRequest;
}
