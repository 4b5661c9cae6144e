import { createHttpClient, errorFromTransport, parseJson, validate, type CallSite, type HttpResponse } from '../../kit/adapter';
import { CLIENT_ERROR_STATUSES, errorFromHubSpot, tokenRefused } from './errors';
import { tokenSchema } from './schema';

/**
 * Internal to the CRM adapter: transport and OAuth2 client-credentials auth for HubSpot.
 *
 * The access token is cached and renewed shortly before it expires; callers that need a token while one is being
 * fetched share that one request. A call answered 401 (token expired early, or revoked) gets a fresh token and is
 * sent once more: a 401 means nothing was applied, so resending is safe, writes included.
 */

export interface CrmClientOptions {
  readonly system: string;
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly maxResponseBytes?: number | undefined;
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

const TOKEN_SITE_OPERATION = 'accessToken';

export function createCrmClient(options: CrmClientOptions): CrmClient {
  const http = createHttpClient({
    system: options.system,
    baseUrl: options.baseUrl,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  const tokenSite: CallSite = { system: options.system, operation: TOKEN_SITE_OPERATION };
  let cached: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;

  const fetchToken = async (): Promise<CachedToken> => {
    const askedAt = Date.now();
    const response = await http.request({
      operation: TOKEN_SITE_OPERATION,
      method: 'POST',
      path: '/oauth/v1/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: options.clientId,
        client_secret: options.clientSecret,
      }).toString(),
      signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
      accept: CLIENT_ERROR_STATUSES,
    });
    if (response.status >= 400) throw tokenRefused(tokenSite, response);
    const token = validate(tokenSite, tokenSchema, parseJson(tokenSite, response.text));
    const lifetimeMs = token.expires_in * 1000;
    return { value: token.access_token, renewAt: askedAt + lifetimeMs - Math.min(RENEW_MARGIN_MS, lifetimeMs / 10) };
  };

  const accessToken = (site: CallSite, signal: AbortSignal | undefined): Promise<string> => {
    if (cached && Date.now() < cached.renewAt) return Promise.resolve(cached.value);
    pending ??= fetchToken()
      .then((token) => {
        cached = token;
        return token;
      })
      .finally(() => {
        pending = undefined;
      });
    return untilAborted(pending, signal, site).then((token) => token.value);
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

  const call = async (request: CrmCall): Promise<CrmAnswer> => {
    const site: CallSite = { system: options.system, operation: request.operation };
    const token = await accessToken(site, request.signal);
    let response = await send(request, token);
    if (response.status === 401) {
      if (cached?.value === token) cached = undefined;
      response = await send(request, await accessToken(site, request.signal));
    }
    const handled = request.accept?.includes(response.status) ?? false;
    if (response.status >= 400 && !handled) throw errorFromHubSpot(site, response);
    return { status: response.status, body: response.text === '' ? undefined : parseJson(site, response.text) };
  };

  const close = (): Promise<void> => http.close();
  return { call, close, [Symbol.asyncDispose]: close };
}

/** Waits for a shared promise, but lets this caller stop waiting when its own signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, site: CallSite): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(errorFromTransport(site, signal.reason, signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(errorFromTransport(site, signal.reason, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
