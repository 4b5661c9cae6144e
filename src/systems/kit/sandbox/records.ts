/**
 * A sandbox's own state: named collections of records in the system's vocabulary, keyed by the system's ids.
 * `GET /_sandbox/records/<collection>/<id>` reads it, so tests see what the system holds now.
 */
export class RecordStore {
  private readonly collections = new Map<string, Map<string, unknown>>();

  collection<T>(name: string): Map<string, T> {
    let found = this.collections.get(name);
    if (!found) {
      found = new Map();
      this.collections.set(name, found);
    }
    return found as Map<string, T>;
  }

  get(collection: string, id: string): unknown {
    return this.collections.get(collection)?.get(id);
  }

  names(): string[] {
    return [...this.collections.keys()];
  }
}

/** One answered request, as the system timed it (epoch milliseconds, fractional). */
export interface AnsweredRequest {
  readonly operation: string;
  /** When the request arrived. */
  readonly receivedAt: number;
  /** When the last byte of the answer was handed to the socket. */
  readonly answeredAt: number;
  /** Of that time, how long a `slow` fault held the answer back. */
  readonly heldMs: number;
}

/** How many answered requests {@link RequestStats.answered} keeps: the newest ones. */
const ANSWERED_KEPT = 1_000;

/**
 * Counts the requests a sandbox received, by operation, and keeps the newest answered ones with their times, so that
 * a benchmark can tell the systems' own time from its caller's.
 */
export class RequestStats {
  private readonly counts = new Map<string, number>();
  private faults = 0;
  private timed: AnsweredRequest[] = [];
  private readonly listeners = new Set<(request: AnsweredRequest) => void>();
  private readonly faultListeners = new Set<() => void>();

  received(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  faultInjected(): void {
    this.faults += 1;
    for (const listener of this.faultListeners) listener();
  }

  answer(request: AnsweredRequest): void {
    this.timed.push(request);
    if (this.timed.length > ANSWERED_KEPT * 2) this.timed = this.timed.slice(-ANSWERED_KEPT);
    for (const listener of this.listeners) listener(request);
  }

  /**
   * Calls `listener` after each answered request (what a request changed is in the records by then): a test waits for
   * a state the system reaches through its callers' requests, not on a clock. Answers the function that stops it.
   */
  onAnswer(listener: (request: AnsweredRequest) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * Calls `listener` each time the sandbox injects a fault into a request, as it arrives (a held request is never
   * answered, so `onAnswer` cannot tell it). Answers the function that stops it.
   */
  onFault(listener: () => void): () => void {
    this.faultListeners.add(listener);
    return () => void this.faultListeners.delete(listener);
  }

  /** The newest answered requests (up to 1,000), oldest first. */
  answered(): readonly AnsweredRequest[] {
    return this.timed.slice(-ANSWERED_KEPT);
  }

  snapshot(): { total: number; byOperation: Record<string, number>; faultsInjected: number } {
    const byOperation = Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const total = [...this.counts.values()].reduce((sum, count) => sum + count, 0);
    return { total, byOperation, faultsInjected: this.faults };
  }

  reset(): void {
    this.counts.clear();
    this.faults = 0;
    this.timed = [];
  }
}
