import { AsyncLocalStorage } from 'node:async_hooks';
import Stripe from 'stripe';
import { Agent, Response, fetch as undiciFetch } from 'undici';
import { DEFAULT_MAX_RESPONSE_BYTES, trafficObserverOfBuild, type TrafficObserver } from '../../kit/adapter';

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
  const callerCall = new AsyncLocalStorage<{ readonly signal?: AbortSignal | undefined; readonly operation?: string | undefined }>();
  const fetchWithCallerSignal = (input: Parameters<typeof undiciFetch>[0], init: Parameters<typeof undiciFetch>[1] = {}) => {
    const call = callerCall.getStore();
    const caller = call?.signal;
    const own = init.signal ?? undefined;
    const signal = caller && own ? AbortSignal.any([own, caller]) : (caller ?? own);
    const answered = undiciFetch(input, { ...init, dispatcher, ...(signal ? { signal } : {}) }).then((response) => capped(response, limit));
    if (!observer) return answered;
    return answered.then(async (response) => {
      // The SDK reads the body whole anyway: read here (within the cap), told to the observer, handed on as it came.
      const text = await response.text();
      const url = new URL(typeof input === 'string' ? input : 'href' in input ? input.href : input.url);
      observer.onAnswer({
        system,
        operation: call?.operation ?? 'request',
        method: (init.method ?? 'GET').toUpperCase(),
        path: `${url.pathname}${url.search}`,
        status: response.status,
        headers: Object.fromEntries(response.headers),
        text,
        ...(typeof init.body === 'string' ? { requestBody: init.body } : {}),
      });
      return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
    });
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

/**
 * The answer with its body capped: one that says it is too large is refused before a byte is read; one that does not
 * say is cut off the moment it passes the cap (the SDK reads the body whole, so it never holds more than that).
 */
async function capped(response: Response, limit: number): Promise<Response> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLarge(limit, declared);
  }
  if (!response.body) return response;
  let seen = 0;
  // undici's own stream types differ from the DOM lib's in name only.
  const source = response.body as unknown as ReadableStream<Uint8Array>;
  const body = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) controller.error(new ResponseTooLarge(limit));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body as unknown as ConstructorParameters<typeof Response>[0], { status: response.status, statusText: response.statusText, headers: response.headers });
}
