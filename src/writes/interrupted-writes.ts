import pino, { type Logger } from 'pino';
import type { Alerts } from '../alerts';
import { systemClock, type WriteClock } from './clock';
import type { FinishedWrite } from './types';

export interface InterruptedWritesOptions {
  /** The write path that finishes them (WriteService.finishInterrupted). */
  readonly finishInterrupted: () => Promise<FinishedWrite[]>;
  /** Where each finished (or failed) one is reported; unset: the log only. */
  readonly alerts?: Alerts;
  readonly logger?: Logger;
  /** How often it sweeps; a sweep still under way when the next is due makes that one skip. @default 5 s */
  readonly everyMs?: number;
  /** The time sweeps are due on. @default the system clock */
  readonly clock?: WriteClock;
  /**
   * Told after a sweep that finished writes with a receipt: they changed the store outside any mutation, so what
   * was answered from it before may no longer hold (the gateway's response cache ends such answers).
   */
  readonly onFinished?: (finished: readonly FinishedWrite[]) => void;
}

export interface InterruptedWrites extends AsyncDisposable {
  /** One sweep now: what it finished. */
  sweep(): Promise<FinishedWrite[]>;
  /** Stops sweeping, after the sweep under way. */
  close(): Promise<void>;
}

/**
 * Finishes the mutations whose process died before their receipt (killed, crashed, or cut off from the database for a
 * whole lease), so that a request the gateway accepted is neither lost nor left half-applied at the systems (stock
 * reserved, a payment taken, for an order nobody recorded) when its client never sends it again. Every process that
 * serves writes sweeps; a lapsed claim is taken over by one of them only. Each one finished is an alert: ops learn
 * that a process died in the middle of a write, and how the write ended.
 */
export function startInterruptedWriteSweep(options: InterruptedWritesOptions): InterruptedWrites {
  const logger = options.logger ?? pino({ name: 'plugboard' });
  const everyMs = options.everyMs ?? 5_000;
  /** Failures already reported, so that one which keeps failing is an alert once per process, not once per sweep. */
  const reportedFailures = new Set<string>();
  let running: Promise<FinishedWrite[]> | null = null;

  const report = async (write: FinishedWrite): Promise<void> => {
    const key = `${write.operation}\n${write.idempotencyKey}`;
    if ('error' in write) {
      if (reportedFailures.has(key)) return;
      reportedFailures.add(key);
    } else {
      reportedFailures.delete(key);
    }
    const alert = {
      kind: 'write-interrupted',
      operation: write.operation,
      idempotencyKey: write.idempotencyKey,
      actor: write.actor.subject,
      claimedAt: write.claimedAt,
      outcome: 'error' in write ? { error: write.error } : { receipt: write.receipt },
    } as const;
    if (options.alerts) await options.alerts.raise(alert);
    else logger.warn({ alert: alert.kind, operation: alert.operation, idempotencyKey: alert.idempotencyKey, outcome: alert.outcome }, 'an interrupted write was swept');
  };

  const sweep = (): Promise<FinishedWrite[]> => {
    running ??= (async () => {
      try {
        const finished = await options.finishInterrupted();
        if (finished.some((write) => !('error' in write))) options.onFinished?.(finished);
        for (const write of finished) await report(write);
        return finished;
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const beats = (options.clock ?? systemClock).every(everyMs, () =>
    sweep().then(
      () => undefined,
      (error: unknown) => logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'the sweep of interrupted writes failed: it is tried again'),
    ),
  );

  const close = async () => {
    beats.stop();
    await running?.catch(() => undefined);
  };
  return { sweep, close, [Symbol.asyncDispose]: close };
}
