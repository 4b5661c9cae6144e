import type { ZodType } from 'zod';
import { createHttpClient, validate, type CallSite, type HttpClient } from '../../kit/adapter';
import { errorFromFault } from './errors';
import { buildXml, parseXml } from './xml';

/** Internal to the courier-a adapter: XML over mutual TLS. */

export interface CourierAClient extends AsyncDisposable {
  /** Posts an XML document and answers the validated answer; faults become integration errors. */
  post<T>(
    site: CallSite,
    path: string,
    document: Record<string, unknown>,
    schema: ZodType<T>,
    signal: AbortSignal | undefined,
  ): Promise<T>;
  close(): Promise<void>;
}

/** Statuses that carry a `<Fault>` worth reading; 429 and 5xx are left to the HTTP kit (Retry-After, health). */
const FAULT_STATUSES = [400, 401, 403, 404, 409, 415, 422] as const;

export function createCourierAClient(options: {
  system: string;
  baseUrl: string;
  tls: { ca: string | Buffer; cert: string | Buffer; key: string | Buffer };
  maxResponseBytes?: number | undefined;
}): CourierAClient {
  const http: HttpClient = createHttpClient({
    system: options.system,
    baseUrl: options.baseUrl,
    tls: options.tls,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  const post = async <T>(
    site: CallSite,
    path: string,
    document: Record<string, unknown>,
    schema: ZodType<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> => {
    const response = await http.request({
      operation: site.operation,
      method: 'POST',
      path,
      headers: { 'content-type': 'application/xml; charset=utf-8', accept: 'application/xml' },
      body: buildXml(site, document),
      signal,
      accept: FAULT_STATUSES,
    });
    const answer = parseXml(site, response.text);
    if (response.status < 200 || response.status >= 300) throw errorFromFault(site, response.status, answer);
    return validate(site, schema, answer);
  };
  return { post, close: http.close, [Symbol.asyncDispose]: http.close };
}
