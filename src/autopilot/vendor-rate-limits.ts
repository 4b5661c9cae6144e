import { subjectOf, type Alerts } from '../alerts';
import type { RateLimit } from '../resilience';
import type { SystemAnswer } from '../systems/kit/adapter';
import type { AnnouncedRateLimit, RateLimitHeaderReader } from '../systems/kit/rate-limit-headers';
import { createBackground } from './background';

/** A system's rate limit: what the map declares, what the vendor last announced, and what the calls keep to. */
export interface RateLimitView {
  readonly system: string;
  readonly declared: RateLimit | null;
  /** The vendor's figure, from its headers (null until an answer carried one). */
  readonly announced: RateLimit | null;
  /** What the shared token bucket spends: the lower of the two. */
  readonly followed: RateLimit | null;
  /** Calls left in the vendor's window, on its last answer that said so. */
  readonly remaining: number | null;
}

export interface VendorRateLimitsOptions {
  /** What the integration map declares, per system. */
  readonly declared: Readonly<Record<string, RateLimit | null>>;
  /** How each system reads its vendor's headers (its defineSystem's rateLimitHeaders). */
  readonly readers: Readonly<Record<string, RateLimitHeaderReader>>;
  readonly alerts: Pick<Alerts, 'raise' | 'list'>;
  /**
   * Told when the vendor says fewer calls are left in its window than the system's budget holds: the shared bucket
   * holds no more (Resilience.holdRateLimit). @default none
   */
  readonly holdTo?: (system: string, tokens: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
  readonly onError?: (error: Error) => void;
}

export interface VendorRateLimits {
  onAnswer(answer: SystemAnswer): void;
  /** The budget a system's calls keep to now: the vendor's figure when it is below the declared one. */
  limitOf(system: string, declared: RateLimit | null): RateLimit | null;
  views(): RateLimitView[];
  /** Resolves when every alert begun so far is raised (tests; closing). */
  settled(): Promise<void>;
}

const rateOf = (limit: RateLimit): number => limit.requests / limit.perSeconds;

/** A limit inferred from what remains counts only below this share of the declared one. */
const INFERRED_TOLERANCE = 0.9;

/**
 * Follows the rate limits vendors announce. Each answer's headers are read by the system's own reader; a limit lower
 * than the declared one is what the shared token bucket spends from then on (so that a vendor that halved its limit
 * sees no storm of 429s), and it is alerted once per announced figure. A vendor that only says what remains (the accounting system) has
 * its limit inferred from the first answer after a quiet window: then it has counted that one call only.
 */
export function createVendorRateLimits(options: VendorRateLimitsOptions): VendorRateLimits {
  const now = options.now ?? Date.now;
  const background = createBackground(options.onError);
  const announced = new Map<string, RateLimit>();
  const remaining = new Map<string, number>();
  const lastAnswerAt = new Map<string, number>();
  const alerted = new Set<string>();

  const limitFrom = (system: string, said: AnnouncedRateLimit, at: number, declared: RateLimit | null): RateLimit | undefined => {
    if (said.requests !== undefined) return { requests: said.requests, perSeconds: said.perSeconds };
    const previous = lastAnswerAt.get(system);
    const fresh = previous === undefined || at - previous >= said.perSeconds * 1_000;
    if (!fresh || said.remaining === undefined) return undefined;
    const inferred = { requests: said.remaining + 1, perSeconds: said.perSeconds };
    // Calls in flight together at a window's start make what remains a little lower than the limit less one: an
    // inferred limit is taken only when it is clearly below the declared one.
    return declared && rateOf(inferred) >= INFERRED_TOLERANCE * rateOf(declared) ? undefined : inferred;
  };

  const alertOnce = (system: string, declared: RateLimit, limit: RateLimit): void => {
    const subject = `${system} ${limit.requests}/${limit.perSeconds}`;
    if (alerted.has(subject)) return;
    alerted.add(subject);
    background.run(async () => {
      const alert = { kind: 'rate-limit-lowered', system, declared, announced: limit } as const;
      const raised = await options.alerts.list({ kind: alert.kind, subject: subjectOf(alert), limit: 50 });
      if (raised.some((known) => known.system === system)) return;
      await options.alerts.raise(alert);
    });
  };

  const limitOf = (system: string, declared: RateLimit | null): RateLimit | null => {
    const vendor = announced.get(system);
    if (!vendor) return declared;
    return !declared || rateOf(vendor) < rateOf(declared) || vendor.requests < declared.requests ? vendor : declared;
  };

  return {
    onAnswer(answer) {
      const reader = options.readers[answer.system];
      if (!reader) return;
      let said: AnnouncedRateLimit | undefined;
      try {
        said = reader(answer.headers);
      } catch (error) {
        background.fail(error);
        return;
      }
      if (!said || !(said.perSeconds > 0)) return;
      const at = now();
      const declared = options.declared[answer.system] ?? null;
      const limit = limitFrom(answer.system, said, at, declared);
      lastAnswerAt.set(answer.system, at);
      if (said.remaining !== undefined) remaining.set(answer.system, said.remaining);
      if (limit && limit.requests > 0) {
        announced.set(answer.system, limit);
        if (declared && limitOf(answer.system, declared) === limit) alertOnce(answer.system, declared, limit);
      }
      // Only when it matters (fewer left than the budget could hold): a shared bucket costs a round trip to Redis.
      const budget = limitOf(answer.system, declared);
      if (said.remaining !== undefined && budget && said.remaining < budget.requests) {
        options.holdTo?.(answer.system, said.remaining).catch(background.fail);
      }
    },
    limitOf,
    views() {
      const systems = new Set([...Object.keys(options.readers), ...announced.keys()]);
      return [...systems].map((system) => {
        const declared = options.declared[system] ?? null;
        return { system, declared, announced: announced.get(system) ?? null, followed: limitOf(system, declared), remaining: remaining.get(system) ?? null };
      });
    },
    settled: background.settled,
  };
}
