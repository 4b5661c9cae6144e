import { stalenessOf, type Staleness } from '../domain';

/** Which records of a read's answer are stale copies, served because the system failed, and as of when. */
export type StaleKeys = Staleness;

/**
 * The same answer, with its `stale` field set (see the domain's MaybeStale): a batch read's fresh map of this call, or
 * a copy of a cached page, never a cached original.
 */
export function markStale<T extends object>(answer: T, stale: Staleness): T & { readonly stale: Staleness } {
  return Object.assign(answer, { stale });
}

/** The stale part of a read's answer (or of the cached part of a failed one), if any: its `stale` field. */
export const staleKeysOf = stalenessOf;

/** What the cache keeps beside each fresh record, for a longer while. */
export interface StaleCopy {
  readonly value: unknown;
  /** Epoch milliseconds when the system answered it. */
  readonly at: number;
}

export function isStaleCopy(value: unknown): value is StaleCopy {
  return value !== null && typeof value === 'object' && 'value' in value && typeof (value as { at?: unknown }).at === 'number';
}
