import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { Agent, request } from 'undici';

/** The fetch RemoteGraphQLDataSource takes (the type of @apollo/utils.fetcher, which we do not depend on directly). */
type Fetcher = NonNullable<NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher']>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/** How the gateway reaches its subgraphs. Internal to src/gateway. */
export interface SubgraphFetcher {
  readonly fetch: Fetcher;
  close(): Promise<void>;
}

/**
 * One keep-alive undici pool per subgraph origin, answering in the shape RemoteGraphQLDataSource reads. Apollo's
 * default (make-fetch-happen) builds a cache-aware request pipeline for every subgraph call; the gateway needs none
 * of it: subgraph answers are never cached here and never retried (a fetch is not known to be safe to repeat).
 */
export function createSubgraphFetcher(options: { connectionsPerOrigin?: number } = {}): SubgraphFetcher {
  const agent = new Agent({ connections: options.connectionsPerOrigin ?? 128, keepAliveTimeout: 30_000, pipelining: 1 });
  const fetch: Fetcher = async (url, init) => {
    const response = await request(url, {
      dispatcher: agent,
      method: (init?.method ?? 'POST') as 'POST',
      headers: init?.headers,
      body: init?.body,
      signal: init?.signal,
    });
    return answer(url, response.statusCode, response.headers, await response.body.text());
  };
  return { fetch, close: () => agent.close() };
}

function answer(url: string, status: number, rawHeaders: Record<string, string | string[] | undefined>, text: string): FetcherResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    else if (value !== undefined) headers.set(name, value);
  }
  const response: FetcherResponse = {
    bodyUsed: false,
    url,
    redirected: false,
    status,
    ok: status >= 200 && status < 300,
    statusText: '',
    headers,
    arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer,
    text: async () => text,
    json: async () => JSON.parse(text),
    clone: () => answer(url, status, rawHeaders, text),
  };
  return response;
}
