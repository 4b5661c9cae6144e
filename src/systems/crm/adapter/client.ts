import { setTimeout as wait } from 'node:timers/promises';
import { createHttpClient, errorFromTransport, parseJson, retryAfterMs, validate, waitUnlessAborted, type CallSite, type HttpResponse } from '../../kit/adapter';
import { CLIENT_ERROR_STATUSES, errorFromHubSpot, rateLimitOf, tokenRefused } from './errors';
import { tokenSchema } from './schema';

/**
 * Internal to the CRM adapter: transport, auth and pacing for HubSpot.
 *
 * Auth is what HubSpot issues for a portal's contacts: a private app's static token, or OAuth refresh tokens. An
 * OAuth access token is fetched with the refresh token, cached, and renewed shortly before it expires; callers that
 * need a token while one is being fetched share that one request. A call answered 401 (token expired early, or
 * revoked) gets a fresh token and is sent once more: a 401 means nothing was applied, so resending is safe, writes
 * included. A private app's token cannot be renewed: its 401 is final.
 *
 * Pacing: HubSpot announces its burst limit on every answer (`X-HubSpot-RateLimit-Remaining`, `-Interval-Milliseconds`).
 * When none is left, later calls wait for the window to pass instead of earning a 429; after a 429 they wait as long
 * as it asked (Retry-After, else the window).
 */

/** How the adapter authenticates: a private app's token, or an OAuth app's refresh token. */
export type CrmAuth =
  | { readonly kind: 'private-app'; readonly accessToken: string }
  | { readonly kind: 'oauth'; readonly clientId: string; readonly clientSecret: string; readonly refreshToken: string };

export interface CrmClientOptions {
  readonly system: string;
  readonly baseUrl: string;
  readonly auth: CrmAuth;
  readonly maxResponseBytes?: number | undefined;
  /** Our clock, for token lifetimes and rate-limit windows. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** Waits before a call when the rate limit says so. @default a timer that the call's signal cancels */
  readonly sleep?: ((ms: number, signal: AbortSignal | undefined) => Promise<void>) | undefined;
}

export interface CrmCall {
  /** The adapter operation, for errors. */
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** Path and query, built with pathOf / URLSearchParams. */
  readonly path: string;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
  /** Non-2xx statuses the caller handles itself (answered rather than thrown). */
  readonly accept?: readonly number[];
}

export interface CrmAnswer {
  readonly status: number;
  /** The parsed JSON body (not yet validated). */
  readonly body: unknown;
  /** The answer as it came, for translating a status the caller accepted but then cannot handle. */
  readonly response: HttpResponse;
}

export interface CrmClient extends AsyncDisposable {
  call(call: CrmCall): Promise<CrmAnswer>;
  close(): Promise<void>;
}

interface CachedToken {
  readonly value: string;
  /** When to stop using it (ms since the epoch): a margin before it expires. */
  readonly renewAt: number;
}

/** A token request that hangs must not hold every later caller hostage: it gives up after this long. */
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
/** Renew this long before expiry, but never more than a tenth of the token's life. */
const RENEW_MARGIN_MS = 60_000;

/** The pause when HubSpot says "none left" without naming its window. */
const DEFAULT_PAUSE_MS = 1_000;

const TOKEN_SITE_OPERATION = 'accessToken';

export function createCrmClient(options: CrmClientOptions): CrmClient {
  const http = createHttpClient({
    system: options.system,
    baseUrl: options.baseUrl,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  const tokenSite: CallSite = { system: options.system, operation: TOKEN_SITE_OPERATION };
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? ((ms: number, signal: AbortSignal | undefined) => wait(ms, undefined, { signal }));
  const auth = options.auth;
  let cached: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;
  /** No call leaves before this moment (ms since the epoch): the rate limit said to wait. */
  let pausedUntil = 0;

  let refreshToken = auth.kind === 'oauth' ? auth.refreshToken : '';

  const fetchToken = async (oauth: Extract<CrmAuth, { kind: 'oauth' }>): Promise<CachedToken> => {
    const askedAt = now();
    const response = await http.request({
      operation: TOKEN_SITE_OPERATION,
      method: 'POST',
      path: '/oauth/v1/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: oauth.clientId,
        client_secret: oauth.clientSecret,
        refresh_token: refreshToken,
      }).toString(),
      signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
      accept: CLIENT_ERROR_STATUSES,
    });
    if (response.status >= 400) throw tokenRefused(tokenSite, response);
    const token = validate(tokenSite, tokenSchema, parseJson(tokenSite, response.text));
    if (token.refresh_token) refreshToken = token.refresh_token;
    const lifetimeMs = token.expires_in * 1000;
    return { value: token.access_token, renewAt: askedAt + lifetimeMs - Math.min(RENEW_MARGIN_MS, lifetimeMs / 10) };
  };

  const accessToken = (site: CallSite, signal: AbortSignal | undefined): Promise<string> => {
    if (auth.kind === 'private-app') return Promise.resolve(auth.accessToken);
    if (cached && now() < cached.renewAt) return Promise.resolve(cached.value);
    pending ??= fetchToken(auth)
      .then((token) => {
        cached = token;
        return token;
      })
      .finally(() => {
        pending = undefined;
      });
    return waitUnlessAborted(pending, site, signal).then((token) => token.value);
  };

  const send = (call: CrmCall, token: string): Promise<HttpResponse> =>
    http.request({
      operation: call.operation,
      method: call.method,
      path: call.path,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(call.idempotencyKey ? { 'idempotency-key': call.idempotencyKey } : {}),
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: call.signal,
      accept: [...(call.accept ?? []), ...CLIENT_ERROR_STATUSES],
    });

  /** Sends once the rate limit allows, and learns from the answer's rate-limit headers when the next may go. */
  const paced = async (site: CallSite, request: CrmCall, token: string): Promise<HttpResponse> => {
    const waitMs = pausedUntil - now();
    if (waitMs > 0) {
      await sleep(waitMs, request.signal).catch((error: unknown) => {
        throw errorFromTransport(site, error, request.signal);
      });
    }
    const response = await send(request, token);
    const limit = rateLimitOf(response);
    const asked = response.status === 429 ? retryAfterMs(response.headers['retry-after'], now()) : undefined;
    if (response.status === 429 || limit.remaining === 0) {
      pausedUntil = Math.max(pausedUntil, now() + (asked ?? limit.intervalMs ?? DEFAULT_PAUSE_MS));
    }
    return response;
  };

  const call = async (request: CrmCall): Promise<CrmAnswer> => {
    const site: CallSite = { system: options.system, operation: request.operation };
    const token = await accessToken(site, request.signal);
    let response = await paced(site, request, token);
    if (response.status === 401 && auth.kind === 'oauth') {
      if (cached?.value === token) cached = undefined;
      response = await paced(site, request, await accessToken(site, request.signal));
    }
    const handled = request.accept?.includes(response.status) ?? false;
    if (response.status >= 400 && !handled) throw errorFromHubSpot(site, response);
    const body = response.text === '' ? undefined : parseJson(site, response.text);
    return { status: response.status, body, response };
  };

  const close = (): Promise<void> => http.close();
  return { call, close, [Symbol.asyncDispose]: close };
}
