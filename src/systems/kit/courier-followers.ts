import type { Courier } from '../../domain';
import type { FollowerContext, FollowerHandler } from './define-system';
import { field } from './followers';

/** The compensations every courier delivers through the outbox: a booking placeOrder could not undo at once. */
export function courierFollowers(courier: Courier, { invalidate }: Pick<FollowerContext, 'invalidate'>): Record<string, FollowerHandler> {
  return {
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
