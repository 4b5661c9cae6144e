import { Agent, request } from 'undici';

/** A subgraph's HTTP answer, read whole. */
export interface SubgraphReply {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/** How the gateway reaches its subgraphs over HTTP. Internal to src/gateway. */
export interface SubgraphFetcher {
  post(url: string, body: string, headers: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<SubgraphReply>;
  close(): Promise<void>;
}

/**
 * One keep-alive undici pool per subgraph origin. Apollo's default (make-fetch-happen) builds a cache-aware request
 * pipeline for every subgraph call, and RemoteGraphQLDataSource a fetch Request and Headers on top; the gateway needs
 * none of it: subgraph answers are never cached here and never retried (a fetch is not known to be safe to repeat).
 */
export function createSubgraphFetcher(options: { connectionsPerOrigin?: number } = {}): SubgraphFetcher {
  const agent = new Agent({ connections: options.connectionsPerOrigin ?? 128, keepAliveTimeout: 30_000, pipelining: 1 });
  return {
    async post(url, body, headers, signal) {
      const response = await request(url, { dispatcher: agent, method: 'POST', headers, body, ...(signal ? { signal } : {}) });
      const contentType = response.headers['content-type'];
      return { status: response.statusCode, contentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? '', text: await response.body.text() };
    },
    close: () => agent.close(),
  };
}
