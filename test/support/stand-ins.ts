import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { useFrontDoor } from '../../src/gateway/front-door';
import { serveGateway, type RunningGateway } from '../../src/gateway/serve-gateway';
import { SUPERGRAPH_FILE } from '../../src/runtime/start-stack';

/** What a stand-in subgraph was sent. */
export interface StandInRequest {
  /** The path asked, e.g. "/store". */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The request's JSON body (the gateway's operation). */
  readonly body: Record<string, unknown>;
}

/** What a stand-in answers: a status, a content type and a body as sent on the wire. */
export interface StandInAnswer {
  readonly status?: number;
  readonly contentType?: string;
  readonly body: string;
}

export interface StandIn {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  /** Connections open to it now. */
  connections(): Promise<number>;
  close(): Promise<void>;
}

/** A stand-in for subgraphs on 127.0.0.1, answering each request as `answer` says (it may take its time). */
export async function serveStandIn(answer: (request: StandInRequest) => StandInAnswer | Promise<StandInAnswer>): Promise<StandIn> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      void Promise.resolve(answer({ url: request.url ?? '', headers: request.headers, body })).then(({ status, contentType, body: text }) => {
        response.writeHead(status ?? 200, { 'content-type': contentType ?? 'application/json' });
        response.end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Our gateway over the committed supergraph, with the subgraphs named reached at the URLs given (stand-ins). */
export async function gatewayOver(subgraphUrls: Readonly<Record<string, string>>, logger: Logger = pino({ level: 'silent' })): Promise<RunningGateway> {
  return serveGateway({
    supergraphSdl: await readFile(SUPERGRAPH_FILE, 'utf8'),
    subgraphUrls,
    adminToken: 'stand-in-gateway-admin-token-000',
    systems: [],
    frontDoor: useFrontDoor(),
    logger,
  });
}

/** Our gateway over one store stand-in that answers every fetch with the customer Ada Lovelace (cus-00001). */
export interface OneCustomerGateway {
  readonly gateway: RunningGateway;
  /** POSTs `query` to the gateway: the body as it came, and parsed. */
  ask(query: string): Promise<{ readonly text: string; readonly body: unknown }>;
  close(): Promise<void>;
}

export async function gatewayOverOneCustomer(): Promise<OneCustomerGateway> {
  const subgraph = await serveStandIn(() => ({ body: JSON.stringify({ data: { customer: { __typename: 'Customer', id: 'cus-00001', name: 'Ada Lovelace' } } }) }));
  const gateway = await gatewayOver({ store: `${subgraph.origin}/graphql` }).catch(async (error: unknown) => {
    await subgraph.close();
    throw error;
  });
  return {
    gateway,
    async ask(query) {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      const text = await response.text();
      return { text, body: JSON.parse(text) as unknown };
    },
    async close() {
      await gateway.close();
      await subgraph.close();
    },
  };
}

/** A pino logger whose lines land, parsed, in `lines`. */
export function capturingLogger(lines: Record<string, unknown>[]): Logger {
  return pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
}
