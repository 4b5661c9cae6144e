import { setTimeout as wait } from 'node:timers/promises';
import { createHttpClient, errorFromTransport, retryAfterMs, type CallSite, type HttpResponse } from '../../kit/adapter';
import { IntegrationError } from '../../../domain';
import { CLIENT_ERROR_STATUSES, rateLimitOf } from './errors';

/**
 * Internal to the CRM adapter: the wire under `@hubspot/api-client`.
 *
 * The SDK (13.5.0, the last release that runs on Node 20) builds each request (path, query, JSON or form body, the
 * bearer header) and reads each answer (its models, ApiException), but its own transport is node-fetch with no
 * AbortSignal and no size cap. Its generated API classes take a `Configuration` whose `httpApi` is any object with
 * `send(RequestContext)` (node_modules/@hubspot/api-client/lib/codegen/crm/contacts/configuration.d.ts, `HttpLibrary`
 * in http/http.d.ts), so the adapter builds one configuration per call with this transport in it: the request then
 * goes out through the project's HTTP kit (undici), which honours the call's AbortSignal, refuses an answer over
 * maxResponseBytes unread, and checks the path once more. Status handling stays the SDK's: every 4xx is handed back
 * to it (it raises ApiException with HubSpot's body); 5xx and transport failures are the kit's errors, which the
 * SDK passes through untouched.
 *
 * Pacing lives here too, because every request passes here (the token request included): HubSpot announces its burst
 * limit on each answer (`X-HubSpot-RateLimit-Remaining`, `-Interval-Milliseconds`); when none is left later requests
 * wait for the window to pass instead of earning a 429, and after a 429 they wait as long as it asked (Retry-After,
 * else the window).
 */

/** What the SDK's RequestContext offers (each generated module has its own copy of the class, alike in shape). */
export interface SdkRequest {
  getUrl(): string;
  getHttpMethod(): string;
  getHeaders(): Record<string, string>;
  getBody(): unknown;
}

/** One call's part of the wire: who asks, when it gives up, and the last answer it got (for error translation). */
export interface Exchange {
  readonly site: CallSite;
  readonly signal?: AbortSignal | undefined;
  /** Sent as `Idempotency-Key` (HubSpot ignores it; the log and the sandbox's replay convention use it). */
  readonly idempotencyKey?: string | undefined;
  last?: HttpResponse;
}

export interface SdkTransport extends AsyncDisposable {
  /** Sends one request the SDK built, for one call. */
  send(request: SdkRequest, exchange: Exchange): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface SdkTransportOptions {
  readonly system: string;
  readonly baseUrl: string;
  readonly maxResponseBytes?: number | undefined;
  readonly now: () => number;
  readonly sleep?: ((ms: number, signal: AbortSignal | undefined) => Promise<void>) | undefined;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const);
type Method = typeof METHODS extends Set<infer M> ? M : never;

/** The pause when HubSpot says "none left" without naming its window. */
const DEFAULT_PAUSE_MS = 1_000;

/** The SDK is handed the base URL with no trailing slash: it appends paths that start with one. */
export const sdkBasePath = (baseUrl: string): string => baseUrl.replace(/\/+$/, '');

export function createSdkTransport(options: SdkTransportOptions): SdkTransport {
  const http = createHttpClient({
    system: options.system,
    baseUrl: options.baseUrl,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  const base = sdkBasePath(options.baseUrl);
  const now = options.now;
  const sleep = options.sleep ?? ((ms: number, signal: AbortSignal | undefined) => wait(ms, undefined, { signal }));
  /** No request leaves before this moment (ms since the epoch): the rate limit said to wait. */
  let pausedUntil = 0;

  const refuse = (site: CallSite, reason: string): IntegrationError =>
    new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });

  const send = async (request: SdkRequest, exchange: Exchange): Promise<HttpResponse> => {
    const { site, signal } = exchange;
    const url = request.getUrl();
    // Our own configuration put the base there; anything else is a defect, not a request to send elsewhere.
    if (!url.startsWith(`${base}/`)) throw refuse(site, 'the SDK built a request outside the CRM base URL, not sent');
    const method = request.getHttpMethod().toUpperCase();
    if (!METHODS.has(method as Method)) throw refuse(site, `the SDK built a ${method} request, not sent`);
    const body = request.getBody();
    if (body !== undefined && typeof body !== 'string' && !(body instanceof URLSearchParams)) {
      throw refuse(site, 'the SDK built a multipart body, which this adapter does not send');
    }

    const waitMs = pausedUntil - now();
    if (waitMs > 0) {
      await sleep(waitMs, signal).catch((error: unknown) => {
        throw errorFromTransport(site, error, signal);
      });
    }
    const response = await http.request({
      operation: site.operation,
      method: method as Method,
      path: url.slice(base.length),
      headers: {
        ...request.getHeaders(),
        ...(exchange.idempotencyKey ? { 'idempotency-key': exchange.idempotencyKey } : {}),
      },
      body: body === undefined ? undefined : String(body),
      signal,
      accept: CLIENT_ERROR_STATUSES,
    });
    exchange.last = response;
    const limit = rateLimitOf(response.headers);
    const asked = response.status === 429 ? retryAfterMs(response.headers['retry-after'], now()) : undefined;
    if (response.status === 429 || limit.remaining === 0) {
      pausedUntil = Math.max(pausedUntil, now() + (asked ?? limit.intervalMs ?? DEFAULT_PAUSE_MS));
    }
    return response;
  };

  const close = (): Promise<void> => http.close();
  return { send, close, [Symbol.asyncDispose]: close };
}

/** An answer's headers as the SDK's ResponseContext holds them: one string each. */
export function flatHeaders(response: HttpResponse): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** An answer's body as the SDK's ResponseContext reads it. */
export function sdkBody(response: HttpResponse): { text(): Promise<string>; binary(): Promise<Buffer> } {
  return { text: async () => response.text, binary: async () => Buffer.from(response.text, 'utf8') };
}
