import { IntegrationError } from '../domain';

/** How many calls to one system may be in flight at once, and how many may wait for a place. */
export interface BulkheadPolicy {
  /** Calls to the system in flight at once (all its operations together). @default 32 */
  readonly maxConcurrent: number;
  /** Calls that may wait for a place; one more is refused at once with SYSTEM_BUSY. @default 128 */
  readonly maxQueue: number;
  /** Longest a call waits for a place before it is refused with SYSTEM_BUSY. @default 1500 */
  readonly maxQueueWaitMs: number;
}

export const DEFAULT_BULKHEAD: BulkheadPolicy = { maxConcurrent: 32, maxQueue: 128, maxQueueWaitMs: 1_500 };

/** A place in the bulkhead; give it back once the call (all its attempts) is over. */
export type Release = () => void;

export interface Bulkhead {
  /**
   * Waits for a place. Refused with SYSTEM_BUSY (never counted against the system: it is our own saturation) when
   * the queue is full, the wait exceeds maxQueueWaitMs or the caller's signal aborts first.
   */
  acquire(signal?: AbortSignal): Promise<Release>;
  readonly active: number;
  readonly queued: number;
}

interface Waiter {
  readonly grant: (release: Release) => void;
  readonly refuse: (error: unknown) => void;
}

/**
 * A per-system bulkhead: one slow system holds at most maxConcurrent sockets and promises, and the calls beyond them
 * wait in a short FIFO queue (their wait is not part of the system's timeout) or are shed at once.
 */
export function createBulkhead(system: string, policy: BulkheadPolicy): Bulkhead {
  let active = 0;
  const queue: Waiter[] = [];

  const releaser = (): Release => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = queue.shift();
      if (next) next.grant(releaser());
      else active -= 1;
    };
  };

  const busy = (reason: string) =>
    new IntegrationError('SYSTEM_BUSY', `${system}: ${reason}`, { system, reason, retryAfterMs: policy.maxQueueWaitMs });

  return {
    get active() {
      return active;
    },
    get queued() {
      return queue.length;
    },
    acquire(signal) {
      const gaveUp = 'the caller stopped waiting before a place was free: not attempted';
      if (signal?.aborted) return Promise.reject(busy(gaveUp));
      if (active < policy.maxConcurrent) {
        active += 1;
        return Promise.resolve(releaser());
      }
      if (queue.length >= policy.maxQueue) {
        return Promise.reject(busy(`${policy.maxConcurrent} calls in flight and ${policy.maxQueue} waiting: shed by our bulkhead, not attempted`));
      }
      return new Promise<Release>((resolve, reject) => {
        const leave = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
        };
        const onAbort = () => {
          leave();
          reject(busy(gaveUp));
        };
        const waiter: Waiter = {
          grant: (release) => {
            leave();
            resolve(release);
          },
          refuse: (error) => {
            leave();
            reject(error);
          },
        };
        const timer = setTimeout(
          () => waiter.refuse(busy(`no place within ${policy.maxQueueWaitMs} ms (${policy.maxConcurrent} calls in flight): shed by our bulkhead, not attempted`)),
          policy.maxQueueWaitMs,
        );
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
  };
}

/** The bulkhead every system gets from the configuration (the integration map may not set one per system yet). */
export function bulkheadFrom(config: { readonly PLUGBOARD_SYSTEM_MAX_CALLS: number; readonly PLUGBOARD_SYSTEM_CALL_QUEUE: number; readonly PLUGBOARD_SYSTEM_QUEUE_WAIT_MS: number }): BulkheadPolicy {
  return { maxConcurrent: config.PLUGBOARD_SYSTEM_MAX_CALLS, maxQueue: config.PLUGBOARD_SYSTEM_CALL_QUEUE, maxQueueWaitMs: config.PLUGBOARD_SYSTEM_QUEUE_WAIT_MS };
}
