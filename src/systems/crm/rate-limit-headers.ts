import { headerCount, type RateLimitHeaderReader } from '../kit/rate-limit-headers';

/**
 * HubSpot's burst limit as it announces it on every answer: `X-HubSpot-RateLimit-Max` calls per
 * `X-HubSpot-RateLimit-Interval-Milliseconds`, `X-HubSpot-RateLimit-Remaining` left (HubSpot's API usage guidelines,
 * https://developers.hubspot.com/docs/api/usage-details). The daily figures are not the burst budget the map declares.
 */
export const crmRateLimitHeaders: RateLimitHeaderReader = (headers) => {
  const requests = headerCount(headers, 'x-hubspot-ratelimit-max');
  const intervalMs = headerCount(headers, 'x-hubspot-ratelimit-interval-milliseconds');
  if (requests === undefined || !intervalMs) return undefined;
  const remaining = headerCount(headers, 'x-hubspot-ratelimit-remaining');
  return { requests, perSeconds: intervalMs / 1_000, ...(remaining === undefined ? {} : { remaining }) };
};
