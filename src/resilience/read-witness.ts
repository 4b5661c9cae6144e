import { requestScoped } from './request-scope';

/** One record (or one plain read's answer) a request was served, as the resilience layer served it. */
export interface WitnessedRead {
  readonly system: string;
  /** The port method, e.g. "findByCustomerIds". */
  readonly operation: string;
  /** A batch read's key, or a plain read's input as JSON. */
  readonly key: string;
  /** When the system gave this answer: now for a call made for this request, earlier for the read cache's copy. */
  readonly fetchedAt: Date;
  /** Served from the read cache (fresh within its lifetime, or a stale copy) rather than from a call made now. */
  readonly fromCache: boolean;
  /** A stale copy, served because the system failed. */
  readonly stale: boolean;
}

/** Hears every read served while it is the current witness (see {@link witnessReads}). */
export interface ReadWitness {
  saw(read: WitnessedRead): void;
}

// In the one async context the request-scoped values share (see requestScoped).
const scope = requestScoped<ReadWitness>('read witness');

/**
 * Runs `work` with `witness` hearing every read the resilience layer serves in its async context (a request asking
 * for lineage). Outside it, a read costs one lookup of the absent witness, and nothing is recorded.
 */
export function witnessReads<T>(witness: ReadWitness, work: () => T): T {
  return scope.run(witness, work);
}

/** The witness of the current async context, if a request asked for one. Internal to src/resilience. */
export const currentReadWitness = (): ReadWitness | undefined => scope.get();
