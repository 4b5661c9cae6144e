import { Agent } from 'undici';
import { signSubgraphRequest } from '../serve/subgraph-signature';

/** A subgraph's HTTP answer, read whole. */
export interface SubgraphReply {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/** How the gateway reaches its subgraphs over HTTP. Internal to src/gateway. */
export interface SubgraphFetcher {
  post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<SubgraphReply>;
  close(): Promise<void>;
}

export interface SubgraphFetcherOptions {
  /** @default 128 */
  readonly connectionsPerOrigin?: number;
  /**
   * The secret shared with the subgraphs (PLUGBOARD_SUBGRAPH_SECRET): every request is signed with it (HMAC-SHA256
   * over a timestamp and the body, see src/serve/subgraph-signature.ts). @default none: requests go unsigned
   */
  readonly secret?: string;
  /** The clock of the signatures. @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * One keep-alive undici pool per subgraph origin. Apollo's default (make-fetch-happen) builds a cache-aware request
 * pipeline for every subgraph call, and RemoteGraphQLDataSource a fetch Request and Headers on top; the gateway needs
 * none of it: subgraph answers are never cached here and never retried (a fetch is not known to be safe to repeat).
 * Each answer is collected straight from undici's dispatcher into one string: the gateway reads every answer whole, so
 * the stream that `request()` wraps around a body would only be read to its end.
 */
export function createSubgraphFetcher(options: SubgraphFetcherOptions = {}): SubgraphFetcher {
  const agent = new Agent({ connections: options.connectionsPerOrigin ?? 128, keepAliveTimeout: 30_000, pipelining: 1 });
  const targets = new Map<string, { origin: string; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      targets.set(url, target);
    }
    return target;
  };
  return {
    post(url, body, given) {
      const { origin, path } = targetOf(url);
      const headers = options.secret ? { ...given, ...signSubgraphRequest(options.secret, body, options.now?.()) } : given;
      return new Promise<SubgraphReply>((resolve, reject) => {
        let status = 0;
        let contentType = '';
        const chunks: Buffer[] = [];
        agent.dispatch(
          { origin, path, method: 'POST', headers, body },
          {
            onRequestStart: () => undefined,
            onResponseStart: (_controller, statusCode, responseHeaders) => {
              status = statusCode;
              const type = responseHeaders['content-type'];
              contentType = (Array.isArray(type) ? type[0] : type) ?? '';
            },
            onResponseData: (_controller, chunk) => void chunks.push(chunk),
            onResponseEnd: () => resolve({ status, contentType, text: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8') }),
            onResponseError: (_controller, error) => reject(error),
          },
        );
      });
    },
    close: () => agent.close(),
  };
}
