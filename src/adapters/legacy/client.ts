import type { ZodType } from 'zod';
import { createHttpClient, parseJson, validate, type CallSite } from '../kit';
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

/** HTTP Basic auth and the shop's envelope: ok 1 -> validated rows; ok 0 -> an IntegrationError. */
export function createLegacyClient(options: LegacyClientOptions) {
  const http = createHttpClient({
    system: options.system,
    baseUrl: options.baseUrl,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;

  return {
    async lookup<T>(call: LegacyLookup<T>): Promise<T[]> {
      const site: CallSite = { system: options.system, operation: call.operation };
      const query = new URLSearchParams({ [call.param]: call.keys.join(',') });
      const response = await http.request({
        operation: call.operation,
        method: 'GET',
        path: `/api/legacy/${call.script}?${query.toString()}`,
        headers: { authorization, accept: 'application/json' },
        signal: call.signal,
        // The shop reports a crash as a 500 with its envelope; read it for the message.
        accept: [500],
      });
      const body = parseJson(site, response.text);
      if (validate(site, outcomeSchema, body).ok === 0 || response.status === 500) {
        const failure = failureSchema.safeParse(body);
        throw errorFromLegacy(site, response.status, failure.success ? failure.data.err : 'DB: answered HTTP 500');
      }
      return validate(site, call.answer, body).rows;
    },
    close: () => http.close(),
  };
}
