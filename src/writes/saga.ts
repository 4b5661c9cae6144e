import { IntegrationError, isIntegrationError, type ErrorCode } from '../domain';
import type { JobRequest } from './types';

/** One step of a multi-system operation, as the receipt and the audit row tell it. */
export interface SagaStep {
  readonly step: string;
  readonly system: string;
  /** `waiting`: not run, and not to be run by this operation: it waits for an event (a payment completed by its client). */
  readonly outcome: 'done' | 'failed' | 'compensated' | 'compensation-failed' | 'compensation-queued' | 'cleanup-queued' | 'waiting';
  readonly detail?: string;
}

export interface SagaAction<T> {
  readonly step: string;
  readonly system: string;
  readonly run: () => Promise<T>;
  /** Undoes what `run` did, once it has succeeded; must be idempotent. */
  readonly compensate?: (result: T) => Promise<unknown>;
  /** The same undo as an outbox job, queued when `compensate` fails (its system is away): nothing is left undone. */
  readonly compensateLater?: (result: T) => JobRequest;
  /**
   * When `run` fails in a way that may have left something behind at the system (an answer lost or garbled after the
   * request went out), the job that clears it up, whatever it finds.
   */
  readonly cleanUpAfter?: { readonly when: (error: unknown) => boolean; readonly job: () => JobRequest };
}

/** A multi-system operation that undoes its completed steps, newest first, when a later step fails. */
export class Saga {
  readonly steps: SagaStep[] = [];
  /** Undos and clean-ups left to the outbox: committed with the operation's audit row. */
  readonly jobs: JobRequest[] = [];
  private readonly undo: { step: string; system: string; run: () => Promise<unknown>; later: (() => JobRequest) | undefined }[] = [];

  async do<T>(action: SagaAction<T>): Promise<T> {
    try {
      const result = await action.run();
      this.steps.push({ step: action.step, system: action.system, outcome: 'done' });
      if (action.compensate) {
        const { compensate, compensateLater } = action;
        this.undo.push({ step: action.step, system: action.system, run: () => compensate(result), later: compensateLater && (() => compensateLater(result)) });
      }
      return result;
    } catch (error) {
      this.steps.push({ step: action.step, system: action.system, outcome: 'failed', detail: describe(error) });
      if (action.cleanUpAfter?.when(error)) {
        this.jobs.push(action.cleanUpAfter.job());
        this.steps.push({ step: `clear up after ${action.step}`, system: action.system, outcome: 'cleanup-queued' });
      }
      await this.compensate();
      throw error;
    }
  }

  /** A step this operation leaves to an event, recorded as waiting with what it waits for. */
  wait(step: string, system: string, detail: string): void {
    this.steps.push({ step, system, outcome: 'waiting', detail });
  }

  /**
   * Runs the compensations of every completed step, newest first. One that fails is queued as its outbox job when
   * the step has one, else recorded; it is never thrown.
   */
  async compensate(): Promise<void> {
    for (const undo of this.undo.splice(0).reverse()) {
      try {
        await undo.run();
        this.steps.push({ step: `undo ${undo.step}`, system: undo.system, outcome: 'compensated' });
      } catch (error) {
        if (undo.later) this.jobs.push(undo.later());
        this.steps.push({ step: `undo ${undo.step}`, system: undo.system, outcome: undo.later ? 'compensation-queued' : 'compensation-failed', detail: describe(error) });
      }
    }
  }
}

/** An answer that may have been lost after the request reached the system: what it did is not known. */
export function outcomeUnknown(error: unknown): boolean {
  return isIntegrationError(error) && (error.code === 'UPSTREAM_TIMEOUT' || error.code === 'UPSTREAM_BAD_RESPONSE' || error.code === 'UPSTREAM_UNAVAILABLE');
}

function describe(error: unknown): string {
  if (isIntegrationError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** The codes a write refuses with; each is in the list of error codes (a code missing there does not compile). */
type WriteRejectionCode = Listed<'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'IDEMPOTENCY_KEY_IN_USE' | 'IDEMPOTENCY_KEY_REUSED'>;
type Listed<Code extends ErrorCode> = Code;

/** A refusal of ours (not a system's): bad input that no system was asked about. */
export class WriteRejection extends Error {
  override readonly name = 'WriteRejection';
  constructor(
    readonly code: WriteRejectionCode,
    message: string,
  ) {
    super(message);
  }
}

export const errorCodeOf = (error: unknown): string =>
  error instanceof IntegrationError || error instanceof WriteRejection ? error.code : 'INTERNAL_SERVER_ERROR';
