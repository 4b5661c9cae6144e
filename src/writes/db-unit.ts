import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { money, type Customer, type Order, type OrderStatus } from '../domain';
import { redact } from '../audit/redact';
import { CustomerEntity, fromAddressColumn, IdempotencyClaimEntity, MutationAuditEntity, OrderEntity, OrderLineEntity, OutboxJobEntity, ShadowStateEntity, type Database } from '../db';
import type { ClaimedRequest, FollowerJob, KeyClaim, Receipt, WriteTransaction, WriteUnit } from './types';

/** Attempts before an outbox job is dead-lettered. */
export const DEFAULT_MAX_ATTEMPTS = 8;

/** The write path's view of our database (MikroORM): one transaction per mutation. */
export function createWriteUnit(db: Database, options: { maxAttempts?: number; now?: () => Date } = {}): WriteUnit {
  const now = options.now ?? (() => new Date());
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;

  const jobsOf = async (em: SqlEntityManager, auditId: string): Promise<FollowerJob[]> =>
    (await em.find(OutboxJobEntity, { auditId }, { orderBy: { createdAt: 'asc', id: 'asc' } })).map(toFollowerJob);

  const withCurrentJobs = async (em: SqlEntityManager, row: MutationAuditEntity): Promise<Receipt> => {
    const stored = row.receipt as Receipt;
    return { ...stored, followerJobs: await jobsOf(em, row.id) };
  };

  return {
    async transaction(work) {
      return db.orm.em.fork().transactional((em) => work(transactionOver(em as SqlEntityManager, now, maxAttempts)));
    },
    async receiptFor(operation, idempotencyKey) {
      const em = db.orm.em.fork();
      const row = await em.findOne(MutationAuditEntity, { operation, idempotencyKey });
      return row ? { actor: row.actor, receipt: await withCurrentJobs(em, row), fingerprint: row.fingerprint } : null;
    },
    async receipt(auditId) {
      const em = db.orm.em.fork();
      const row = await em.findOne(MutationAuditEntity, { id: auditId });
      return row ? withCurrentJobs(em, row) : null;
    },
    claim: (operation, idempotencyKey, actor, leaseMs, request) => claimKey(db, { operation, idempotencyKey, actor, leaseMs, request, clock: now }),
    async lapsedClaims(limit) {
      const rows = await db.orm.em
        .fork()
        .find(IdempotencyClaimEntity, { expiresAt: { $lt: now() }, request: { $ne: null } }, { orderBy: { expiresAt: 'asc', id: 'asc' }, limit });
      return rows.map((row) => ({
        operation: row.operation,
        idempotencyKey: row.idempotencyKey,
        actor: { subject: row.actor, scopes: row.request!.scopes },
        input: row.request!.input,
        claimedAt: row.claimedAt,
      }));
    },
  };
}

/**
 * One INSERT under the unique (operation, key): the process whose row lands applies the request. A row already there
 * is someone's claim, unless its lease has run out (its process stopped renewing it): then it is deleted (only if it
 * is still that claim) and the INSERT tried again, so that of two processes taking over one dead claim only one gets
 * it. A dead claim of another request (another fingerprint) is not taken over: the key stays bound to the request it
 * was first sent with, which the sweep of interrupted writes finishes. The holder renews its claim while it applies
 * the request (src/writes/idempotency.ts).
 */
async function claimKey(
  db: Database,
  claim: { operation: string; idempotencyKey: string; actor: string; leaseMs: number; request: ClaimedRequest | undefined; clock: () => Date },
): Promise<KeyClaim> {
  const { operation, idempotencyKey, actor, leaseMs, clock } = claim;
  const { fingerprint = null, ...request } = claim.request ?? { input: undefined, scopes: [] };
  const kept = claim.request ? request : null;
  const now = clock();
  const em = db.orm.em.fork();
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + leaseMs);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await em.insert(IdempotencyClaimEntity, { id, operation, idempotencyKey, actor, claimedAt: now, expiresAt, request: kept, fingerprint });
      return {
        claimed: true,
        release: async () => void (await db.orm.em.fork().nativeDelete(IdempotencyClaimEntity, { id })),
        renew: async (renewMs) =>
          (await db.orm.em.fork().nativeUpdate(IdempotencyClaimEntity, { id }, { expiresAt: new Date(clock().getTime() + renewMs) })) === 1,
      };
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }
    const held = await em.findOne(IdempotencyClaimEntity, { operation, idempotencyKey }, { disableIdentityMap: true });
    // Let go between our INSERT and this look: try again.
    if (!held) continue;
    const boundElsewhere = held.fingerprint !== null && fingerprint !== null && held.fingerprint !== fingerprint;
    if (held.expiresAt.getTime() > now.getTime() || boundElsewhere) {
      return { claimed: false, actor: held.actor, since: held.claimedAt, fingerprint: held.fingerprint };
    }
    await em.nativeDelete(IdempotencyClaimEntity, { id: held.id, expiresAt: held.expiresAt });
  }
  // Others keep taking and letting go of the key: the caller waits and asks again, as if it were held.
  return { claimed: false, actor, since: now, fingerprint };
}

