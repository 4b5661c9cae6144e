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

/** Counts the requests a sandbox received, by operation. */
export class RequestStats {
  private readonly counts = new Map<string, number>();
  private faults = 0;

  received(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  faultInjected(): void {
    this.faults += 1;
  }

  snapshot(): { total: number; byOperation: Record<string, number>; faultsInjected: number } {
    const byOperation = Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const total = [...this.counts.values()].reduce((sum, count) => sum + count, 0);
    return { total, byOperation, faultsInjected: this.faults };
  }

  reset(): void {
    this.counts.clear();
    this.faults = 0;
  }
}
