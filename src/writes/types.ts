import type { Customer, Order, OrderStatus } from '../domain';
import type { SagaStep } from './saga';

export const RECEIPT_STATUSES = ['APPLIED', 'QUEUED', 'REJECTED'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

export type JobState = 'pending' | 'running' | 'done' | 'failed' | 'dead';

/** A write waiting in the outbox for a system (a follower sync, or an owner that was down). */
export interface FollowerJob {
  readonly id: string;
  readonly system: string;
  readonly operation: string;
  readonly state: JobState;
  readonly attempts: number;
  readonly lastError: string | null;
}

/** What every mutation answers: what happened, where it is recorded, and what is still to be done. */
export interface Receipt {
  readonly status: ReceiptStatus;
  readonly auditId: string;
  readonly operation: string;
  /** The system that owns what was written (the matrix decides). */
  readonly owner: string;
  readonly entity: string;
  readonly entityId: string | null;
  readonly followerJobs: readonly FollowerJob[];
  readonly error: { readonly code: string; readonly system: string | null; readonly message: string } | null;
  /** For multi-system operations: each step and compensation, in order. */
  readonly steps: readonly SagaStep[];
}

/** Who asked: the subject of the bearer token. */
export interface Actor {
  readonly subject: string;
  readonly scopes: readonly string[];
}

/** A job to put in the outbox, in the same transaction as the audit row. */
export interface JobRequest {
  readonly system: string;
  readonly operation: string;
  readonly entity: string;
  readonly entityId: string;
  readonly payload: unknown;
  readonly idempotencyKey: string;
}

export interface AuditRequest {
  readonly id: string;
  readonly actor: string;
  readonly operation: string;
  readonly entity: string;
  readonly entityId: string | null;
  readonly input: unknown;
  readonly owner: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly result: ReceiptStatus;
  readonly errorCode: string | null;
  readonly idempotencyKey: string | null;
}

/** One transaction in our database: the store's own rows, the audit row and the outbox jobs commit together. */
export interface WriteTransaction {
  getCustomer(id: string): Promise<Customer | null>;
  saveCustomer(customer: Customer): Promise<void>;
  /** Keeps the payment gateway's customer id for a customer that has none kept yet (one already kept stays). */
  keepGatewayCustomerId(customerId: string, gatewayCustomerId: string): Promise<void>;
  getOrder(id: string): Promise<Order | null>;
  insertOrder(order: Order): Promise<void>;
  setOrderStatus(id: string, status: OrderStatus, at: Date): Promise<void>;
  /** Records the mutation and its receipt; the claim on its idempotency key, if any, goes in the same commit. */
  audit(request: AuditRequest, receipt: Receipt): Promise<void>;
  enqueue(job: JobRequest & { readonly auditId: string }): Promise<FollowerJob>;
  /**
   * The systems that get a shadow copy of this entity's writes: the legacy shop while the entity is in shadow mode,
   * none otherwise (read in the write's own transaction, so a switch or a cutover applies from the next write on).
   */
  shadowTargets(entity: string): Promise<readonly string[]>;
}

/** Our database, as the write path needs it. */
export interface WriteUnit {
  transaction<T>(work: (tx: WriteTransaction) => Promise<T>): Promise<T>;
  /**
   * The receipt of an earlier mutation with this idempotency key, and who asked for it, so that a client's retry gets
   * it again (and only that client: keys are unique per operation, not per caller).
   */
  receiptFor(
    operation: string,
    idempotencyKey: string,
  ): Promise<{ readonly actor: string; readonly receipt: Receipt; readonly fingerprint: string | null } | null>;
  /** A receipt by audit id, with its jobs' current states. */
  receipt(auditId: string): Promise<Receipt | null>;
  /**
   * Claims an idempotency key for a request about to be applied, among every process on this database: `claimed`
   * with the way to let it go when no receipt will commit (the receipt's own transaction lets it go, see `audit`), or
   * who holds it now. A claim not renewed for `leaseMs` is a dead process's and is taken over. `request` is kept with
   * the claim, so that the request can be finished if this process dies before its receipt.
   */
  claim(operation: string, idempotencyKey: string, actor: string, leaseMs: number, request?: ClaimedRequest): Promise<KeyClaim>;
  /** Claims whose process died before their receipt (their lease ran out), with their requests: the oldest first. */
  lapsedClaims(limit: number): Promise<LapsedClaim[]>;
}

/** What a claim keeps of its request: enough to run it again as its caller sent it. */
export interface ClaimedRequest {
  readonly input: unknown;
  readonly scopes: readonly string[];
  /** What the key is bound to (src/writes/fingerprint.ts), kept in a column of its own and passed on to the receipt. */
  readonly fingerprint?: string;
}

/** A request whose process died under it, finished since: its receipt, or why it could not be finished now. */
export type FinishedWrite = LapsedClaim & ({ readonly receipt: Receipt } | { readonly error: string });

/** A request whose process died under it, as its claim kept it. */
export interface LapsedClaim {
  readonly operation: string;
  readonly idempotencyKey: string;
  readonly actor: Actor;
  readonly input: unknown;
  readonly claimedAt: Date;
}

export type KeyClaim =
  | {
      readonly claimed: true;
      release(): Promise<void>;
      /** Extends the claim by `leaseMs` from now; false when it is no longer ours (it ran out and was taken over). */
      renew(leaseMs: number): Promise<boolean>;
    }
  | {
      readonly claimed: false;
      readonly actor: string;
      readonly since: Date;
      /** The fingerprint of the request that holds the key (null when unknown). */
      readonly fingerprint: string | null;
    };
