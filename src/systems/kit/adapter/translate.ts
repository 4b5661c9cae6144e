import type { ZodType } from 'zod';
import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import { compiledCheckOf } from './compiled-check';

/** Where a call went: every translated error names it. */
export interface CallSite {
  readonly system: string;
  readonly operation: string;
}

/** Parses Retry-After (seconds, or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Maps an HTTP status a system answered with onto our closed set. */
export function errorFromStatus(
  site: CallSite,
  status: number,
  detail: { retryAfter?: string | string[]; reason?: string } = {},
): IntegrationError {
  if (status === 414 || status === 431) return tooLargeForSystem(site, status);
  const code: IntegrationErrorCode =
    status === 429 ? 'UPSTREAM_RATE_LIMITED'
    : status === 401 || status === 403 ? 'UPSTREAM_AUTH_FAILED'
    : status === 408 || status === 504 ? 'UPSTREAM_TIMEOUT'
    : status >= 500 ? 'UPSTREAM_UNAVAILABLE'
    : status >= 400 ? 'UPSTREAM_REJECTED'
    : 'UPSTREAM_BAD_RESPONSE';
  const reason = detail.reason ?? `answered HTTP ${status}`;
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, {
    ...site,
    reason,
    retryAfterMs: retryAfterMs(detail.retryAfter),
  });
}

/**
 * The system refused a request for its size before reading it (414 URI Too Long, 431 Request Header Fields Too
 * Large): we built it, so it is our defect, never the system refusing the client (and never held against its health).
 */
export function tooLargeForSystem(site: CallSite, status: number, cause?: unknown): IntegrationError {
  const reason = `answered HTTP ${status}: the request we built is larger than it accepts (our defect, to be split smaller)`;
  return new IntegrationError('REQUEST_TOO_LARGE_FOR_SYSTEM', `${site.system} ${site.operation}: ${reason}`, { ...site, reason, cause });
}

/** Maps a transport failure (reset, refused, aborted, TLS) onto our closed set. */
export function errorFromTransport(site: CallSite, error: unknown, signal?: AbortSignal): IntegrationError {
  if (error instanceof IntegrationError) return error;
  if (signal?.aborted) {
    return new IntegrationError('UPSTREAM_TIMEOUT', `${site.system} ${site.operation}: no answer in time`, {
      ...site,
      reason: 'no answer in time',
      cause: error,
    });
  }
  const code = (error as { code?: string } | null)?.code ?? '';
  const tls = /CERT|TLS|SSL/.test(code);
  const reason = tls ? `TLS handshake failed (${code})` : `could not be reached${code ? ` (${code})` : ''}`;
  return new IntegrationError(
    tls ? 'UPSTREAM_AUTH_FAILED' : 'UPSTREAM_UNAVAILABLE',
    `${site.system} ${site.operation}: ${reason}`,
    { ...site, reason, cause: error },
  );
}

/** A bad payload: what was wrong, in words a person can act on. */
export function badResponse(site: CallSite, reason: string, cause?: unknown, payload?: unknown): IntegrationError {
  return new IntegrationError('UPSTREAM_BAD_RESPONSE', `${site.system} ${site.operation}: ${reason}`, {
    ...site,
    reason,
    cause,
    payload,
  });
}

/**
 * Validates what a system sent against the adapter's schema; a mismatch names the field, the expectation and what came.
 * An answer the schema's compiled check accepts is used as it came (compiled-check.ts); any other is zod's to judge.
 */
export function validate<T>(site: CallSite, schema: ZodType<T>, value: unknown): T {
  if (compiledCheckOf(schema)?.(value)) return value as T;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(the whole payload)';
    return `field ${path}: ${issue.message}${describeReceived(value, issue.path)}`;
  });
  const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
  throw badResponse(site, `unexpected payload: ${issues.join('; ')}${more}`, undefined, value);
}

function describeReceived(root: unknown, path: readonly PropertyKey[]): string {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  if (value === undefined) return ', but it was missing';
  const text = JSON.stringify(value) ?? String(value);
  return `, but got ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

/** Parses a JSON body; a malformed one is a bad response, not a crash. */
export function parseJson(site: CallSite, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badResponse(site, `malformed JSON (${text.length} bytes, starts ${JSON.stringify(text.slice(0, 24))})`, error, text.slice(0, 2_000));
  }
}

/**
 * Waits for a promise several calls share (a token being fetched, a login in flight), but lets this caller stop
 * waiting when its own signal aborts; the shared work goes on for the others. A failure that is not already one of our
 * errors is translated as a transport failure of this call.
 */
export function waitUnlessAborted<T>(promise: Promise<T>, site: CallSite, signal?: AbortSignal): Promise<T> {
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
        reject(error instanceof IntegrationError ? error : errorFromTransport(site, error, signal));
      },
    );
  });
}
