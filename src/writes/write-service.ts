import { randomUUID } from 'node:crypto';
import {
  isIntegrationError,
  type Courier,
  type Customer,
  type CustomerDirectory,
  type Erp,
  type Order,
  type PaymentGateway,
} from '../domain';
import { WriteRejection } from './saga';
import { createOnce, type OnceOptions } from './idempotency';
import { placeOrderWith } from './place-order';
import { createReceipts } from './receipts';
import type { Actor, AuditRequest, FinishedWrite, JobRequest, Receipt, WriteUnit } from './types';
import {
  adjustInventoryInput,
  ORDER_TRANSITIONS,
  orderIdInput,
  orderStatusInput,
  parseInput,
  updateCustomerInput,
} from './validate';

/** Who owns a field and who follows it: the source-of-truth matrix, as the write path reads it. */
export interface WriteMatrix {
  ownerOf(entity: string, field: string): string;
  followersOf(entity: string, field: string): readonly string[];
}

/** The fields an order sync (`upsertOrder`) carries: it pushes the whole order as the store holds it. */
const ORDER_SYNCED_FIELDS = ['status', 'number', 'placedAt', 'lines', 'total'] as const;

/** Who gets an order sync: every system that follows any field it carries (the ERP, an accounting system's invoice). */
export const orderFollowers = (matrix: WriteMatrix): readonly string[] => [...new Set(ORDER_SYNCED_FIELDS.flatMap((field) => matrix.followersOf('Order', field)))];

/** Which couriers carry an order: the fan-out rule from config. */
export type CourierRule = (order: Order) => readonly string[];

export interface WriteServiceDeps {
  readonly unit: WriteUnit;
  readonly matrix: WriteMatrix;
  readonly directory: CustomerDirectory;
  readonly erp: Erp;
  readonly payments: PaymentGateway;
  readonly couriers: readonly Courier[];
  readonly courierRule: CourierRule;
  /** Drops cached reads our own writes made stale. */
  readonly invalidate: (system: string, operation: string, keys: readonly string[]) => Promise<void>;
  readonly now?: () => Date;
  /** Leases and waits of idempotency claims. */
  readonly idempotency?: OnceOptions;
}

type IntegrationErrorLike = { readonly code: string; readonly system: string; readonly message: string };

/** Failures that mean "the system is not there right now": the write waits in the outbox instead of being lost. */
const WAITABLE = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_RATE_LIMITED', 'CIRCUIT_OPEN', 'SYSTEM_BUSY']);

/**
 * The write path: each mutation goes to the system that owns what it changes (the matrix decides), with an
 * idempotency key; its audit row and its follower-sync jobs commit in one transaction (a transactional outbox).
 */