function transactionOver(em: SqlEntityManager, now: () => Date, maxAttempts: number): WriteTransaction {
  return {
    async getCustomer(id) {
      const row = await em.findOne(CustomerEntity, { id });
      return row && toCustomer(row);
    },
    async saveCustomer(customer) {
      const row = await em.findOneOrFail(CustomerEntity, { id: customer.id });
      em.assign(row, { email: customer.email, name: customer.name, phone: customer.phone, updatedAt: customer.updatedAt });
      await em.flush();
    },
    async keepGatewayCustomerId(customerId, gatewayCustomerId) {
      await em.nativeUpdate(CustomerEntity, { id: customerId, paymentCustomerId: null }, { paymentCustomerId: gatewayCustomerId });
    },
    async getOrder(id) {
      const row = await em.findOne(OrderEntity, { id }, { populate: ['lines'] });
      return row && toOrder(row);
    },
    async insertOrder(order) {
      const row = em.create(OrderEntity, {
        id: order.id,
        number: order.number,
        customer: em.getReference(CustomerEntity, order.customerId),
        status: order.status,
        placedAt: order.placedAt,
        updatedAt: order.updatedAt,
        totalMinor: order.total.minor,
        currency: order.total.currency,
      });
      order.lines.forEach((line, position) =>
        em.create(OrderLineEntity, {
          order: row,
          sku: line.sku,
          quantity: line.quantity,
          unitPriceMinor: line.unitPrice.minor,
          currency: line.unitPrice.currency,
          position,
        } as never),
      );
      await em.flush();
    },
    async setOrderStatus(id: string, status: OrderStatus, at: Date) {
      await em.nativeUpdate(OrderEntity, { id }, { status, updatedAt: at });
    },
    async audit(request, receipt) {
      // The receipt is bound to what its key's claim was bound to: the request the key was first sent with.
      const claim =
        request.idempotencyKey === null
          ? null
          : await em.findOne(IdempotencyClaimEntity, { operation: request.operation, idempotencyKey: request.idempotencyKey }, { fields: ['fingerprint'] });
      em.create(MutationAuditEntity, {
        id: request.id,
        actor: request.actor,
        operation: request.operation,
        entity: request.entity,
        entityId: request.entityId ?? '',
        input: redact(request.input),
        owner: request.owner,
        before: redact(request.before),
        after: redact(request.after),
        result: request.result,
        errorCode: request.errorCode,
        receipt: redact(receipt),
        idempotencyKey: request.idempotencyKey,
        fingerprint: claim?.fingerprint ?? null,
        createdAt: now(),
      });
      await em.flush();
      // The receipt is in: the key's claim (src/writes/idempotency.ts) goes in the same commit.
      if (request.idempotencyKey !== null) await em.nativeDelete(IdempotencyClaimEntity, { operation: request.operation, idempotencyKey: request.idempotencyKey });
    },
    async enqueue(job) {
      const at = now();
      const row = em.create(OutboxJobEntity, {
        id: randomUUID(),
        kind: 'follower-sync',
        system: job.system,
        operation: job.operation,
        entity: job.entity,
        entityId: job.entityId,
        payload: job.payload,
        idempotencyKey: job.idempotencyKey,
        state: 'pending',
        maxAttempts,
        nextAttemptAt: at,
        auditId: job.auditId,
        createdAt: at,
        updatedAt: at,
      });
      await em.flush();
      return toFollowerJob(row);
    },
    async shadowTargets(entity) {
      // A cutover turns shadow off in the same row, so a cut-over entity never gets a copy.
      const state = await em.findOne(ShadowStateEntity, { entity });
      return state?.shadow ? ['legacy'] : [];
    },
  };
}

export function toFollowerJob(row: OutboxJobEntity): FollowerJob {
  return { id: row.id, system: row.system, operation: row.operation, state: row.state, attempts: row.attempts, lastError: row.lastError };
}

function toCustomer(row: CustomerEntity): Customer {
  return { id: row.id, email: row.email, name: row.name, phone: row.phone, address: fromAddressColumn(row.shippingAddress), gatewayCustomerId: row.paymentCustomerId, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

function toOrder(row: OrderEntity): Order {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer.id,
    status: row.status,
    placedAt: row.placedAt,
    updatedAt: row.updatedAt,
    total: money(Number(row.totalMinor), row.currency),
    lines: row.lines.getItems().map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: money(Number(line.unitPriceMinor), line.currency) })),
  };
}
