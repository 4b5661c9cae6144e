import { IntegrationError, type Courier, type CustomerDirectory, type Erp, type LegacyStore, type PaymentGateway, type SiteStore } from '../domain';
import type { ClaimedJob } from '../outbox/outbox';
import type { JobHandler } from '../outbox/worker';

interface HandlerDeps {
  /** Each courier by its system name: cancels a booking a placeOrder could not undo at once. */
  readonly couriers?: readonly Courier[];
  readonly store: SiteStore;
  readonly directory: CustomerDirectory;
  readonly erp: Erp;
  readonly payments: PaymentGateway;
  /** The legacy shop: shadow mode's copies of the site's writes go there. */
  readonly legacy: LegacyStore;
  readonly invalidate: (system: string, operation: string, keys: readonly string[]) => Promise<void>;
}

const field = (job: ClaimedJob, name: string): string => {
  const value = (job.payload as Record<string, unknown> | null)?.[name];
  if (typeof value !== 'string') throw new Error(`job ${job.id}: payload has no ${name}`);
  return value;
};

/**
 * The key a follower sync sends: the job's own key and the version it pushes. A job retried after its first attempt
 * may have reached the system, so it resends the same key with the same body (applied once); if the owner changed in
 * between, it pushes the newer state under a new key, which a system that keeps keys must not refuse as a reuse.
 */
const versionedKey = (job: ClaimedJob, updatedAt: Date): string => `${job.idempotencyKey}:v${updatedAt.getTime()}`;

/**
 * How each queued write reaches its system. Follower syncs push the owner's state as it is when the job runs (not as
 * it was when queued), so jobs applied late or twice can never move a follower backwards.
 */
export function createFollowerHandlers(deps: HandlerDeps): Record<string, JobHandler> {
  const customer = async (job: ClaimedJob) => {
    const id = field(job, 'customerId');
    const found = (await deps.store.findCustomersByIds([id])).get(id);
    if (!found) throw new IntegrationError('UPSTREAM_REJECTED', `store: no customer ${id}`, { system: 'store' });
    return found;
  };
  const order = async (job: ClaimedJob) => {
    const id = field(job, 'orderId');
    const found = (await deps.store.findOrdersByIds([id])).get(id);
    if (!found) throw new IntegrationError('UPSTREAM_REJECTED', `store: no order ${id}`, { system: 'store' });
    return found;
  };
  return {
    'crm:upsertProfile': async (job) => {
      const current = await customer(job);
      await deps.directory.upsertProfile({ customer: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await deps.invalidate('crm', 'findByCustomerIds', [current.id]);
    },
    'erp:upsertPartner': async (job) => {
      const current = await customer(job);
      await deps.erp.upsertPartner({ customer: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await deps.invalidate('erp', 'findPartnersByCustomerIds', [current.id]);
    },
    'erp:upsertOrder': async (job) => {
      const current = await order(job);
      await deps.erp.upsertOrder({ order: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await deps.invalidate('erp', 'findOrdersByOrderIds', [current.id]);
    },
    'erp:adjustStock': async (job) => {
      const payload = job.payload as { sku: string; delta: number; reason: string };
      await deps.erp.adjustStock({ sku: payload.sku, delta: payload.delta, reason: payload.reason, idempotencyKey: job.idempotencyKey });
      await deps.invalidate('erp', 'findItemsBySkus', [payload.sku]);
    },
    'erp:releaseStock': async (job) => {
      const payload = job.payload as { orderId: string; sku: string; quantity: number };
      await deps.erp.releaseStock({ ...payload, idempotencyKey: job.idempotencyKey });
      await deps.invalidate('erp', 'findItemsBySkus', [payload.sku]);
    },
    // Shadow mode: the legacy shop gets the site's record as it stands, stamped with the site's change time.
    'legacy:saveCustomer': async (job) => {
      const current = await customer(job);
      await deps.legacy.saveCustomer({ customer: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await deps.invalidate('legacy', 'findCustomersByIds', [current.id]);
    },
    'legacy:saveOrder': async (job) => {
      const current = await order(job);
      await deps.legacy.saveOrder({ order: current, idempotencyKey: versionedKey(job, current.updatedAt) });
      await deps.invalidate('legacy', 'findOrdersByIds', [current.id]);
    },
    ...Object.fromEntries(
      (deps.couriers ?? []).flatMap((courier): [string, JobHandler][] => [
        [
          `${courier.carrier}:cancelShipment`,
          async (job) => {
            await courier.cancelShipment({ shipmentId: field(job, 'shipmentId'), idempotencyKey: job.idempotencyKey });
            await deps.invalidate(courier.carrier, 'findByOrderIds', [field(job, 'orderId')]);
          },
        ],
        [
          // A booking whose answer was lost: whatever the courier holds for the order is cancelled.
          `${courier.carrier}:cancelForOrder`,
          async (job) => {
            const orderId = field(job, 'orderId');
            const held = (await courier.findByOrderIds([orderId])).get(orderId) ?? [];
            for (const shipment of held.filter((candidate) => candidate.status !== 'CANCELLED')) {
              await courier.cancelShipment({ shipmentId: shipment.id, idempotencyKey: `${job.idempotencyKey}:${shipment.id}` });
            }
            await deps.invalidate(courier.carrier, 'findByOrderIds', [orderId]);
          },
        ],
      ]),
    ),
    'payments:voidForOrder': async (job) => {
      const orderId = field(job, 'orderId');
      const payment = (await deps.payments.findByOrderIds([orderId])).get(orderId);
      if (!payment || payment.status === 'CANCELED') return;
      if (payment.status === 'SUCCEEDED') {
        if (payment.refunded.minor < payment.amount.minor) {
          await deps.payments.refundPayment({ paymentId: payment.id, idempotencyKey: job.idempotencyKey });
        }
      } else {
        await deps.payments.cancelPayment({ paymentId: payment.id, idempotencyKey: job.idempotencyKey });
      }
      await deps.invalidate('payments', 'findByOrderIds', [orderId]);
    },
  };
}