const AUDIT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createWriteService(deps: WriteServiceDeps) {
  const now = deps.now ?? (() => new Date());

  /** Runs a mutation once per idempotency key: a retry answers the first receipt (src/writes/idempotency.ts). */
  const once = createOnce(deps.unit, deps.idempotency);

  const receipts = createReceipts(deps.unit);
  const { receiptOf, reject, shadowJobs, enqueueAll } = receipts;

  const writeProfileTo = async (system: string, customer: Customer, idempotencyKey: string): Promise<void> => {
    if (system === 'crm') await deps.directory.upsertProfile({ customer, idempotencyKey });
    else if (system === 'erp') await deps.erp.upsertPartner({ customer, idempotencyKey });
    else throw new WriteRejection('CONFLICT', `the matrix gives the customer profile to ${system}, which cannot hold one`);
    await deps.invalidate(system, system === 'crm' ? 'findByCustomerIds' : 'findPartnersByCustomerIds', [customer.id]);
  };

  /** Each mutation's own work, by name, under its idempotency key; `once` runs it once per key. */
  const mutations = {
    /**
     * Changes a customer's profile at its owner (the site's store by default; the CRM or the ERP when the matrix says
     * so), then the followers through the outbox. An external owner that is not there gets the write queued.
     */
    async updateCustomer(input: unknown, actor: Actor, idempotencyKey: string): Promise<Receipt> {
      const patch = parseInput(updateCustomerInput, input);
      const fields = (['email', 'name', 'phone'] as const).filter((field) => patch[field] !== undefined);
      const owners = [...new Set(fields.map((field) => deps.matrix.ownerOf('Customer', field)))];
      const owner = owners.join('+');
      const base = { id: randomUUID(), actor: actor.subject, operation: 'updateCustomer', entity: 'Customer', entityId: patch.id, input: patch, owner, before: null, idempotencyKey };
      if (owners.length > 1) {
        return reject(base, new WriteRejection('CONFLICT', `these fields have different owners (${owner}): change them in separate mutations`));
      }
      const followers = [...new Set(fields.flatMap((field) => deps.matrix.followersOf('Customer', field)))].filter(
        (system) => system !== owner && system !== 'store',
      );
      try {
        const before = await deps.unit.transaction((tx) => tx.getCustomer(patch.id));
        if (!before) throw new WriteRejection('NOT_FOUND', `no customer ${patch.id}`);
        const after: Customer = {
          ...before,
          ...(patch.email !== undefined ? { email: patch.email } : {}),
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
          updatedAt: now(),
        };
        // An external owner is written first; when it is not there, the write to it waits in the outbox.
        let waiting: IntegrationErrorLike | null = null;
        if (owner !== 'store') {
          try {
            await writeProfileTo(owner, after, idempotencyKey);
          } catch (error) {
            if (!isIntegrationError(error) || !WAITABLE.has(error.code)) throw error;
            waiting = error;
          }
        }
        return await deps.unit.transaction(async (tx) => {
          // The site keeps the profile either way: as its owner, or as a follower of the owner just written.
          await tx.saveCustomer(after);
          const audit: AuditRequest = { ...base, before, after, result: waiting ? 'QUEUED' : 'APPLIED', errorCode: waiting?.code ?? null };
          const targets = waiting ? [owner, ...followers] : followers;
          const jobs = await enqueueAll(tx, audit.id, [
            ...targets.map((system) => ({
              system,
              operation: system === 'crm' ? 'upsertProfile' : 'upsertPartner',
              entity: 'Customer',
              entityId: patch.id,
              payload: { customerId: patch.id },
              idempotencyKey: `${audit.id}:${system}`,
            })),
            ...(await shadowJobs(tx, audit.id, 'Customer', patch.id)),
          ]);
          const receipt = receiptOf(audit, jobs, waiting ? { error: { code: waiting.code, system: waiting.system, message: waiting.message } } : {});
          await tx.audit(audit, receipt);
          return receipt;
        });
      } catch (error) {
        if (error instanceof WriteRejection || isIntegrationError(error)) return reject(base, error);
        if (isUniqueViolation(error)) return reject(base, new WriteRejection('CONFLICT', 'that e-mail belongs to another customer'));
        throw error;
      }
    },

    /** Places an order across systems, as a saga (src/writes/place-order.ts). */
    placeOrder: placeOrderWith(deps, receipts, now),

    /** Moves an order along its lifecycle at its owner; the ERP follows through the outbox. */
    updateOrderStatus(input: unknown, actor: Actor, idempotencyKey: string): Promise<Receipt> {
      return changeOrder(parseInput(orderStatusInput, input), actor, idempotencyKey, 'updateOrderStatus');
    },

    /** Cancels an order; the ERP releases its stock and follows, through the outbox. */
    cancelOrder(input: unknown, actor: Actor, idempotencyKey: string): Promise<Receipt> {
      return changeOrder({ ...parseInput(orderIdInput, input), status: 'CANCELLED' }, actor, idempotencyKey, 'cancelOrder');
    },

    /** Changes stock at the ERP, its owner; queued (not lost) when the ERP is not there. */
    async adjustInventory(input: unknown, actor: Actor, idempotencyKey: string): Promise<Receipt> {
      const request = parseInput(adjustInventoryInput, input);
      const owner = deps.matrix.ownerOf('InventoryItem', 'onHand');
      const base = { id: randomUUID(), actor: actor.subject, operation: 'adjustInventory', entity: 'InventoryItem', entityId: request.sku, input: request, owner, before: null, idempotencyKey };
      if (owner !== 'erp') return reject(base, new WriteRejection('CONFLICT', `the matrix gives inventory to ${owner}: only the ERP can be written`));
      try {
        const after = await deps.erp.adjustStock({ ...request, idempotencyKey });
        await deps.invalidate('erp', 'findItemsBySkus', [request.sku]);
        const audit: AuditRequest = { ...base, after, result: 'APPLIED', errorCode: null };
        const receipt = receiptOf(audit, []);
        await deps.unit.transaction((tx) => tx.audit(audit, receipt));
        return receipt;
      } catch (error) {
        if (isIntegrationError(error) && WAITABLE.has(error.code)) {
          return deps.unit.transaction(async (tx) => {
            const audit: AuditRequest = { ...base, after: null, result: 'QUEUED', errorCode: error.code };
            const jobs = await enqueueAll(tx, audit.id, [
              { system: 'erp', operation: 'adjustStock', entity: 'InventoryItem', entityId: request.sku, payload: request, idempotencyKey },
            ]);
            const receipt = receiptOf(audit, jobs, { error: { code: error.code, system: error.system, message: error.message } });
            await tx.audit(audit, receipt);
            return receipt;
          });
        }
        if (isIntegrationError(error)) return reject(base, error);
        throw error;
      }
    },
  } satisfies Record<string, (input: unknown, actor: Actor, idempotencyKey: string) => Promise<Receipt>>;
  type MutationName = keyof typeof mutations;
  const isMutation = (operation: string): operation is MutationName => Object.hasOwn(mutations, operation);

  /** A mutation as clients call it: once per idempotency key (src/writes/idempotency.ts). */
  const applied =
    (operation: MutationName) =>
    (input: unknown, actor: Actor, key?: string): Promise<Receipt> =>
      once.apply(operation, key, actor, input, (idempotencyKey) => mutations[operation](input, actor, idempotencyKey));

  return {
    updateCustomer: applied('updateCustomer'),
    placeOrder: applied('placeOrder'),
    updateOrderStatus: applied('updateOrderStatus'),
    cancelOrder: applied('cancelOrder'),
    adjustInventory: applied('adjustInventory'),

    /**
     * Finishes the requests whose process died before their receipt (their claims lapsed), as the client's retry
     * would: the same input, caller and idempotency key, so each system applies its step once. Answers each one it
     * finished, or why it could not: then its claim is kept, to lapse again and be finished by a later call (unless
     * the request itself was refused, which no later call would change).
     */
    async finishInterrupted(limit = 20): Promise<FinishedWrite[]> {
      const finished: FinishedWrite[] = [];
      for (const lapsed of await deps.unit.lapsedClaims(limit)) {
        const { operation } = lapsed;
        if (!isMutation(operation)) continue;
        try {
          const receipt = await once.resume(lapsed, (idempotencyKey) => mutations[operation](lapsed.input, lapsed.actor, idempotencyKey));
          if (receipt) finished.push({ ...lapsed, receipt });
        } catch (error) {
          finished.push({ ...lapsed, error: error instanceof Error ? error.message : String(error) });
        }
      }
      return finished;
    },

    // Audit ids are UUIDs: anything else names no receipt (and never reaches the database as a malformed uuid).
    receipt: (auditId: string) => (AUDIT_ID.test(auditId) ? deps.unit.receipt(auditId) : Promise.resolve(null)),
  };

  async function changeOrder(
    request: { id: string; status: Order['status'] },
    actor: Actor,
    idempotencyKey: string,
    operation: 'updateOrderStatus' | 'cancelOrder',
  ): Promise<Receipt> {
    const owner = deps.matrix.ownerOf('Order', 'status');
    const base = { id: randomUUID(), actor: actor.subject, operation, entity: 'Order', entityId: request.id, input: request, owner, before: null, idempotencyKey };
    try {
      return await deps.unit.transaction(async (tx) => {
        const before = await tx.getOrder(request.id);
        if (!before) throw new WriteRejection('NOT_FOUND', `no order ${request.id}`);
        if (!ORDER_TRANSITIONS[before.status]?.includes(request.status)) {
          throw new WriteRejection('CONFLICT', `an order in ${before.status} cannot move to ${request.status}`);
        }
        const at = now();
        await tx.setOrderStatus(request.id, request.status, at);
        const after: Order = { ...before, status: request.status, updatedAt: at };
        const audit: AuditRequest = { ...base, before, after, result: 'APPLIED', errorCode: null };
        const follow: JobRequest[] = orderFollowers(deps.matrix).map((system) => ({
          system,
          operation: 'upsertOrder',
          entity: 'Order',
          entityId: request.id,
          payload: { orderId: request.id },
          idempotencyKey: `${audit.id}:${system}`,
        }));
        follow.push(...(await shadowJobs(tx, audit.id, 'Order', request.id)));
        if (request.status === 'CANCELLED') {
          follow.push(
            ...before.lines.map((line) => ({
              system: 'erp',
              operation: 'releaseStock',
              entity: 'Order',
              entityId: request.id,
              payload: { orderId: request.id, sku: line.sku, quantity: line.quantity },
              idempotencyKey: `${audit.id}:release:${line.sku}`,
            })),
            { system: 'payments', operation: 'voidForOrder', entity: 'Order', entityId: request.id, payload: { orderId: request.id }, idempotencyKey: `${audit.id}:payments` },
          );
        }
        const jobs = await enqueueAll(tx, audit.id, follow);
        const receipt = receiptOf(audit, jobs);
        await tx.audit(audit, receipt);
        return receipt;
      });
    } catch (error) {
      if (error instanceof WriteRejection) return reject(base, error);
      throw error;
    }
  }
}

export type WriteService = ReturnType<typeof createWriteService>;

function isUniqueViolation(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'UniqueConstraintViolationException';
}
