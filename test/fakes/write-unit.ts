import { randomUUID } from 'node:crypto';
import type { Customer, Order } from '../../src/domain';
import type {
  AuditRequest,
  ClaimedRequest,
  FollowerJob,
  JobRequest,
  KeyClaim,
  LapsedClaim,
  Receipt,
  WriteTransaction,
  WriteUnit,
} from '../../src/writes/types';

/** One outbox job as the fake holds it. */
export interface FakeJob extends FollowerJob, JobRequest {
  readonly auditId: string;
}

/** One mutation audit row as the fake holds it. */
export interface FakeAuditRow {
  readonly request: AuditRequest;
  readonly receipt: Receipt;
}

export interface FakeWriteUnitOptions {
  /** The site's customers and orders, shared with the fake store (src of the follower syncs) by reference. */
  readonly customers: Map<string, Customer>;
  readonly orders: Map<string, Order>;
  /** Entities in shadow mode: their writes get a copy queued for the legacy shop. */
  readonly shadow?: Iterable<string>;
  readonly now?: () => Date;
}

/** Our database as the write path sees it, in memory: what committed is in plain arrays a test reads. */
export interface FakeWriteUnit extends WriteUnit {
  readonly audits: FakeAuditRow[];
  readonly jobs: FakeJob[];
  /** Transactions committed and rolled back so far. */
  readonly stats: { committed: number; rolledBack: number };
  /** Makes the next transaction that would commit an audit row fail with `error` instead (a database gone at the last moment). */
  failNextCommit(error: Error): void;
}

interface Claim {
  readonly id: string;
  readonly operation: string;
  readonly idempotencyKey: string;
  readonly actor: string;
  readonly claimedAt: Date;
  expiresAt: Date;
  readonly request: ClaimedRequest | undefined;
}

/**
 * A WriteUnit in memory, with the one property the write path depends on: a transaction commits all its rows (the
 * store's, the audit row, the outbox jobs, the claim let go) or none of them.
 */
export function createFakeWriteUnit(options: FakeWriteUnitOptions): FakeWriteUnit {
  const now = options.now ?? (() => new Date());
  const shadow = new Set(options.shadow ?? []);
  const audits: FakeAuditRow[] = [];
  const jobs: FakeJob[] = [];
  const claims = new Map<string, Claim>();
  const stats = { committed: 0, rolledBack: 0 };
  let commitFailure: Error | null = null;
  const claimKey = (operation: string, key: string) => `${operation}\u0000${key}`;
  const jobsOf = (auditId: string): FollowerJob[] =>
    jobs.filter((job) => job.auditId === auditId).map(({ id, system, operation, state, attempts, lastError }) => ({ id, system, operation, state, attempts, lastError }));

  return {
    audits,
    jobs,
    stats,
    failNextCommit(error) {
      commitFailure = error;
    },

    async transaction(work) {
      const staged = { customers: new Map<string, Customer>(), orders: new Map<string, Order>(), audits: [] as FakeAuditRow[], jobs: [] as FakeJob[], released: [] as string[] };
      const tx: WriteTransaction = {
        getCustomer: async (id) => staged.customers.get(id) ?? options.customers.get(id) ?? null,
        async saveCustomer(customer) {
          if (!options.customers.has(customer.id) && !staged.customers.has(customer.id)) throw new Error(`no customer ${customer.id}`);
          const owner = [...options.customers.values(), ...staged.customers.values()].find((other) => other.email === customer.email && other.id !== customer.id);
          // As the database's unique index on e-mail answers.
          if (owner) throw Object.assign(new Error('unique e-mail'), { name: 'UniqueConstraintViolationException' });
          staged.customers.set(customer.id, customer);
        },
        async keepGatewayCustomerId(customerId, gatewayCustomerId) {
          const customer = staged.customers.get(customerId) ?? options.customers.get(customerId);
          if (customer && !customer.gatewayCustomerId) staged.customers.set(customerId, { ...customer, gatewayCustomerId });
        },
        getOrder: async (id) => staged.orders.get(id) ?? options.orders.get(id) ?? null,
        async insertOrder(order) {
          if (options.orders.has(order.id) || staged.orders.has(order.id)) throw Object.assign(new Error(`order ${order.id} exists`), { name: 'UniqueConstraintViolationException' });
          staged.orders.set(order.id, order);
        },
        async setOrderStatus(id, status, at) {
          const order = staged.orders.get(id) ?? options.orders.get(id);
          if (order) staged.orders.set(id, { ...order, status, updatedAt: at });
        },
        async audit(request, receipt) {
          staged.audits.push({ request, receipt });
          if (request.idempotencyKey !== null) staged.released.push(claimKey(request.operation, request.idempotencyKey));
        },
        async enqueue(job) {
          const row: FakeJob = { ...job, id: randomUUID(), state: 'pending', attempts: 0, lastError: null };
          staged.jobs.push(row);
          return { id: row.id, system: row.system, operation: row.operation, state: row.state, attempts: row.attempts, lastError: row.lastError };
        },
        shadowTargets: async (entity) => (shadow.has(entity) ? ['legacy'] : []),
      };
      let result;
      try {
        result = await work(tx);
        if (commitFailure && staged.audits.length > 0) {
          const failure = commitFailure;
          commitFailure = null;
          throw failure;
        }
      } catch (error) {
        stats.rolledBack += 1;
        throw error;
      }
      for (const [id, customer] of staged.customers) options.customers.set(id, customer);
      for (const [id, order] of staged.orders) options.orders.set(id, order);
      audits.push(...staged.audits);
      jobs.push(...staged.jobs);
      for (const key of staged.released) claims.delete(key);
      stats.committed += 1;
      return result;
    },

    async receiptFor(operation, idempotencyKey) {
      const row = audits.find((audit) => audit.request.operation === operation && audit.request.idempotencyKey === idempotencyKey);
      return row ? { actor: row.request.actor, receipt: { ...row.receipt, followerJobs: jobsOf(row.request.id) }, fingerprint: null } : null;
    },
    async receipt(auditId) {
      const row = audits.find((audit) => audit.request.id === auditId);
      return row ? { ...row.receipt, followerJobs: jobsOf(auditId) } : null;
    },
    async claim(operation, idempotencyKey, actor, leaseMs, request): Promise<KeyClaim> {
      const key = claimKey(operation, idempotencyKey);
      const held = claims.get(key);
      const at = now();
      if (held && held.expiresAt.getTime() > at.getTime()) {
        return { claimed: false, actor: held.actor, since: held.claimedAt, fingerprint: held.request?.fingerprint ?? null };
      }
      const claim: Claim = { id: randomUUID(), operation, idempotencyKey, actor, claimedAt: at, expiresAt: new Date(at.getTime() + leaseMs), request };
      claims.set(key, claim);
      return {
        claimed: true,
        release: async () => {
          if (claims.get(key)?.id === claim.id) claims.delete(key);
        },
        renew: async (renewMs) => {
          if (claims.get(key)?.id !== claim.id) return false;
          claim.expiresAt = new Date(now().getTime() + renewMs);
          return true;
        },
      };
    },
    async lapsedClaims(limit): Promise<LapsedClaim[]> {
      return [...claims.values()]
        .filter((claim) => claim.expiresAt.getTime() < now().getTime() && claim.request)
        .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
        .slice(0, limit)
        .map((claim) => ({
          operation: claim.operation,
          idempotencyKey: claim.idempotencyKey,
          actor: { subject: claim.actor, scopes: claim.request!.scopes },
          input: claim.request!.input,
          claimedAt: claim.claimedAt,
        }));
    },
  };
}
