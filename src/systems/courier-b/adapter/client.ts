import type { ZodType } from 'zod';
import {
  badResponse,
  createHttpClient,
  parseJson,
  validate,
  type CallSite,
  type HttpRequest,
  type HttpResponse,
} from '../../kit/adapter';
import { errorFromBody } from './errors';

/** Internal to the courier-b adapter: JSON over HTTP(S) with ShipEngine's `API-Key` header. */

export type CourierBRequest = Pick<HttpRequest, 'method' | 'path' | 'signal'> & { readonly json?: unknown };

export interface CourierBClient extends AsyncDisposable {
  /** Sends a request and answers its validated JSON body. */
  json<T>(site: CallSite, request: CourierBRequest, schema: ZodType<T>): Promise<T>;
  /** Like {@link json}, but a 404 (ShipEngine has no such resource) answers null. */
  find<T>(site: CallSite, request: CourierBRequest, schema: ZodType<T>): Promise<T | null>;
  /** Sends a request whose answer carries nothing we read (a 204). */
  send(site: CallSite, request: CourierBRequest): Promise<void>;
  close(): Promise<void>;
}

/** Statuses that carry ShipEngine's error body worth reading; 429 and 5xx are left to the HTTP kit. */
const ERROR_STATUSES = [400, 401, 403, 404, 409, 422] as const;

export function createCourierBClient(options: { system: string; baseUrl: string; apiKey: string; maxResponseBytes?: number | undefined }): CourierBClient {
  const http = createHttpClient({
    system: options.system,
    baseUrl: options.baseUrl,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  const send = async (site: CallSite, request: CourierBRequest, missing?: 'missing-is-null'): Promise<HttpResponse | null> => {
    const response = await http.request({
      operation: site.operation,
      method: request.method,
      path: request.path,
      headers: {
        'api-key': options.apiKey,
        accept: 'application/json',
        ...(request.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal: request.signal,
      accept: ERROR_STATUSES,
    });
    if (response.status === 404 && missing) return null;
    if (response.status < 200 || response.status >= 300) throw errorFromBody(site, response.status, response.text);
    return response;
  };
  const json = async <T>(site: CallSite, request: CourierBRequest, schema: ZodType<T>, missing?: 'missing-is-null'): Promise<T | null> => {
    const response = await send(site, request, missing);
    if (response === null) return null;
    if (response.status === 204) throw badResponse(site, 'answered 204 without the body its contract promises');
    return validate(site, schema, parseJson(site, response.text));
  };
  return {
    json: async (site, request, schema) => (await json(site, request, schema))!,
    find: (site, request, schema) => json(site, request, schema, 'missing-is-null'),
    async send(site, request) {
      await send(site, request);
    },
    close: http.close,
    [Symbol.asyncDispose]: http.close,
  };
}
