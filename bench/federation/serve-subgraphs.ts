import { createServer, type IncomingMessage, type Server } from 'node:http';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { BENCH_SUBGRAPH_NAMES, createBenchSubgraphs, type BenchSubgraphName } from './subgraphs';

/** Requests the subgraphs received, and how many carried an Authorization header (the gateways must forward it). */
export interface SubgraphTraffic {
  requests: number;
  withAuthorization: number;
  /** Entity representations received, in all (a gateway that folds duplicates sends fewer). */
  representations: number;
}

export interface RunningBenchSubgraphs {
  /** http://127.0.0.1:<port>; each subgraph answers at `${origin}/<name>`. */
  readonly origin: string;
  readonly traffic: SubgraphTraffic;
  close(): Promise<void>;
}

/**
 * Serves the four subgraphs on one port, at /accounts, /inventory, /products and /reviews, on bare node:http with
 * each operation parsed and validated once: the subgraphs must cost as little as possible, so that the figures
 * measure the gateways and not them.
 */
export async function serveBenchSubgraphs(port = 0): Promise<RunningBenchSubgraphs> {
  const subgraphs = createBenchSubgraphs();
  const traffic: SubgraphTraffic = { requests: 0, withAuthorization: 0, representations: 0 };
  const documents = new Map<string, DocumentNode | Error>();

  const documentOf = (schema: GraphQLSchema, name: BenchSubgraphName, query: string): DocumentNode | Error => {
    const key = `${name}\n${query}`;
    let found = documents.get(key);
    if (!found) {
      try {
        const document = parse(query);
        const errors = validate(schema, document);
        found = errors.length ? new Error(errors.map((error) => error.message).join('; ')) : document;
      } catch (error) {
        found = error as Error;
      }
      if (documents.size > 1_000) documents.clear();
      documents.set(key, found);
    }
    return found;
  };

  const server: Server = createServer((request, response) => {
    const name = request.url?.slice(1) as BenchSubgraphName;
    const subgraph = BENCH_SUBGRAPH_NAMES.includes(name) ? subgraphs[name] : undefined;
    if (!subgraph || request.method !== 'POST') {
      response.writeHead(404).end();
      return;
    }
    traffic.requests += 1;
    if (request.headers.authorization) traffic.withAuthorization += 1;
    readBody(request).then(async (body) => {
      const { query, variables, operationName } = JSON.parse(body) as { query: string; variables?: Record<string, unknown>; operationName?: string };
      const representations = variables?.['representations'];
      if (Array.isArray(representations)) traffic.representations += representations.length;
      const document = documentOf(subgraph.schema, name, query);
      const result =
        document instanceof Error
          ? { errors: [{ message: document.message }] }
          : await execute({ schema: subgraph.schema, document, variableValues: variables, operationName, contextValue: {} });
      const payload = JSON.stringify(result);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }).end(payload);
    }).catch((error: unknown) => {
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  return {
    origin,
    traffic,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
