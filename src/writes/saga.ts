import { IntegrationError, isIntegrationError } from '../domain';

/** One step of a multi-system operation, as the receipt and the audit row tell it. */
export interface SagaStep {
  readonly step: string;
  readonly system: string;
  readonly outcome: 'done' | 'failed' | 'compensated' | 'compensation-failed';
  readonly detail?: string;
}

export interface SagaAction<T> {
  readonly step: string;
  readonly system: string;
  readonly run: () => Promise<T>;
  /** Undoes what `run` did, once it has succeeded; must be idempotent. */
  readonly compensate?: (result: T) => Promise<unknown>;
}

/** A multi-system operation that undoes its completed steps, newest first, when a later step fails. */
export class Saga {
  readonly steps: SagaStep[] = [];
  private readonly undo: { step: string; system: string; run: () => Promise<unknown> }[] = [];

  async do<T>(action: SagaAction<T>): Promise<T> {
    try {
      const result = await action.run();
      this.steps.push({ step: action.step, system: action.system, outcome: 'done' });
      if (action.compensate) {
        const compensate = action.compensate;
        this.undo.push({ step: action.step, system: action.system, run: () => compensate(result) });
      }
      return result;
    } catch (error) {
      this.steps.push({ step: action.step, system: action.system, outcome: 'failed', detail: describe(error) });
      await this.compensate();
      throw error;
    }
  }

  /** Runs the compensations of every completed step, newest first; a failed compensation is recorded, not thrown. */
  async compensate(): Promise<void> {
    for (const undo of this.undo.splice(0).reverse()) {
      try {
        await undo.run();
        this.steps.push({ step: `undo ${undo.step}`, system: undo.system, outcome: 'compensated' });
      } catch (error) {
        this.steps.push({ step: `undo ${undo.step}`, system: undo.system, outcome: 'compensation-failed', detail: describe(error) });
      }
    }
  }
}

function describe(error: unknown): string {
  if (isIntegrationError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** A refusal of ours (not a system's): bad input that no system was asked about. */
export class WriteRejection extends Error {
  override readonly name = 'WriteRejection';
  constructor(
    readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT',
    message: string,
  ) {
    super(message);
  }
}

export const errorCodeOf = (error: unknown): string =>
  error instanceof IntegrationError || error instanceof WriteRejection ? error.code : 'INTERNAL_SERVER_ERROR';
