import autocannon from 'autocannon';

/** How each request carries its Authorization header. */
export type HeaderMode = 'unique' | 'identical';

export interface LoadOptions {
  readonly url: string;
  readonly query: string;
  readonly connections: number;
  readonly seconds: number;
  readonly headers: HeaderMode;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers: any makes the figure suspect. */
  readonly failures: number;
}

let sequence = 0;

/**
 * Fixed concurrency for a fixed time. `unique`: every request its own bearer token, as real frontends send (so that
 * no gateway can answer one request for many); `identical`: the same token on every request.
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const body = JSON.stringify({ query: options.query });
  const headers = { 'content-type': 'application/json', authorization: 'Bearer bench-identical' };
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers,
        body,
        ...(options.headers === 'unique'
          ? { setupRequest: (request) => ({ ...request, headers: { ...headers, authorization: `Bearer bench-${process.pid}-${(sequence += 1)}` } }) }
          : {}),
      },
    ],
  });
  const requests = result['2xx'];
  return {
    requests,
    seconds: result.duration,
    rps: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
