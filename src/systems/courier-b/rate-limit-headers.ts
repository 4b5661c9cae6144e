import { headerCount, type RateLimitHeaderReader } from '../kit/rate-limit-headers';

/** ShipEngine counts its limit per minute (https://www.shipengine.com/docs/rate-limits/: 200 requests per minute by default). */
const WINDOW_SECONDS = 60;

/**
 * ShipEngine's rate limit as `X-Rate-Limit-Limit` (calls per minute) and `X-Rate-Limit-Remaining`. Its rate-limits page
 * documents the per-minute figure and the Retry-After of a 429, not these header names: they are read when an answer
 * carries them, and an answer without them says nothing.
 */
export const courierBRateLimitHeaders: RateLimitHeaderReader = (headers) => {
  const requests = headerCount(headers, 'x-rate-limit-limit');
  if (!requests) return undefined;
  const remaining = headerCount(headers, 'x-rate-limit-remaining');
  return { requests, perSeconds: WINDOW_SECONDS, ...(remaining === undefined ? {} : { remaining }) };
};
