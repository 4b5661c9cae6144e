import type { ZodType } from 'zod';
import { createHttpClient, badResponse, validate, type CallSite, type HttpClient } from '../../kit/adapter';
import { errorFromMessages } from './errors';
import { buildXml, parseXml } from './xml';

/** Internal to the courier-a adapter: Canada Post's REST services, XML over HTTPS with HTTP Basic. */

export interface CanadaPostClient extends AsyncDisposable {
  /** GETs a document; `null` when Canada Post answers 404 and `orNull` says that means "none". */
  get<T>(site: CallSite, path: string, mediaType: string, schema: ZodType<T>, signal: AbortSignal | undefined, orNull: true): Promise<T | null>;
  get<T>(site: CallSite, path: string, mediaType: string, schema: ZodType<T>, signal: AbortSignal | undefined): Promise<T>;
  /** POSTs a document of `mediaType` and reads the answer. */
  post<T>(site: CallSite, path: string, mediaType: string, document: Record<string, unknown>, schema: ZodType<T>, signal: AbortSignal | undefined): Promise<T>;
  /** DELETEs a resource: `'deleted'`, or `'gone'` when Canada Post no longer has it (404). */
  delete(site: CallSite, path: string, mediaType: string, signal: AbortSignal | undefined): Promise<'deleted' | 'gone'>;
  /** The path below our base URL of a link Canada Post gave; a link elsewhere is a bad response, never followed. */
  pathOfLink(site: CallSite, href: string): string;
  close(): Promise<void>;
}

/** Statuses whose `<messages>` are worth reading; 429 and 5xx are left to the HTTP kit (Retry-After, health). */
const MESSAGE_STATUSES = [400, 401, 403, 404, 406, 409, 415, 422] as const;

export function createCanadaPostClient(options: {
  system: string;
  baseUrl: string;
  username: string;
  password: string;
  tls?: { ca?: string | Buffer } | undefined;
  maxResponseBytes?: number | undefined;
}): CanadaPostClient {
  const http: HttpClient = createHttpClient({
    system: options.system,
    baseUrl: options.baseUrl,
    ...(options.tls?.ca ? { tls: { ca: options.tls.ca } } : {}),
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  // Fundamentals: every request carries the API key as HTTP Basic, and an Accept naming the service's version.
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/$/, '');

  const send = async (
    site: CallSite,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    mediaType: string,
    signal: AbortSignal | undefined,
    document?: Record<string, unknown>,
  ): Promise<{ status: number; answer: unknown }> => {
    const response = await http.request({
      operation: site.operation,
      method,
      path,
      headers: {
        authorization,
        accept: mediaType,
        'accept-language': 'en-CA',
        ...(document ? { 'content-type': mediaType } : {}),
      },
      ...(document ? { body: buildXml(site, document) } : {}),
      signal,
      accept: MESSAGE_STATUSES,
    });
    const answer = response.text.trim() === '' ? undefined : parseXml(site, response.text);
    return { status: response.status, answer };
  };

  async function get<T>(site: CallSite, path: string, mediaType: string, schema: ZodType<T>, signal: AbortSignal | undefined, orNull?: true): Promise<T | null> {
    const { status, answer } = await send(site, 'GET', path, mediaType, signal);
    if (status === 404 && orNull) return null;
    if (status < 200 || status >= 300) throw errorFromMessages(site, status, answer);
    return validate(site, schema, answer);
  }

  return {
    get: get as CanadaPostClient['get'],
    async post(site, path, mediaType, document, schema, signal) {
      const { status, answer } = await send(site, 'POST', path, mediaType, signal, document);
      if (status < 200 || status >= 300) throw errorFromMessages(site, status, answer);
      return validate(site, schema, answer);
    },
    async delete(site, path, mediaType, signal) {
      const { status, answer } = await send(site, 'DELETE', path, mediaType, signal);
      if (status === 404) return 'gone';
      if (status < 200 || status >= 300) throw errorFromMessages(site, status, answer);
      return 'deleted';
    },
    pathOfLink(site, href) {
      let url: URL;
      try {
        url = new URL(href);
      } catch {
        throw badResponse(site, `a link that is not a URL: ${href.slice(0, 200)}`);
      }
      if (url.origin !== base.origin || !url.pathname.startsWith(`${prefix}/`)) {
        throw badResponse(site, `a link outside ${options.baseUrl}, not followed: ${href.slice(0, 200)}`);
      }
      return `${url.pathname.slice(prefix.length)}${url.search}`;
    },
    close: http.close,
    [Symbol.asyncDispose]: http.close,
  };
}
