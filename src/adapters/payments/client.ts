import { AsyncLocalStorage } from 'node:async_hooks';
import Stripe from 'stripe';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Transport and auth for the payment gateway: the official `stripe` SDK, pointed at the configured host, sending
 * its requests through an undici keep-alive pool that this adapter owns (and closes). Internal to the adapter.
 */

export interface StripeClientOptions {
  readonly baseUrl: string;
  readonly secretKey: string;
  readonly timeoutMs: number;
}

export interface StripeClient extends AsyncDisposable {
  readonly stripe: Stripe;
  /**
   * Runs SDK calls so that every HTTP request they make is aborted when `signal` is. The SDK's RequestOptions take
   * no AbortSignal (only a timeout), so the signal reaches our fetch function through async context instead.
   */
  withSignal<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T>;
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
  const callerSignal = new AsyncLocalStorage<AbortSignal>();
  const fetchWithCallerSignal = (input: Parameters<typeof undiciFetch>[0], init: Parameters<typeof undiciFetch>[1] = {}) => {
    const caller = callerSignal.getStore();
    const own = init.signal ?? undefined;
    const signal = caller && own ? AbortSignal.any([own, caller]) : (caller ?? own);
    return undiciFetch(input, { ...init, dispatcher, ...(signal ? { signal } : {}) });
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
    withSignal: (signal, run) => (signal ? callerSignal.run(signal, run) : run()),
    close,
    [Symbol.asyncDispose]: close,
  };
}
