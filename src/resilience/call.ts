import { setMaxListeners } from 'node:events';
import type CircuitBreaker from 'opossum';
import { IntegrationError, isIntegrationError, type CallOptions } from '../domain';
import type { SystemPolicy } from './policy';
import type { RateLimiter } from './rate-limit';

/** Requests one attempt may have in flight, each listening on its signal, before Node warns of a leak. */
const ATTEMPT_SIGNAL_LISTENERS = 100;

export type Method = (input: unknown, options?: CallOptions) => Promise<unknown>;

/** Failures a later attempt may not meet: the system was away, overloaded, or slow this time. */
const RETRYABLE = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_RATE_LIMITED', 'UPSTREAM_TIMEOUT']);

export interface CallSite {
  readonly system: string;
  readonly operation: string;
  readonly policy: SystemPolicy;
  readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  /** How long until the open breaker lets a trial call through (0 when it is not open). */
  readonly halfOpensInMs: () => number;
  readonly limiter: RateLimiter;
  /** Reads retry; writes never do (a write that may have landed is for the outbox and its idempotency key). */
  readonly retry: boolean;
  readonly random: () => number;
}

/** What a call cost: the answer or the failure, and how many attempts reached for the system. */
export interface CallOutcome {
  attempts: number;
}

/**
 * One call to a system within its time budget: the budget (timeoutMs) bounds everything, waits for a rate-limit
 * token and retries included. Each attempt has its own AbortSignal, passes the breaker (which counts every failed
 * attempt) and, for reads, is retried after a random wait (exponential backoff, full jitter) or the wait the system
 * asked for, while the budget allows it.
 */
export async function callSystem(site: CallSite, method: Method, input: unknown, outer: AbortSignal | undefined, outcome: CallOutcome): Promise<unknown> {
  const { system, operation, policy } = site;
  const deadline = Date.now() + policy.timeoutMs;
  let previous: IntegrationError | undefined;
  for (let retry = 0; ; retry += 1) {
    let failure: IntegrationError;
    try {
      return await attempt(site, method, input, deadline, outer, outcome);
    } catch (error) {
      failure = translate(system, operation, error, site.halfOpensInMs);
    }
    // Another call opened the breaker while this one waited to retry: what the system said is the better answer.
    if (failure.code === 'CIRCUIT_OPEN' && previous) throw previous;
    previous = failure;
    // Once the breaker has opened the system is not asked again; the caller hears what the system last said.
    if (!site.retry || retry >= policy.retries || !RETRYABLE.has(failure.code) || site.breaker.opened || outer?.aborted) throw failure;
    const wait = failure.retryAfterMs ?? Math.floor(site.random() * policy.retryBaseDelayMs * 2 ** retry);
    if (Date.now() + wait >= deadline) throw failure;
    await sleep(wait, outer);
  }
}

async function attempt(site: CallSite, method: Method, input: unknown, deadline: number, outer: AbortSignal | undefined, outcome: CallOutcome): Promise<unknown> {
  const { system, operation, policy } = site;
  if (site.breaker.opened) throw circuitOpen(system, operation, site.halfOpensInMs());
  if (policy.rateLimit) {
    const reservation = await site.limiter.reserve(system, policy.rateLimit, deadline - Date.now());
    if (!reservation.granted) {
      const { requests, perSeconds } = policy.rateLimit;
      const reason = `over our budget of ${requests} calls per ${perSeconds} s; next call possible in ${reservation.retryAfterMs} ms`;
      throw new IntegrationError('UPSTREAM_RATE_LIMITED', `${system} ${operation}: ${reason}`, {
        system,
        operation,
        retryAfterMs: reservation.retryAfterMs,
        reason,
      });
    }
    if (reservation.waitMs > 0) await sleep(reservation.waitMs, outer);
  }
  const remaining = deadline - Date.now();
  if (remaining <= 0) throw timedOut(system, operation, policy.timeoutMs);
  const limitMs = Math.min(remaining, policy.attemptTimeoutMs ?? Number.POSITIVE_INFINITY);
  const controller = new AbortController();
  // One attempt may fan out to many requests at once (a courier read one order at a time, 16 in flight), each of
  // which listens on this signal until it ends: more than Node's default 10 is no leak here.
  setMaxListeners(ATTEMPT_SIGNAL_LISTENERS, controller.signal);
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(limitMs === remaining ? timedOut(system, operation, policy.timeoutMs) : timedOut(system, operation, limitMs, 'attempt'));
    }, limitMs);
  });
  try {
    outcome.attempts += 1;
    return await site.breaker.fire(() => Promise.race([method(input, { signal: controller.signal }), expired]));
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function timedOut(system: string, operation: string, ms: number, what: 'call' | 'attempt' = 'call'): IntegrationError {
  const reason = what === 'call' ? `no answer within ${ms} ms` : `no answer within ${ms} ms (one attempt)`;
  return new IntegrationError('UPSTREAM_TIMEOUT', `${system} ${operation}: ${reason}`, { system, operation, reason });
}

/** Refused by the open breaker; `retryAfterMs` says when it lets a trial through, so queued work waits until then. */
function circuitOpen(system: string, operation: string, halfOpensInMs?: number): IntegrationError {
  return new IntegrationError('CIRCUIT_OPEN', `${system} ${operation}: breaker open, call not attempted`, {
    system,
    operation,
    reason: 'breaker open after repeated failures',
    ...(halfOpensInMs === undefined ? {} : { retryAfterMs: halfOpensInMs }),
  });
}

/** Anything that is not an IntegrationError becomes one naming the system. */
export function translate(system: string, operation: string, error: unknown, halfOpensInMs?: () => number): IntegrationError {
  if (isIntegrationError(error)) return error;
  if ((error as { code?: string } | null)?.code === 'EOPENBREAKER') return circuitOpen(system, operation, halfOpensInMs?.());
  return new IntegrationError('UPSTREAM_UNAVAILABLE', `${system} ${operation}: failed unexpectedly`, {
    system,
    operation,
    reason: 'failed unexpectedly',
    cause: error,
  });
}
