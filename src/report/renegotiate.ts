import { timeoutText } from '../integration-map/describe';
import { count, millis, percent } from './format';
import { dayLabel } from './period';
import type { SystemHealth } from './health';

/** What a recommendation is about, in the order the report lists them for a system. */
export type RenegotiationTopic = 'rate-limit' | 'latency' | 'reliability' | 'contract' | 'credentials';

/** One thing to take to a vendor, in plain words, with the figures that justify it. */
export interface Recommendation {
  readonly system: string;
  readonly topic: RenegotiationTopic;
  readonly text: string;
}

/**
 * The thresholds past which a system's month is worth a conversation with its vendor. They are deliberately
 * conservative: a report that asks for everything gets ignored.
 */
export const RENEGOTIATION_THRESHOLDS = {
  /** Calls refused for going over the rate limit, as a share of the calls attempted. */
  rateLimitedShare: 0.01,
  /** p95 latency as a share of the system's timeout in the integration map. */
  p95OfTimeout: 0.5,
  /** Calls that timed out, as a share of the calls attempted. */
  timeoutShare: 0.005,
  /** Calls the system failed (unreachable, 5xx, garbage), as a share of the calls attempted. */
  failureShare: 0.02,
} as const;

const TOPICS: readonly RenegotiationTopic[] = ['rate-limit', 'latency', 'reliability', 'contract', 'credentials'];

/** What to renegotiate, derived from each system's figures for the month; systems in report order. */
export function renegotiate(systems: readonly SystemHealth[]): Recommendation[] {
  return systems.flatMap((health) =>
    TOPICS.flatMap((topic) => {
      const text = ADVICE[topic](health);
      return text ? [{ system: health.system, topic, text }] : [];
    }),
  );
}

/** Who speaks to the vendor: the owner of the account's credentials, as the integration map names them. */
const contact = (health: SystemHealth): string => (health.credentialsOwner ? ` Who asks: ${health.credentialsOwner}.` : '');

const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

const ADVICE: Readonly<Record<RenegotiationTopic, (health: SystemHealth) => string | undefined>> = {
  'rate-limit': (health) => {
    const hit = share(health.rateLimited, health.attempted);
    if (health.rateLimited === 0 || hit < RENEGOTIATION_THRESHOLDS.rateLimitedShare) return undefined;
    const declared = health.rateLimit
      ? `the integration map declares ${health.rateLimit.requests} requests per ${health.rateLimit.perSeconds} s`
      : 'the integration map declares no limit: ask what it is';
    return `Ask the vendor for a higher rate limit: ${count(health.rateLimited)} of ${count(health.attempted)} calls ` +
      `(${percent(hit)}) were refused for going over it; ${declared}. Update rateLimit in schema/integration-map.yaml once agreed.${contact(health)}`;
  },

  latency: (health) => {
    const slow = health.p95Ms !== null && health.timeoutMs !== null && share(health.p95Ms, health.timeoutMs) >= RENEGOTIATION_THRESHOLDS.p95OfTimeout;
    const timedOut = health.timeouts > 0 && share(health.timeouts, health.attempted) >= RENEGOTIATION_THRESHOLDS.timeoutShare;
    if (!slow && !timedOut) return undefined;
    const p95 = health.p95Ms === null || health.timeoutMs === null
      ? `p95 was ${millis(health.p95Ms)}`
      : `p95 was ${millis(health.p95Ms)}, ${Math.round(share(health.p95Ms, health.timeoutMs) * 100)}% of its ${timeoutText(health.timeoutMs)} timeout`;
    return `Ask the vendor for a latency commitment (p95 in the contract): ${p95}, and ${count(health.timeouts)} of ` +
      `${count(health.attempted)} calls (${percent(share(health.timeouts, health.attempted))}) timed out. Raising timeoutMs in ` +
      `schema/integration-map.yaml only moves the wait onto the site's users.${contact(health)}`;
  },

  reliability: (health) => {
    const failed = health.unavailable + health.badResponses + health.otherFailures;
    const flaky = failed > 0 && share(failed, health.attempted) >= RENEGOTIATION_THRESHOLDS.failureShare;
    if (!flaky && health.breakerOpenings === 0) return undefined;
    const badDays = health.days.filter((day) => day.unavailable + day.badResponses + day.otherFailures > 0 || day.breakerRefusals > 0);
    const shown = badDays.slice(0, 6).map((day) => dayLabel(day.day)).join(', ');
    const more = badDays.length > 6 ? ` and ${badDays.length - 6} more` : '';
    return `Ask the vendor for an uptime commitment and incident reports: ${count(failed)} of ${count(health.attempted)} ` +
      `calls (${percent(share(failed, health.attempted))}) failed (unreachable or 5xx: ${count(health.unavailable)}, bad answers: ` +
      `${count(health.badResponses)}) and the breaker opened ${count(health.breakerOpenings)} ` +
      `time${health.breakerOpenings === 1 ? '' : 's'}` +
      `${badDays.length > 0 ? `, on ${shown}${more}` : ''}.${contact(health)}`;
  },

  contract: (health) => {
    if (health.badResponses === 0) return undefined;
    return `Show the vendor the ${count(health.badResponses)} answer${health.badResponses === 1 ? '' : 's'} that broke ` +
      'its own contract (refused by the adapter\'s schema; the redacted payloads are in integration_logs) and ask for a fix, ' +
      `or for a versioned API that announces its changes.${contact(health)}`;
  },

  credentials: (health) => {
    if (health.authFailures === 0) return undefined;
    return `${count(health.authFailures)} call${health.authFailures === 1 ? ' was' : 's were'} refused our credentials: agree a ` +
      `rotation schedule with ${health.credentialsOwner ?? 'the credentials owner'}, with notice before keys or certificates change.`;
  },
};
