import Stripe from 'stripe';
import { Agent, Headers, Response } from 'undici';
import { collectAnswer, DEFAULT_MAX_RESPONSE_BYTES, trafficObserverOfBuild, type TrafficObserver, type WholeAnswer } from '../../kit/adapter';
import { requestScoped } from '../../../resilience/request-scope';

/**
 * Transport and auth for the payment gateway: the official `stripe` SDK, pointed at the configured host, sending
 * its requests through an undici keep-alive pool that this adapter owns (and closes). Its answers are told to the adapter
 * kit's traffic observer (the autopilot: contract drift, the vendor's rate-limit headers; `npm run record`), as every
 * kit client's are. Internal to the adapter.
 */

export interface StripeClientOptions {
  readonly baseUrl: string;
  readonly secretKey: string;
  readonly timeoutMs: number;
  /** Largest answer accepted, in bytes. @default 5 MiB */
  readonly maxResponseBytes?: number | undefined;
  /** The system's name, for the traffic observer. @default 'payments' */
  readonly system?: string;
  /**
   * Told about every answer (the maintenance autopilot). @default the observer of the build this client is made in
   * (the kit's withTrafficObserver), if any
   */
  readonly observer?: TrafficObserver;
}

export interface StripeClient extends AsyncDisposable {
  readonly stripe: Stripe;
  /**
   * Runs SDK calls so that every HTTP request they make is aborted when `signal` is. The SDK's RequestOptions take
   * no AbortSignal (only a timeout), so the signal reaches our fetch function through async context instead; so does
   * the adapter's `operation`, which the traffic observer is told.
   */
  withSignal<T>(signal: AbortSignal | undefined, run: () => Promise<T>, operation?: string): Promise<T>;
  close(): Promise<void>;
}

export function createStripeClient(options: StripeClientOptions): StripeClient {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new RangeError(`payments adapter: baseUrl must be http(s), got ${options.baseUrl}`);
  }
  if (base.pathname !== '/' || base.search) {
    // The SDK addresses /v1/... at the host root; a path prefix would be silently dropped.
    throw new RangeError(`payments adapter: baseUrl must be a host root (no path), got ${options.baseUrl}`);
  }
  const protocol = base.protocol === 'https:' ? 'https' : 'http';
  const port = base.port || (protocol === 'https' ? '443' : '80');

  const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 10_000 });
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const system = options.system ?? 'payments';
  const observer = options.observer ?? trafficObserverOfBuild();
  // The caller's signal and operation reach the SDK's fetch through the request's async context: the one the
  // request-scoped values share, since each AsyncLocalStorage entered taxes every promise the process makes.
  const callerCall = requestScoped<{ readonly signal?: AbortSignal | undefined; readonly operation?: string | undefined }>('payments call');
  /**
   * The SDK's fetch: the request goes out through our pool and its answer is read whole, within the cap, straight from
   * undici's dispatcher (the SDK reads every body whole anyway: fetch's Request, its web streams and a stream to count
   * the cap would only be read to their end), told to the observer, and handed to the SDK as a Response. Failures
   * reject as fetch's do: the signal's reason when it aborts, a TypeError whose cause is the transport's error.
   */
  const fetchWithCallerSignal = async (input: string | URL, init: FetchInit = {}): Promise<Response> => {
    const call = callerCall.get();
    const caller = call?.signal;
    const own = init.signal ?? undefined;
    const signal = caller && own ? AbortSignal.any([own, caller]) : (caller ?? own);
    const url = new URL(input);
    const method = (init.method ?? 'GET').toUpperCase();
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') throw new TypeError('the payments client sends string bodies only');
    const path = `${url.pathname}${url.search}`;
    let answer: WholeAnswer;
    try {
      answer = await collectAnswer(
        dispatcher,
        { origin: url.origin, path, method, headers: headerRecord(init.headers), body: init.body ?? undefined, signal },
        limit,
        (declared) => new ResponseTooLarge(limit, declared),
      );
    } catch (error) {
      if (signal?.aborted || error instanceof ResponseTooLarge) throw error;
      throw new TypeError('fetch failed', { cause: error });
    }
    observer?.onAnswer({
      system,
      operation: call?.operation ?? 'request',
      method,
      path,
      status: answer.status,
      headers: answer.headers,
      text: answer.text,
      ...(typeof init.body === 'string' ? { requestBody: init.body } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const each of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, each);
    }
    // A 204 or 304 carries no body, and a Response refuses one for them.
    const body = NULL_BODY_STATUSES.includes(answer.status) ? null : answer.text;
    return new Response(body, { status: answer.status, statusText: answer.statusText, headers });
  };

  const stripe = new Stripe(options.secretKey, {
    host: base.hostname,
    port,
    protocol,
    // Retrying is the resilience layer's decision (reads retried, writes queued with their idempotency key), not
    // the SDK's: with retries here a failure would be retried twice over and take longer than the caller's budget.
    // The SDK also retries a reset connection once even at 0; errors from the fetch client carry no such code, so
    // that hidden retry never happens here either.
    maxNetworkRetries: 0,
    timeout: options.timeoutMs,
    // No telemetry: it would write a telemetry id under the user's home directory and send request metrics.
    telemetry: false,
    httpClient: Stripe.createFetchHttpClient(fetchWithCallerSignal as unknown as typeof fetch),
  });

  const close = async (): Promise<void> => {
    await dispatcher.close();
  };
  return {
    stripe,
    withSignal: (signal, run, operation) => (signal || (observer && operation) ? callerCall.run({ signal, operation }, run) : run()),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** An answer over the cap, refused unread: errors.ts turns it into UPSTREAM_BAD_RESPONSE naming the cap. */
export class ResponseTooLarge extends Error {
  override readonly name = 'ResponseTooLarge';

  constructor(
    readonly limit: number,
    readonly declared?: number,
  ) {
    super(declared === undefined ? `answer is over the ${limit}-byte cap` : `answer of ${declared} bytes is over the ${limit}-byte cap`);
  }
}

/** What the SDK's fetch client passes (FetchHttpClient.makeRequest: method, headers as pairs, a string body, a signal). */
interface FetchInit {
  readonly method?: string;
  readonly headers?: Iterable<readonly [string, string]> | Record<string, string>;
  readonly body?: unknown;
  readonly signal?: AbortSignal | null;
}

/** Statuses whose answer has no body (the Fetch standard's null body statuses). */
const NULL_BODY_STATUSES: readonly number[] = [101, 103, 204, 205, 304];

function headerRecord(headers: FetchInit['headers']): Record<string, string> {
  if (!headers) return {};
  const pairs = Symbol.iterator in headers ? headers : Object.entries(headers);
  const record: Record<string, string> = {};
  for (const [name, value] of pairs) record[name.toLowerCase()] = value;
  return record;
}
