import type { CallOptions, Courier, SiteStore } from '../../domain';
import { readEachOrder } from './adapter';
import { definePolicies, type FollowerContext, type FollowerHandler, type FollowerJob } from './define-system';

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

/** Orders read from the site's store at once: one page per claim of the job. */
export const BACKFILL_PAGE_SIZE = 100;

/** Orders asked about at once: the courier's rate limit sets the pace; a few in flight keep its latency out of it. */
const BACKFILL_CONCURRENCY = 4;

/**
 * A backfill is a read of the courier (retried like one), never cached and with no stale copy. Not a write: a write to
 * a system ends the gateway's cached answers that read it, and the backfill's calls would end them ten times a second;
 * its handler drops the courier's reads of the orders it found instead, once a page.
 */
export const BACKFILL_POLICIES = definePolicies<BookingBackfill>({ backfill: { kind: 'read' } });

/**
 * The backfill job's handler (`<courier>:backfillBookings`): one page of the site's orders per claim, asking the courier
 * for each one's booking, one call per order, each through the resilience layer (rate limit, breaker, timeout). It then
 * answers the next page's cursor as the job's progress: the outbox queues the job again from there, behind the jobs
 * already due (a backfill of many orders holds up no booking nor sync), and a crash resumes from the last page
 * begun. Nothing when the courier keeps no ledger or no store is served.
 */
export function bookingBackfillFollowers(
  courier: Courier & Partial<BookingBackfill>,
  store: SiteStore | undefined,
  { invalidate }: Pick<FollowerContext, 'invalidate'>,
  { pageSize = BACKFILL_PAGE_SIZE }: { readonly pageSize?: number } = {},
): Record<string, FollowerHandler> {
  const backfill = courier.backfill?.bind(courier);
  if (!backfill || !store) return {};
  return {
    [`${courier.carrier}:${BACKFILL_BOOKINGS}`]: async (job) => {
      const page = await store.listOrders({ first: pageSize, after: progressOf(job).after });
      const ids = page.items.map((order) => order.id);
      const recorded = await readEachOrder(ids, BACKFILL_CONCURRENCY, (orderId) => backfill([orderId]));
      const found = ids.filter((_, index) => recorded[index]! > 0);
      if (found.length > 0) await invalidate(courier.carrier, 'findByOrderIds', found);
      if (!page.hasNextPage || page.endCursor === null) return;
      return { continueWith: { after: page.endCursor } satisfies BackfillProgress };
    },
  };
}

/** The backfill job's payload: where it stands in the site's orders (none yet: the first page). */
export interface BackfillProgress {
  /** The store's cursor of the last order asked about. */
  readonly after: string | null;
}

function progressOf(job: FollowerJob): BackfillProgress {
  const after = (job.payload as { after?: unknown } | null)?.after;
  return { after: typeof after === 'string' ? after : null };
}
