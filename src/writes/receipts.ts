import { isIntegrationError } from '../domain';
import { WriteRejection, type SagaStep } from './saga';
import type { AuditRequest, FollowerJob, JobRequest, Receipt, ReceiptStatus, WriteTransaction, WriteUnit } from './types';

/** What every mutation of the write path answers and records: its receipt, its audit row, its outbox jobs. */
export interface Receipts {
  receiptOf(audit: AuditRequest, jobs: readonly FollowerJob[], extra?: { status?: ReceiptStatus; error?: Receipt['error']; steps?: readonly SagaStep[] }): Receipt;
  /** A refusal is audited too: nothing a client asked for goes unrecorded. */
  reject(base: Omit<AuditRequest, 'result' | 'errorCode' | 'after'>, error: unknown, steps?: readonly SagaStep[], undos?: readonly JobRequest[]): Promise<Receipt>;
  /** Shadow mode: while the entity is in it, the legacy shop gets a copy of the write, through the outbox. */
  shadowJobs(tx: WriteTransaction, auditId: string, entity: 'Customer' | 'Order', entityId: string): Promise<JobRequest[]>;
  enqueueAll(tx: WriteTransaction, auditId: string, jobs: readonly JobRequest[]): Promise<FollowerJob[]>;
}

export function createReceipts(unit: WriteUnit): Receipts {
  const receiptOf = (
    audit: AuditRequest,
    jobs: readonly FollowerJob[],
    extra: { status?: ReceiptStatus; error?: Receipt['error']; steps?: readonly SagaStep[] } = {},
  ): Receipt => ({
    status: extra.status ?? audit.result,
    auditId: audit.id,
    operation: audit.operation,
    owner: audit.owner,
    entity: audit.entity,
    entityId: audit.entityId,
    followerJobs: jobs,
    error: extra.error ?? null,
    steps: extra.steps ?? [],
  });

  /** A refusal is audited too: nothing a client asked for goes unrecorded. */
  const reject = async (
    base: Omit<AuditRequest, 'result' | 'errorCode' | 'after'>,
    error: unknown,
    steps: readonly SagaStep[] = [],
    undos: readonly JobRequest[] = [],
  ): Promise<Receipt> => {
    const code = error instanceof WriteRejection || isIntegrationError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
    const system = isIntegrationError(error) ? error.system : null;
    const message = error instanceof Error ? error.message : String(error);
    const audit: AuditRequest = { ...base, after: null, result: 'REJECTED', errorCode: code };
    // Undos a system could not take now are committed with the audit row: the outbox finishes them.
    return unit.transaction(async (tx) => {
      const jobs = await enqueueAll(tx, audit.id, undos);
      const receipt = receiptOf(audit, jobs, { error: { code, system, message }, steps });
      await tx.audit(audit, receipt);
      return receipt;
    });
  };

  /** Shadow mode: while the entity is in it, the legacy shop gets a copy of the write, through the outbox. */
  const shadowJobs = async (
    tx: WriteTransaction,
    auditId: string,
    entity: 'Customer' | 'Order',
    entityId: string,
  ): Promise<JobRequest[]> =>
    (await tx.shadowTargets(entity)).map((system) => ({
      system,
      operation: entity === 'Customer' ? 'saveCustomer' : 'saveOrder',
      entity,
      entityId,
      payload: entity === 'Customer' ? { customerId: entityId } : { orderId: entityId },
      idempotencyKey: `${auditId}:${system}`,
    }));

  const enqueueAll = async (
    tx: WriteTransaction,
    auditId: string,
    jobs: readonly JobRequest[],
  ): Promise<FollowerJob[]> => Promise.all(jobs.map((job) => tx.enqueue({ ...job, auditId })));

  return { receiptOf, reject, shadowJobs, enqueueAll };
}
