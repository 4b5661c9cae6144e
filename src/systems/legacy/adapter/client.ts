import type { ZodType } from 'zod';
import { createHttpClient, parseJson, validate, type CallSite } from '../../kit/adapter';
import { errorFromLegacy } from './errors';
import { failureSchema, outcomeSchema } from './schema';

export interface LegacyClientOptions {
  readonly system: string;
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  readonly maxResponseBytes?: number | undefined;
}

export interface LegacyLookup<T> {
  readonly operation: string;
  /** The PHP script below /api/legacy/, e.g. "customers.php". */
  readonly script: string;
  /** The query parameter and the keys it carries, comma-separated as the shop wants them. */
  readonly param: string;
  readonly keys: readonly string[];
  /** The schema of a successful answer. */
  readonly answer: ZodType<{ rows: T[] }>;
  readonly signal?: AbortSignal;
}

export interface LegacyCall<A> {
  readonly operation: string;
  /** The PHP script below /api/legacy/, e.g. "customers.php". */
  readonly script: string;
  /** GET: the query string; POST: the form fields (the shop reads `$_POST`, form-encoded). */
  readonly method: 'GET' | 'POST';
  readonly params: Readonly<Record<string, string>>;
  /** The schema of a successful answer. */
  readonly answer: ZodType<A>;
  /** Sent as X-Request-Id: the shop only logs it (it has no idempotency of its own; its saves are upserts). */
  readonly requestId?: string;
  readonly signal?: AbortSignal;
}

/** HTTP Basic auth and the shop's envelope: ok 1 -> the validated answer; ok 0 -> an IntegrationError. */
export function createLegacyClient(options: LegacyClientOptions) {
  const http = createHttpClient({
    system: options.system,
    baseUrl: options.baseUrl,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;

  const call = async <A>(request: LegacyCall<A>): Promise<A> => {
    const site: CallSite = { system: options.system, operation: request.operation };
    const encoded = new URLSearchParams(request.params).toString();
    const response = await http.request({
      operation: request.operation,
      method: request.method,
      path: `/api/legacy/${request.script}${request.method === 'GET' ? `?${encoded}` : ''}`,
      headers: {
        authorization,
        accept: 'application/json',
        ...(request.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(request.requestId ? { 'x-request-id': request.requestId } : {}),
      },
      ...(request.method === 'POST' ? { body: encoded } : {}),
      signal: request.signal,
      // The shop reports a crash as a 500 with its envelope; read it for the message.
      accept: [500],
    });
    const body = parseJson(site, response.text);
    if (validate(site, outcomeSchema, body).ok === 0 || response.status === 500) {
      const failure = failureSchema.safeParse(body);
      throw errorFromLegacy(site, response.status, failure.success ? failure.data.err : 'DB: answered HTTP 500');
    }
    return validate(site, request.answer, body);
  };

  return {
    call,
    async lookup<T>(request: LegacyLookup<T>): Promise<T[]> {
      const answer = await call({
        operation: request.operation,
        script: request.script,
        method: 'GET',
        params: { [request.param]: request.keys.join(',') },
        answer: request.answer,
        signal: request.signal,
      });
      return answer.rows;
    },
    close: () => http.close(),
  };
}
