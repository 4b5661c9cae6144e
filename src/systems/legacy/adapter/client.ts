import type { ZodType } from 'zod';
import { createHttpClient, parseJson, validate, type CallSite } from '../../kit/adapter';
import { WC_API_BASE } from '../woocommerce/schemas';
import { errorFromWoo } from './errors';

export interface WooClientOptions {
  readonly system: string;
  /** The shop's URL; the REST API answers below it, at /wp-json/wc/v3. */
  readonly baseUrl: string;
  /** The REST API key's consumer key (`ck_…`) and consumer secret (`cs_…`). */
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly maxResponseBytes?: number | undefined;
}

export interface WooCall<A> {
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Below /wp-json/wc/v3, e.g. `/customers` or `/orders/5001`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** A JSON body (POST, PUT). */
  readonly body?: unknown;
  /** The schema of a successful answer. */
  readonly answer: ZodType<A>;
  readonly signal?: AbortSignal | undefined;
}

/** An answer, with what a collection's headers say of its pages. */
export interface WooAnswer<A> {
  readonly data: A;
  /** `X-WP-Total`: how many match, over all pages. */
  readonly total?: number;
  /** Whether `Link` names a `rel="next"` page. */
  readonly hasNext: boolean;
}

/** Statuses whose WordPress error body is read for its code and message (429 and 5xx the kit turns into errors). */
const READ_ERROR_STATUSES = [400, 401, 403, 404, 409];

/**
 * WooCommerce's REST API over HTTPS: the REST API key as HTTP Basic credentials (WC_REST_Authentication; the query
 * string form would put the secret in every URL and log line), JSON both ways, WordPress's `{ code, message, data }`
 * errors read into our closed set, and the pagination headers (`X-WP-Total`, `Link: <…>; rel="next"`).
 */
export function createWooClient(options: WooClientOptions) {
  const http = createHttpClient({
    system: options.system,
    baseUrl: options.baseUrl,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  const authorization = `Basic ${Buffer.from(`${options.consumerKey}:${options.consumerSecret}`, 'utf8').toString('base64')}`;

  const call = async <A>(request: WooCall<A>): Promise<WooAnswer<A>> => {
    const site: CallSite = { system: options.system, operation: request.operation };
    const query = request.query ? `?${new URLSearchParams(request.query).toString()}` : '';
    const response = await http.request({
      operation: request.operation,
      method: request.method,
      path: `${WC_API_BASE}${request.path}${query}`,
      headers: {
        authorization,
        accept: 'application/json',
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      signal: request.signal,
      accept: READ_ERROR_STATUSES,
    });
    const body = parseJson(site, response.text);
    if (response.status >= 400) throw errorFromWoo(site, response.status, body);
    const header = (name: string): string => {
      const value = response.headers[name];
      return Array.isArray(value) ? value.join(', ') : (value ?? '');
    };
    const total = header('x-wp-total');
    return {
      data: validate(site, request.answer, body),
      ...(/^\d+$/.test(total) ? { total: Number(total) } : {}),
      hasNext: /rel="?next"?/.test(header('link')),
    };
  };

  return { call, close: () => http.close() };
}

export type WooClient = ReturnType<typeof createWooClient>;
