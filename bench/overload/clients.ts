import { Pool } from 'undici';
import { percentile } from '../kit/stats';

/** What many clients, each sending one request after another, saw. */
export interface ClientsResult {
  readonly seconds: number;
  readonly sent: number;
  /** Answers by HTTP status. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** 503 answers that carried Retry-After, and those that did not. */
  readonly shedWithRetryAfter: number;
  readonly shedWithoutRetryAfter: number;
  /** Error codes inside 200 answers (a system's field null with its error), and the codes of refusals. */
  readonly errorCodes: Readonly<Record<string, number>>;
  /** Requests that got no HTTP answer at all (reset, timeout). */
  readonly transportErrors: number;
  /** Latency of the requests served (HTTP 200), in ms. */
  readonly servedP50Ms: number;
  readonly servedP99Ms: number;
  readonly servedMaxMs: number;
  /** When the slowest served request was sent, in seconds from the start of the run. */
  readonly slowestSentAtSeconds: number;
  /** Latency of every answer, refusals included. */
  readonly allP99Ms: number;
  /** HTTP 200 answers per second over the run. */
  readonly servedPerSecond: number;
}

/**
 * `clients` clients, each sending the query, waiting for the whole answer, and sending it again, for `seconds`
 * (a closed loop, as 200 browsers would). Unlike autocannon it reads each answer's headers and body, so that a 503
 * without Retry-After, or a CIRCUIT_OPEN inside a 200, is counted.
 */
export async function runClients(options: { url: string; query: string; clients: number; seconds: number }): Promise<ClientsResult> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: options.clients, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const body = JSON.stringify({ query: options.query });
  const byStatus: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  const served: number[] = [];
  const all: number[] = [];
  let sent = 0;
  let withRetryAfter = 0;
  let withoutRetryAfter = 0;
  let transportErrors = 0;
  const slowest = { ms: 0, at: Number.NaN };
  const started = performance.now();
  const stopAt = started + options.seconds * 1_000;
  const client = async () => {
    while (performance.now() < stopAt) {
      const since = performance.now();
      sent += 1;
      try {
        const answer = await pool.request({ path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await answer.body.text();
        const ms = performance.now() - since;
        all.push(ms);
        byStatus[answer.statusCode] = (byStatus[answer.statusCode] ?? 0) + 1;
        if (answer.statusCode === 200) {
          served.push(ms);
          if (ms > slowest.ms) Object.assign(slowest, { ms, at: (since - started) / 1_000 });
        }
        if (answer.statusCode === 503) {
          if (answer.headers['retry-after']) withRetryAfter += 1;
          else withoutRetryAfter += 1;
        }
        for (const code of codesIn(text)) errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        // A refused client waits as it was told before it tries again (a second at most here, as the gateway says).
        if (answer.statusCode === 503) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Number(answer.headers['retry-after'] ?? 1) * 1_000)));
      } catch {
        transportErrors += 1;
        all.push(performance.now() - since);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  const seconds = (performance.now() - started) / 1_000;
  await pool.close();
  return {
    seconds,
    sent,
    byStatus,
    shedWithRetryAfter: withRetryAfter,
    shedWithoutRetryAfter: withoutRetryAfter,
    errorCodes,
    transportErrors,
    servedP50Ms: percentile(served, 50),
    servedP99Ms: percentile(served, 99),
    servedMaxMs: served.length ? slowest.ms : Number.NaN,
    slowestSentAtSeconds: slowest.at,
    allP99Ms: percentile(all, 99),
    servedPerSecond: served.length / seconds,
  };
}

function codesIn(text: string): string[] {
  if (!text.includes('"errors"')) return [];
  try {
    const parsed = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }> };
    return (parsed.errors ?? []).map((error) => error.extensions?.code ?? 'NO_CODE');
  } catch {
    return ['NOT_JSON'];
  }
}
