import { IntegrationError, type Customer, type Order } from '../../domain';
import type { EstatePortSet, FollowerJob } from './define-system';

/** A string field of a job's payload; a job without it is malformed (it fails, and is dead-lettered in the end). */
export const field = (job: FollowerJob, name: string): string => {
  const value = (job.payload as Record<string, unknown> | null)?.[name];
  if (typeof value !== 'string') throw new Error(`job ${job.id}: payload has no ${name}`);
  return value;
};

/**
 * The key a follower sync sends: the job's own key and the version it pushes. A job retried after its first attempt
 * may have reached the system, so it resends the same key with the same body (applied once); if the owner changed in
 * between, it pushes the newer state under a new key, which a system that keeps keys must not refuse as a reuse.
 */
export const versionedKey = (job: FollowerJob, updatedAt: Date): string => `${job.idempotencyKey}:v${updatedAt.getTime()}`;

/**
 * The customer a job names, as the site's store holds it now: follower syncs push the owner's state as it is when the
 * job runs (not as it was when queued), so jobs applied late or twice can never move a follower backwards.
 */
export async function customerOf(ports: EstatePortSet, job: FollowerJob): Promise<Customer> {
  const id = field(job, 'customerId');
  const found = (await ports.store!.findCustomersByIds([id])).get(id);
  if (!found) throw new IntegrationError('UPSTREAM_REJECTED', `store: no customer ${id}`, { system: 'store' });
  return found;
}

/** The order a job names, as the site's store holds it now (see {@link customerOf}). */
export async function orderOf(ports: EstatePortSet, job: FollowerJob): Promise<Order> {
  const id = field(job, 'orderId');
  const found = (await ports.store!.findOrdersByIds([id])).get(id);
  if (!found) throw new IntegrationError('UPSTREAM_REJECTED', `store: no order ${id}`, { system: 'store' });
  return found;
}
