import type { BreakerState } from '../resilience';
import type { CallTally, RecentCall } from './queries';

/** What a tile says of a system at a glance. */
export type SystemState = 'up' | 'degraded' | 'down' | 'idle';

export interface SystemStateInput {
  readonly breakers: ReadonlyArray<{ readonly operation: string; readonly state: BreakerState }>;
  /** The system's latest calls, newest first, from the last few minutes. */
  readonly recent: readonly RecentCall[];
  /** Calls in the live window. */
  readonly live: CallTally | undefined;
}

/** Consecutive failed calls that make a system count as down although no breaker opened yet. */
export const FAILED_CALLS_FOR_DOWN = 3;
/** Error share over the live window that makes a system degraded. */
export const DEGRADED_ERROR_RATE = 0.2;

/** A refusal (UPSTREAM_REJECTED) is about the request, not the system's health (as the breakers count it). */
const failedForHealth = (call: RecentCall): boolean => call.outcome === 'error' && call.code !== 'UPSTREAM_REJECTED';

/**
 * A system's state from its breakers and its latest calls: no system is called to find out, so a system that fails
 * fast (its breaker open) shows as down as soon as the breaker opens or its last calls failed.
 */
export function systemStateOf(input: SystemStateInput): { state: SystemState; reason: string } {
  const open = input.breakers.filter((breaker) => breaker.state === 'open').map((breaker) => breaker.operation);
  if (open.length) return { state: 'down', reason: `breaker open for ${open.join(', ')}: calls fail fast until a trial call succeeds` };
  const latest = input.recent.slice(0, FAILED_CALLS_FOR_DOWN);
  if (latest.length === FAILED_CALLS_FOR_DOWN && latest.every(failedForHealth)) {
    return { state: 'down', reason: `the last ${FAILED_CALLS_FOR_DOWN} calls failed (${[...new Set(latest.map((call) => call.code))].join(', ')})` };
  }
  const halfOpen = input.breakers.filter((breaker) => breaker.state === 'half-open').map((breaker) => breaker.operation);
  if (halfOpen.length) return { state: 'degraded', reason: `breaker half-open for ${halfOpen.join(', ')}: a trial call decides` };
  const last = input.recent[0];
  if (last && failedForHealth(last)) return { state: 'degraded', reason: `the last call (${last.operation}) failed: ${last.code}` };
  const live = input.live;
  if (live && live.calls >= 5 && live.errors / live.calls >= DEGRADED_ERROR_RATE) {
    return { state: 'degraded', reason: `${Math.round((100 * live.errors) / live.calls)}% of recent calls failed` };
  }
  if (!last && !live?.calls) return { state: 'idle', reason: 'no calls lately' };
  return { state: 'up', reason: 'answering' };
}
