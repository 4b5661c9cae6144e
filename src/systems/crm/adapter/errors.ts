import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import { badResponse, errorFromStatus, parseJson, retryAfterMs, type CallSite, type HttpResponse } from '../../kit/adapter';
import { hubSpotErrorSchema, type HubSpotErrorBody } from './schema';

/** Internal to the CRM adapter: HubSpot's error answers, as the SDK raises them, translated into our closed set. */

/** Every 4xx is handed to the SDK, which raises it as ApiException with HubSpot's body; the kit translates the rest. */
export const CLIENT_ERROR_STATUSES: readonly number[] = Array.from({ length: 100 }, (_, index) => 400 + index);

/** A refusal as HubSpot answered it: its status, its headers and its body (parsed). */
export interface HubSpotRefusalAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

/**
 * The SDK's ApiException (node_modules/@hubspot/api-client/lib/codegen/…/apis/exception.d.ts: `code`, `body`,
 * `headers`). Each generated module has its own copy of the class, so it is known by its shape. Its body is HubSpot's
 * error body as parsed JSON: the SDK asks its serializer for a type "Error" that its type map does not hold, so the
 * body comes through whole (status, category, errorType, policyName included).
 */
interface ApiExceptionLike {
  readonly code: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

function isApiException(error: unknown): error is ApiExceptionLike {
  return error instanceof Error && typeof (error as Partial<ApiExceptionLike>).code === 'number' && 'body' in error && 'headers' in error;
}

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

/** HubSpot's error body, every field optional as HubSpot's guide says to read it; anything else reads as empty. */
export function errorBodyOf(body: unknown): HubSpotErrorBody {
  const parsed = hubSpotErrorSchema.safeParse(body);
  return parsed.success ? parsed.data : {};
}

/** HubSpot's messages are meant for people; cut them short so that a reason never carries a whole body. */
function clip(text: string): string {
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

/** Translates a HubSpot refusal (any 4xx) into an IntegrationError: by its category first, its status second. */
export function errorFromHubSpot(site: CallSite, answer: HubSpotRefusalAnswer): IntegrationError {
  const body = errorBodyOf(answer.body);
  const category = body.category ?? (body.errorType === 'RATE_LIMIT' ? 'RATE_LIMITS' : undefined);
  const said = body.message ? `: ${clip(body.message)}` : '';
  const reason = `HubSpot ${category ?? 'error'} (HTTP ${answer.status})${said}`;
  const code = (category ? CODE_OF_CATEGORY[category] : undefined) ?? errorFromStatus(site, answer.status).code;
  const waitMs =
    retryAfterMs(answer.headers['retry-after']) ??
    rateLimitOf(answer.headers).intervalMs ??
    (body.policyName ? POLICY_WINDOW_MS[body.policyName] : undefined);
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, {
    ...site,
    reason,
    retryAfterMs: code === 'UPSTREAM_RATE_LIMITED' ? waitMs : undefined,
  });
}

/** The token endpoint said no: whatever its words, we cannot authenticate. A 429 there is still a 429. */
export function tokenRefused(site: CallSite, answer: HubSpotRefusalAnswer): IntegrationError {
  if (answer.status === 429) return errorFromHubSpot(site, answer);
  const body = errorBodyOf(answer.body);
  const reason = `token request refused (HTTP ${answer.status}${body.status ? `, ${body.status}` : ''})`;
  return new IntegrationError('UPSTREAM_AUTH_FAILED', `${site.system} ${site.operation}: ${reason}`, {
    ...site,
    reason,
  });
}

/** The status of a refusal the SDK raised, or undefined when the failure was not HubSpot saying no. */
export function refusedStatusOf(error: unknown): number | undefined {
  return isApiException(error) ? error.code : undefined;
}

/**
 * Translates whatever an SDK call failed with. Our own errors (the transport's: unreachable, no answer in time, an
 * answer over the size cap, a 5xx) pass through; ApiException is HubSpot refusing (through `refused`, the caller's
 * choice of wording); anything else is the SDK failing to read the answer it was given (`last`): not JSON, or a
 * shape its models cannot hold.
 */
export function errorFromSdk(
  site: CallSite,
  error: unknown,
  last: HttpResponse | undefined,
  refused: (site: CallSite, answer: HubSpotRefusalAnswer) => IntegrationError = errorFromHubSpot,
): IntegrationError {
  if (error instanceof IntegrationError) return error;
  if (isApiException(error)) return refused(site, { status: error.code, headers: error.headers, body: error.body });
  // A refusal whose body the SDK could not parse is still a refusal: read by its status.
  if (last !== undefined && last.status >= 400) return refused(site, { status: last.status, headers: last.headers, body: undefined });
  if (last !== undefined) parseJson(site, last.text);
  const said = error instanceof Error ? error.message : String(error);
  return badResponse(site, `unexpected payload: HubSpot's SDK could not read it (${clip(said)})`, error, last?.text.slice(0, 2_000));
}

/** HubSpot's rate-limit headers on an answer (absent when HubSpot could not gather them). */
export function rateLimitOf(headers: Readonly<Record<string, string | string[] | undefined>>): {
  readonly remaining?: number;
  readonly intervalMs?: number;
} {
  const number = (name: string): number | undefined => {
    const raw = headers[name];
    const value = Number(Array.isArray(raw) ? raw[0] : raw);
    return raw === undefined || !Number.isFinite(value) || value < 0 ? undefined : value;
  };
  const remaining = number('x-hubspot-ratelimit-remaining');
  const intervalMs = number('x-hubspot-ratelimit-interval-milliseconds');
  return { ...(remaining === undefined ? {} : { remaining }), ...(intervalMs === undefined ? {} : { intervalMs }) };
}
