/**
 * Which records of a read's answer are older copies, served because the system failed, and as of when. The
 * resilience layer sets it on the answer (a batch read's map, a page) when it serves stale copies; adapters never do.
 */
export interface Staleness {
  /** The system whose copies were served, e.g. "crm". */
  readonly system: string;
  /** The port method that was read, e.g. "findByCustomerIds". */
  readonly operation: string;
  /** Key (a batch read's key, or a plain read's input as JSON) -> when the copy was read from the system. */
  readonly asOf: ReadonlyMap<string, Date>;
}

/** An answer that may have been served from older copies: `stale` says which records, and as of when. */
export interface MaybeStale {
  /** Set only when some records are older copies. @default undefined: every record is fresh */
  readonly stale?: Staleness;
}

/** The staleness of any answer (undefined for a fresh one, or for something that is not an answer). */
export function stalenessOf(answer: unknown): Staleness | undefined {
  return answer !== null && typeof answer === 'object' ? (answer as MaybeStale).stale : undefined;
}
