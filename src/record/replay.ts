import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedactionRules } from '../systems/kit/define-system';
import { queryOf, redactBody, type Cassette, type CassetteEntry } from './cassette';

export interface ReplayOptions {
  /** The path prefix of the base URL the cassette was recorded below (a versioned root such as `/api/2.0`). @default '' */
  readonly prefix?: string;
  /** The rules the cassette was redacted with, so that a request body is compared redacted as the recorded one. @default none */
  readonly rules?: readonly RedactionRules[];
  /** @default '127.0.0.1' */
  readonly host?: string;
}

/** A small local server that answers as the system did in a cassette (contract tests point an adapter at it). */
export interface ReplayServer extends AsyncDisposable {
  /** Its base URL (prefix included): the connection's `baseUrl`. */
  readonly url: string;
  /** Requests it had no recorded answer for (`METHOD path?query`), in order: a test expects none. */
  unmatched(): readonly string[];
  /** Recorded answers never asked for. */
  unused(): readonly CassetteEntry[];
  close(): Promise<void>;
}

const keyOf = (method: string, path: string, query: Readonly<Record<string, unknown>>): string =>
  `${method.toUpperCase()} ${path}?${JSON.stringify(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;

/**
 * Serves a cassette: a request is answered by the first unused recorded exchange with its method, path and query
 * (its redacted body equal, when one such exchange has it; else the next in recorded order), as the system answered
 * then: status, kept headers, body. Once every matching exchange was used, the last one answers again (a read asked
 * again). A request with no recorded exchange gets 404 and is listed by {@link ReplayServer.unmatched}.
 */
export async function startReplayServer(cassette: Cassette, options: ReplayOptions = {}): Promise<ReplayServer> {
  const prefix = (options.prefix ?? '').replace(/\/$/, '');
  const rules = options.rules ?? [];
  const byKey = new Map<string, CassetteEntry[]>();
  for (const entry of cassette.entries) {
    const key = keyOf(entry.method, entry.path, entry.query);
    byKey.set(key, [...(byKey.get(key) ?? []), entry]);
  }
  const used = new Set<CassetteEntry>();
  const unmatched: string[] = [];

  const answer = (request: IncomingMessage, body: string, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://replay');
    const path = prefix && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : url.pathname;
    const candidates = byKey.get(keyOf(request.method ?? 'GET', path, queryOf(url.search, rules))) ?? [];
    const fresh = candidates.filter((entry) => !used.has(entry));
    const redacted = body === '' ? undefined : redactBody(body, rules);
    const entry = fresh.find((candidate) => candidate.requestBody === redacted) ?? fresh[0] ?? candidates.at(-1);
    if (!entry) {
      unmatched.push(`${request.method} ${url.pathname}${url.search}`);
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'no recorded answer for this request in the cassette' }));
      return;
    }
    used.add(entry);
    response.writeHead(entry.status, { ...entry.headers, 'content-length': Buffer.byteLength(entry.body) }).end(entry.body);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://${host}:${port}${prefix}`,
    unmatched: () => unmatched,
    unused: () => cassette.entries.filter((entry) => !used.has(entry)),
    close,
    [Symbol.asyncDispose]: close,
  };
}
