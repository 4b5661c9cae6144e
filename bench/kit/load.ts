import autocannon from 'autocannon';
import { median, percentile } from './stats';

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
 * The benchmark's request for autocannon. `unique`: every request its own bearer token, as real frontends send (so that
 * no gateway can answer one request for many); `identical`: the same token on every request.
 */
function autocannonOptions(options: Omit<LoadOptions, 'seconds'>, seconds: number): Parameters<typeof autocannon>[0] {
  const headers = { 'content-type': 'application/json', authorization: 'Bearer bench-identical' };
  return {
    url: options.url,
    connections: options.connections,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: options.query }),
        ...(options.headers === 'unique'
          ? { setupRequest: (request) => ({ ...request, headers: { ...headers, authorization: `Bearer bench-${process.pid}-${(sequence += 1)}` } }) }
          : {}),
      },
    ],
  };
}

/** Fixed concurrency for a fixed time (see autocannonOptions for the tokens). */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon(autocannonOptions(options, options.seconds));
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

export interface SteadyOptions extends Omit<LoadOptions, 'seconds'> {
  /** Load before the window opens, so that it opens on a target already busy. */
  readonly warmupSeconds: number;
  /** How long the window stays open. */
  readonly seconds: number;
}

/**
 * One unbroken load, measured over a window in its middle: `edge` is called when the window opens and when it closes
 * (to read the target's CPU clock, say), and only the answers that arrive in between are counted. Both edges fall while the
 * target is busy, so the work of requests in flight across an edge is counted at one edge and not at the other; a
 * load that starts and stops at the window's edges instead leaves requests the load generator gave up on (it drops
 * its connections at the end, and the target still serves them) to be served, unseen, at the start of the next.
 */
export async function loadSteady<Edge>(options: SteadyOptions, edge: (edge: 'open' | 'close') => Promise<Edge>): Promise<{ result: LoadResult; opened: Edge; closed: Edge }> {
  let open = false;
  let answered = 0;
  let failures = 0;
  const latencies: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  // Stopped by hand once the window has closed.
  const tracker = autocannon(autocannonOptions(options, options.warmupSeconds + options.seconds + 60), () => done());
  tracker.on('response', (_client, status, _bytes, ms) => {
    if (!open) return;
    if (status >= 200 && status < 300) {
      answered += 1;
      latencies.push(ms);
    } else failures += 1;
  });
  tracker.on('reqError', () => {
    if (open) failures += 1;
  });
  const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  try {
    await sleep(options.warmupSeconds);
    const opened = await edge('open');
    open = true;
    const since = performance.now();
    await sleep(options.seconds);
    const closed = await edge('close');
    open = false;
    const seconds = (performance.now() - since) / 1_000;
    return { result: { requests: answered, seconds, rps: answered / seconds, p50Ms: median(latencies), p99Ms: percentile(latencies, 99), failures }, opened, closed };
  } finally {
    tracker.stop();
    await finished;
  }
}
