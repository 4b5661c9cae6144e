import { Agent, type Dispatcher } from 'undici';
import { IntegrationError } from '../../../domain';
import { trafficObserverOfBuild, type TrafficObserver } from './traffic';
import { badResponse, errorFromStatus, errorFromTransport, type CallSite } from './translate';

export interface HttpClientOptions {
  /** The system's name, for the errors this client raises. */
  readonly system: string;
  readonly baseUrl: string;
  /** TLS material for systems that want mutual TLS. */
  readonly tls?: { readonly ca?: string | Buffer; readonly cert?: string | Buffer; readonly key?: string | Buffer };
  /**
   * Largest body accepted from the system, in bytes (the integration map's maxResponseBytes): a larger one is refused
   * unread as UPSTREAM_BAD_RESPONSE, so that a broken or hostile system cannot fill our memory. @default 5 MiB
   */
  readonly maxResponseBytes?: number;
  /** Keep-alive connections per origin. @default 16 */
  readonly connections?: number;
  /**
   * Told about every answer (the maintenance autopilot). @default the observer of the build this client is made in
   * ({@link withTrafficObserver}), if any
   */
  readonly observer?: TrafficObserver;
}

export interface HttpRequest {
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query below the base URL; build it with {@link pathOf} so that ids are escaped. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** Statuses the caller handles itself instead of having them translated into errors. */
  readonly accept?: readonly number[];
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface HttpClient extends AsyncDisposable {
  request(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

/** The cap when the integration map names none (schema.ts DEFAULT_MAX_RESPONSE_BYTES says the same). */
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/**
 * Joins path segments, escaping each one, so that an id can never walk out of its segment: `/`, `?`, `#`, `%`, CR, LF
 * and NUL are percent-encoded. What encoding cannot make safe is refused as UPSTREAM_REJECTED naming the system, before
 * anything is sent: an empty segment, `.` or `..` (servers and proxies resolve them: `/contacts/..` is `/`), and text
 * that is not well-formed Unicode (a lone surrogate has no UTF-8 form).
 */
export function pathOf(site: CallSite, ...segments: readonly (string | number)[]): string {
  return `/${segments.map((segment) => encodeSegment(site, String(segment))).join('/')}`;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function encodeSegment(site: CallSite, segment: string): string {
  const unsafe =
    segment === '' ? 'an empty path segment'
    : segment === '.' || segment === '..' ? `the path segment "${segment}" (it would walk out of its place)`
    : LONE_SURROGATE.test(segment) ? 'text that is not well-formed Unicode'
    : undefined;
  if (unsafe) throw refusedUnsent(site, `cannot be asked for ${unsafe}`);
  return encodeURIComponent(segment);
}

/**
 * Origin-form paths only: RFC 3986 characters, every `%` followed by two hex digits, and no dot segment (raw or
 * percent-encoded) before the query. The last guard before a request leaves: a path an adapter built by hand is
 * checked as strictly as one from {@link pathOf}.
 */
const ORIGIN_FORM = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*(\?[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*)?$/;

function checkPath(site: CallSite, path: string): void {
  const [beforeQuery = ''] = path.split('?', 1);
  const segments = beforeQuery.split('/').map((segment) => segment.replace(/%2e/gi, '.'));
  const problem =
    !ORIGIN_FORM.test(path) ? 'characters a URL path may not carry unescaped'
    : /%(?![0-9A-Fa-f]{2})/.test(path) ? 'a stray %'
    : segments.some((segment) => segment === '.' || segment === '..') ? 'a dot segment'
    : undefined;
  if (problem) throw refusedUnsent(site, `request path refused, not sent: it has ${problem}`);
}

/** Our own refusal of a request that would not mean what it says: like the system's "no", it says nothing of its health. */
function refusedUnsent(site: CallSite, reason: string): IntegrationError {
  return new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}

/**
 * A keep-alive HTTP client for one system (undici). Translates transport failures and non-2xx statuses into the
 * closed set of integration errors, so that an adapter only maps the happy path and its vendor's error bodies.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  const dispatcher: Dispatcher = new Agent({
    connections: options.connections ?? 16,
    keepAliveTimeout: 10_000,
    connect: options.tls ? { ...options.tls, rejectUnauthorized: true } : undefined,
  });
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const observer = options.observer ?? trafficObserverOfBuild();

  const request = async (call: HttpRequest): Promise<HttpResponse> => {
    const site: CallSite = { system: options.system, operation: call.operation };
    checkPath(site, call.path);
    const { status, headers, text } = await exchange(dispatcher, { origin: base.origin, path: `${prefix}${call.path}`, call }, limit, site);
    observer?.onAnswer({
      system: options.system,
      operation: call.operation,
      method: call.method,
      path: call.path,
      status,
      headers,
      text,
      ...(call.body === undefined ? {} : { requestBody: call.body }),
    });
    if ((status < 200 || status >= 300) && !call.accept?.includes(status)) {
      throw errorFromStatus(site, status, { retryAfter: headers['retry-after'] });
    }
    return { status, headers, text };
  };

  const close = async (): Promise<void> => {
    await dispatcher.close();
  };
  return { request, close, [Symbol.asyncDispose]: close };
}

/** What {@link collectAnswer} sends: one request to an origin. */
export interface WholeRequest {
  readonly origin: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly method: string;
  readonly headers?: Record<string, string> | undefined;
  readonly body?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** An answer read whole. */
export interface WholeAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/**
 * One request, its answer collected straight from undici's dispatcher into one string (as the gateway's subgraph
 * fetcher does): every adapter reads its answers whole, so the Readable that `request()` wraps around a body (or the
 * web streams of `fetch`), its iterator and a copy per chunk would only be read to their end. An answer over `limit`
 * bytes (declared or sent) is aborted unread with `tooLarge(declared)`; the signal aborts the request wherever it stands
 * and the promise rejects with its reason, as fetch does; a transport failure rejects with undici's own error.
 */
export function collectAnswer(
  dispatcher: Dispatcher,
  request: WholeRequest,
  limit: number,
  tooLarge: (declared?: number) => Error,
): Promise<WholeAnswer> {
  const signal = request.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<WholeAnswer>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let statusText = '';
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    let size = 0;
    const onAbort = (): void => controller?.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const settled = (): void => signal?.removeEventListener('abort', onAbort);
    try {
      dispatcher.dispatch(
        { origin: request.origin, path: request.path, method: request.method, headers: request.headers, body: request.body },
        {
          onRequestStart: (started) => {
            controller = started;
            if (signal?.aborted) started.abort(signal.reason);
          },
          onResponseStart: (started, statusCode, responseHeaders, statusMessage) => {
            status = statusCode;
            statusText = statusMessage ?? '';
            headers = responseHeaders;
            const declared = Number(responseHeaders['content-length'] ?? 0);
            if (declared > limit) started.abort(tooLarge(declared));
          },
          onResponseData: (started, chunk) => {
            size += chunk.length;
            if (size > limit) started.abort(tooLarge());
            else chunks.push(chunk);
          },
          onResponseEnd: () => {
            settled();
            const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8');
            resolve({ status, statusText, headers, text });
          },
          onResponseError: (_controller, error) => {
            settled();
            reject(error);
          },
        },
      );
    } catch (error) {
      settled();
      reject(error);
    }
  });
}

async function exchange(
  dispatcher: Dispatcher,
  target: { readonly origin: string; readonly path: string; readonly call: HttpRequest },
  limit: number,
  site: CallSite,
): Promise<WholeAnswer> {
  const { call } = target;
  const tooLarge = (declared?: number): Error =>
    badResponse(site, declared === undefined ? `answer is over the ${limit}-byte cap` : `answer of ${declared} bytes is over the ${limit}-byte cap`);
  try {
    return await collectAnswer(dispatcher, { origin: target.origin, path: target.path, method: call.method, headers: call.headers, body: call.body, signal: call.signal }, limit, tooLarge);
  } catch (error) {
    throw errorFromTransport(site, error, call.signal);
  }
}
