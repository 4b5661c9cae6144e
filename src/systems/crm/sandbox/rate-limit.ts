import { randomUUID } from 'node:crypto';
import type { Answer } from './answers';

/**
 * Internal to the CRM sandbox: HubSpot's burst limit and the headers that announce it.
 *
 * Source: HubSpot developer docs, "API usage guidelines and limits"
 * (developers.hubspot.com/docs/guides/apps/api-usage/usage-details). Every answer to an authenticated call carries
 * `X-HubSpot-RateLimit-Max` (calls allowed per window), `X-HubSpot-RateLimit-Remaining` and
 * `X-HubSpot-RateLimit-Interval-Milliseconds` (the window); private apps also get `X-HubSpot-RateLimit-Daily` and
 * `-Daily-Remaining` (OAuth apps do not). A call over the limit is answered 429 with `errorType: "RATE_LIMIT"` and
 * the policy that tripped (`TEN_SECONDLY_ROLLING`). Private apps on Free and Starter portals get 100 calls per 10 s
 * (the default here) and 250,000 a day.
 */

export interface RateLimitOptions {
  /** Calls allowed per window. @default 100 */
  readonly max?: number;
  /** The rolling window, in ms. @default 10_000 */
  readonly intervalMs?: number;
  /** Calls allowed per day (private apps). @default 250_000 */
  readonly daily?: number;
}

export interface RateLimiter {
  /** Counts one call; answers its headers, and the 429 to send when it is over the limit. */
  take(kind: 'private-app' | 'oauth'): { readonly headers: Record<string, string>; readonly refusal?: Answer };
}

export function createRateLimiter(
  options: RateLimitOptions,
  clock: () => number,
  /** The limit set through the sandbox kit's control (`POST /_sandbox/rate-limit`), which overrides `options` while set. */
  live: () => { readonly requests: number; readonly perSeconds: number } | undefined = () => undefined,
): RateLimiter {
  const baseMax = options.max ?? 100;
  const baseIntervalMs = options.intervalMs ?? 10_000;
  const daily = options.daily ?? 250_000;
  if (!(baseMax >= 1) || !(baseIntervalMs >= 1)) throw new RangeError('crm sandbox: rate limit max and intervalMs must be positive');
  let recent: number[] = [];
  let today = 0;
  let day = Math.floor(clock() / 86_400_000);

  return {
    take(kind) {
      const now = clock();
      const set = live();
      const max = set ? set.requests : baseMax;
      const intervalMs = set ? Math.round(set.perSeconds * 1_000) : baseIntervalMs;
      if (Math.floor(now / 86_400_000) !== day) {
        day = Math.floor(now / 86_400_000);
        today = 0;
      }
      recent = recent.filter((at) => at > now - intervalMs);
      const over = recent.length >= max;
      if (!over) {
        recent.push(now);
        today += 1;
      }
      const headers: Record<string, string> = {
        'x-hubspot-ratelimit-max': String(max),
        'x-hubspot-ratelimit-remaining': String(Math.max(0, max - recent.length)),
        'x-hubspot-ratelimit-interval-milliseconds': String(intervalMs),
        ...(kind === 'private-app' ?
          { 'x-hubspot-ratelimit-daily': String(daily), 'x-hubspot-ratelimit-daily-remaining': String(Math.max(0, daily - today)) }
        : {}),
      };
      if (!over) return { headers };
      return {
        headers,
        refusal: {
          status: 429,
          body: {
            status: 'error',
            message: 'You have reached your ten_secondly_rolling limit.',
            errorType: 'RATE_LIMIT',
            correlationId: randomUUID(),
            policyName: 'TEN_SECONDLY_ROLLING',
            category: 'RATE_LIMITS',
          },
        },
      };
    },
  };
}
