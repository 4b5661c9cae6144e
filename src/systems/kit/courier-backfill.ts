import type { CallOptions, Courier, SiteStore } from '../../domain';
import { readEachOrder } from './adapter';
import { definePolicies, type FollowerContext, type FollowerHandler } from './define-system';

/**
 * A courier that keeps a booking ledger (./adapter/booking-ledger.ts) and can fill it with the bookings made before
 * the ledger existed: those are in no row, so its reads would never find them.
 */
export interface BookingBackfill {
  /**
   * Asks the courier for the booking of each order the ledger holds nothing for, by our own request id, and records
   * what it finds (nothing for an order with none). Orders already in the ledger cost no call. Answers how many it
   * recorded.
   */
  backfill(orderIds: readonly string[], options?: CallOptions): Promise<number>;
}

/** The outbox job's operation: queued once per courier that keeps a ledger, by the migration that upgrades to it. */
export const BACKFILL_BOOKINGS = 'backfillBookings';

/** Orders read from the site's store at once. */
export const BACKFILL_PAGE_SIZE = 100;

/** Orders asked about at once: the courier's rate limit sets the pace; a few in flight keep its latency out of it. */
const BACKFILL_CONCURRENCY = 4;

/** A backfill is a read of the courier, but never cached nor retried on its own: the outbox job retries. */
export const BACKFILL_POLICIES = definePolicies<BookingBackfill>({ backfill: { kind: 'write' } });

/**
 * The backfill job's handler (`<courier>:backfillBookings`): pages through the site's orders and asks the courier for
 * each one's booking, one call per order, each through the resilience layer (rate limit, breaker, timeout). A crash or
 * a failed attempt runs the job again from the first page: what was recorded costs no call then, only the orders
 * without a booking are asked again. Nothing when the courier keeps no ledger or no store is served.
 */
export function bookingBackfillFollowers(
  courier: Courier & Partial<BookingBackfill>,
  store: SiteStore | undefined,
  { invalidate }: Pick<FollowerContext, 'invalidate'>,
): Record<string, FollowerHandler> {
  const backfill = courier.backfill?.bind(courier);
  if (!backfill || !store) return {};
  return {
    [`${courier.carrier}:${BACKFILL_BOOKINGS}`]: async () => {
      let after: string | null = null;
      for (;;) {
        const page = await store.listOrders({ first: BACKFILL_PAGE_SIZE, after });
        const ids = page.items.map((order) => order.id);
        const recorded = await readEachOrder(ids, BACKFILL_CONCURRENCY, (orderId) => backfill([orderId]));
        const found = ids.filter((_, index) => recorded[index]! > 0);
        if (found.length > 0) await invalidate(courier.carrier, 'findByOrderIds', found);
        if (!page.hasNextPage || page.endCursor === null) return;
        after = page.endCursor;
      }
    },
  };
}
