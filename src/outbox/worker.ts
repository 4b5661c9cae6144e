import { randomUUID } from 'node:crypto';
import { isIntegrationError } from '../domain';
import type { ClaimedJob, Outbox } from './outbox';

/** Applies one job to its system; throws to have it retried; answers `{ continueWith }` to be run again from there. */
export type JobHandler = (job: ClaimedJob) => Promise<void | { readonly continueWith: unknown }>;

export interface OutboxWorkerOptions {
  readonly outbox: Outbox;
  /** Handlers by `${system}:${operation}`. */
  readonly handlers: Readonly<Record<string, JobHandler>>;
  /** How soon a worker looks for due jobs again after it ran some. @default 250 */
  readonly pollMs?: number;
  /**
   * The longest an idle worker waits between looks: each look that finds nothing doubles the wait from `pollMs` up to
   * this. A look costs a transaction and a query (about 6 ms of CPU on SQLite); four a second were most of an idle
   * process's CPU. A job queued by this process's write path wakes the worker at once (`wake`); one queued by another
   * process, or due again after a failure, is found within this. @default 1000
   */
  readonly idlePollMs?: number;
  /** Jobs claimed at once. @default 20 */
  readonly batchSize?: number;
  /** How long a claimed job stays this worker's before another may take it over. @default 60000 */
  readonly leaseMs?: number;
  /** Told about each job's end (logs, alerts). */
  readonly onJob?: (event: { job: ClaimedJob; outcome: 'done' | 'failed' | 'dead' | 'stale'; error?: string }) => void;
}

export interface OutboxWorker extends AsyncDisposable {
  readonly id: string;
  /** Claims and applies due jobs until none are left; answers how many ran. */
  drain(): Promise<number>;
  /** Jobs were just queued: look now (after the drain running, if one is), instead of at the next poll. */
  wake(): void;
  close(): Promise<void>;
}

/** Pushes queued writes to their systems, retrying with backoff; the outbox keeps them across restarts. */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const id = `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  const batchSize = options.batchSize ?? 20;
  const leaseMs = options.leaseMs ?? 60_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  const runOne = async (job: ClaimedJob): Promise<void> => {
    const handler = options.handlers[`${job.system}:${job.operation}`];
    try {
      if (!handler) throw new Error(`no handler for ${job.system}:${job.operation}`);
      const progress = await handler(job);
      // Part of a long job is done: it is queued again with its progress, behind the jobs already due.
      if (progress) return void (await options.outbox.progress(job, progress.continueWith));
      await options.outbox.complete(job.id);
      options.onJob?.({ job, outcome: 'done' });
    } catch (error) {
      const reason = isIntegrationError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
      const outcome = await options.outbox.fail(job, reason, isIntegrationError(error) ? error.retryAfterMs : undefined);
      options.onJob?.({ job, outcome, error: reason });
    }
  };

  const drainOnce = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      if (stopped) return total;
      const jobs = await options.outbox.claim(id, batchSize, leaseMs);
      if (jobs.length === 0) return total;
      await Promise.all(jobs.map(runOne));
      total += jobs.length;
    }
  };

  const pollMs = options.pollMs ?? 250;
  const idlePollMs = Math.max(pollMs, options.idlePollMs ?? 1_000);
  let waitMs = pollMs;
  /** A wake came while a drain ran: its jobs may have been queued after that drain's last claim. */
  let woken = false;
  /** The poll's own drain is running: it schedules the next look itself. */
  let ticking = false;
  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(tick, ms);
  };

  const drain = (): Promise<number> => {
    running ??= drainOnce().finally(() => {
      running = undefined;
      if (woken && !ticking) {
        woken = false;
        schedule(0);
      }
    });
    return running;
  };

  function tick(): void {
    if (stopped) return;
    ticking = true;
    woken = false;
    drain()
      .then((ran) => (waitMs = ran > 0 ? pollMs : Math.min(waitMs * 2, idlePollMs)))
      .catch(() => (waitMs = pollMs))
      .finally(() => {
        ticking = false;
        schedule(woken ? 0 : waitMs);
        woken = false;
      });
  }
  schedule(0);

  const wake = () => {
    if (stopped) return;
    waitMs = pollMs;
    if (running) woken = true;
    else schedule(0);
  };

  const close = async () => {
    stopped = true;
    clearTimeout(timer);
    await running?.catch(() => undefined);
  };
  return { id, drain, wake, close, [Symbol.asyncDispose]: close };
}
