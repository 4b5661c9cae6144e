/** Which records of a read's answer are stale copies, served because the system failed, and as of when. */
export interface StaleKeys {
  readonly system: string;
  readonly operation: string;
  /** Key (a batch read's key, or a plain read's input as JSON) -> when the copy was read from the system. */
  readonly asOf: ReadonlyMap<string, Date>;
}

const STALE = Symbol('stale keys of a read');

/** The same answer, marked: the mark rides on the object itself (a Map for a batch read), never enumerated. */
export function markStale<T extends object>(answer: T, stale: StaleKeys): T {
  Object.defineProperty(answer, STALE, { value: stale, enumerable: false });
  return answer;
}

/** The stale part of a read's answer (or of the cached part of a failed one), if any. */
export function staleKeysOf(answer: unknown): StaleKeys | undefined {
  return answer !== null && typeof answer === 'object' ? (answer as { [STALE]?: StaleKeys })[STALE] : undefined;
}

/** What the cache keeps beside each fresh record, for a longer while. */
export interface StaleCopy {
  readonly value: unknown;
  /** Epoch milliseconds when the system answered it. */
  readonly at: number;
}

export function isStaleCopy(value: unknown): value is StaleCopy {
  return value !== null && typeof value === 'object' && 'value' in value && typeof (value as { at?: unknown }).at === 'number';
}
