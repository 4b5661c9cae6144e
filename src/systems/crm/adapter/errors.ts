import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import { errorFromStatus, retryAfterMs, type CallSite, type HttpResponse } from '../../kit/adapter';
import { hubSpotErrorSchema, type HubSpotErrorBody } from './schema';

/** Internal to the CRM adapter: HubSpot's error answers, translated into our closed set. */

/** Every 4xx: the client reads HubSpot's body itself rather than letting the kit guess from the status alone. */
export const CLIENT_ERROR_STATUSES: readonly number[] = Array.from({ length: 100 }, (_, index) => 400 + index);

/** HubSpot's `category` values and what they mean for us. */
const CODE_OF_CATEGORY: Readonly<Record<string, IntegrationErrorCode>> = {
  INVALID_AUTHENTICATION: 'UPSTREAM_AUTH_FAILED',
  EXPIRED_AUTHENTICATION: 'UPSTREAM_AUTH_FAILED',
  MISSING_SCOPES: 'UPSTREAM_AUTH_FAILED',
  RATE_LIMITS: 'UPSTREAM_RATE_LIMITED',
  OBJECT_NOT_FOUND: 'UPSTREAM_REJECTED',
  VALIDATION_ERROR: 'UPSTREAM_REJECTED',
  CONFLICT: 'UPSTREAM_REJECTED',
  OBJECT_ALREADY_EXISTS: 'UPSTREAM_REJECTED',
  INVALID_EMAIL: 'UPSTREAM_REJECTED',
};

/** How long each of HubSpot's rate-limit policies lasts, for a 429 that came without Retry-After. */
const POLICY_WINDOW_MS: Readonly<Record<string, number>> = { SECONDLY: 1_000, TEN_SECONDLY_ROLLING: 10_000 };

function bodyOf(response: HttpResponse): HubSpotErrorBody {
  try {
    const parsed = hubSpotErrorSchema.safeParse(JSON.parse(response.text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** HubSpot's messages are meant for people; cut them short so that a reason never carries a whole body. */
function clip(text: string): string {
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

/** Translates a HubSpot error answer (any 4xx) into an IntegrationError: by its category first, its status second. */
export function errorFromHubSpot(site: CallSite, response: HttpResponse): IntegrationError {
  const body = bodyOf(response);
  const category = body.category ?? (body.errorType === 'RATE_LIMIT' ? 'RATE_LIMITS' : undefined);
  const said = body.message ? `: ${clip(body.message)}` : '';
  const reason = `HubSpot ${category ?? 'error'} (HTTP ${response.status})${said}`;
  const code = (category ? CODE_OF_CATEGORY[category] : undefined) ?? errorFromStatus(site, response.status).code;
  const waitMs =
    retryAfterMs(response.headers['retry-after']) ??
    rateLimitOf(response).intervalMs ??
    (body.policyName ? POLICY_WINDOW_MS[body.policyName] : undefined);
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, {
    ...site,
    reason,
    retryAfterMs: code === 'UPSTREAM_RATE_LIMITED' ? waitMs : undefined,
  });
}

/** The token endpoint said no: whatever its words, we cannot authenticate. A 429 there is still a 429. */
export function tokenRefused(site: CallSite, response: HttpResponse): IntegrationError {
  if (response.status === 429) return errorFromHubSpot(site, response);
  const body = bodyOf(response);
  const reason = `token request refused (HTTP ${response.status}${body.status ? `, ${body.status}` : ''})`;
  return new IntegrationError('UPSTREAM_AUTH_FAILED', `${site.system} ${site.operation}: ${reason}`, {
    ...site,
    reason,
  });
}

/** HubSpot's rate-limit headers on an answer (absent when HubSpot could not gather them). */
export function rateLimitOf(response: HttpResponse): { readonly remaining?: number; readonly intervalMs?: number } {
  const number = (name: string): number | undefined => {
    const raw = response.headers[name];
    const value = Number(Array.isArray(raw) ? raw[0] : raw);
    return raw === undefined || !Number.isFinite(value) || value < 0 ? undefined : value;
  };
  const remaining = number('x-hubspot-ratelimit-remaining');
  const intervalMs = number('x-hubspot-ratelimit-interval-milliseconds');
  return { ...(remaining === undefined ? {} : { remaining }), ...(intervalMs === undefined ? {} : { intervalMs }) };
}
