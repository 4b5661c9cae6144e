import type { ZodType } from 'zod';
import { createHttpClient, errorFromTransport, parseJson, validate, type CallSite, type HttpResponse } from '../../kit/adapter';
import { ERROR_STATUSES, errorFromXero, tokenRefused } from './errors';
import { tokenSchema } from './schema';

/** Internal to the Xero adapter: JSON over HTTPS with a custom connection's bearer token and the tenant header. */

export interface XeroClientOptions {
  readonly system: string;
  /** The Accounting API's base, e.g. "https://api.xero.com/api.xro/2.0". */
  readonly baseUrl: string;
  /** The identity server's token endpoint, e.g. "https://identity.xero.com/connect/token". */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The organisation (`xero-tenant-id` header). */
  readonly tenantId: string;
  readonly maxResponseBytes?: number | undefined;
}

export interface XeroCall {
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal | undefined;
}

export interface XeroClient extends AsyncDisposable {
  json<T>(call: XeroCall, schema: ZodType<T>): Promise<T>;
  close(): Promise<void>;
}

/** A token request that hangs must not hold every later caller hostage. */
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
/** Renew this long before expiry (Xero's tokens live 30 minutes), never more than a tenth of their life. */
const RENEW_MARGIN_MS = 60_000;

export function createXeroClient(options: XeroClientOptions): XeroClient {
  const limits = options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {};
  const api = createHttpClient({ system: options.system, baseUrl: options.baseUrl, ...limits });
  const tokenUrl = new URL(options.tokenUrl);
  const identity = createHttpClient({ system: options.system, baseUrl: tokenUrl.origin, ...limits });
  const tokenSite: CallSite = { system: options.system, operation: 'accessToken' };
  let cached: { value: string; renewAt: number } | undefined;
  let pending: Promise<{ value: string; renewAt: number }> | undefined;

  const fetchToken = async () => {
    const askedAt = Date.now();
    const response = await identity.request({
      operation: tokenSite.operation,
      method: 'POST',
      path: tokenUrl.pathname,
      headers: {
        authorization: `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'accounting.transactions' }).toString(),
      signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
      accept: [400, 401, 403],
    });
    if (response.status >= 400) throw tokenRefused(tokenSite, response);
    const token = validate(tokenSite, tokenSchema, parseJson(tokenSite, response.text));
    const lifetimeMs = token.expires_in * 1000;
    return { value: token.access_token, renewAt: askedAt + lifetimeMs - Math.min(RENEW_MARGIN_MS, lifetimeMs / 10) };
  };

  const accessToken = async (site: CallSite, signal: AbortSignal | undefined): Promise<string> => {
    if (cached && Date.now() < cached.renewAt) return cached.value;
    pending ??= fetchToken()
      .then((token) => (cached = token))
      .finally(() => {
        pending = undefined;
      });
    if (signal?.aborted) throw errorFromTransport(site, signal.reason, signal);
    return (await pending).value;
  };

  const send = (call: XeroCall, token: string): Promise<HttpResponse> =>
    api.request({
      operation: call.operation,
      method: call.method,
      path: call.path,
      headers: {
        authorization: `Bearer ${token}`,
        'xero-tenant-id': options.tenantId,
        accept: 'application/json',
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(call.idempotencyKey ? { 'idempotency-key': call.idempotencyKey } : {}),
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: call.signal,
      accept: ERROR_STATUSES,
    });

  const close = async (): Promise<void> => {
    await Promise.all([api.close(), identity.close()]);
  };
  return {
    async json(call, schema) {
      const site: CallSite = { system: options.system, operation: call.operation };
      const token = await accessToken(site, call.signal);
      let response = await send(call, token);
      if (response.status === 401) {
        // Expired early or revoked: one fresh token, one more try.
        if (cached?.value === token) cached = undefined;
        response = await send(call, await accessToken(site, call.signal));
      }
      if (response.status >= 400) throw errorFromXero(site, response);
      return validate(site, schema, parseJson(site, response.text));
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
