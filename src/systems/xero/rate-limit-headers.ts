import { headerCount, type RateLimitHeaderReader } from '../kit/rate-limit-headers';

/** Xero's minute limit: 60 calls a minute per organisation (https://developer.xero.com/faq/limits). */
const WINDOW_SECONDS = 60;

/**
 * Xero says only what remains: `X-MinLimit-Remaining` of the minute limit (and `X-DayLimit-Remaining`,
 * `X-AppMinLimit-Remaining`, not the per-organisation minute budget the map declares). The limit itself is inferred
 * by the autopilot from what remains on the first answer of a fresh minute.
 */
export const xeroRateLimitHeaders: RateLimitHeaderReader = (headers) => {
  const remaining = headerCount(headers, 'x-minlimit-remaining');
  return remaining === undefined ? undefined : { perSeconds: WINDOW_SECONDS, remaining };
};
