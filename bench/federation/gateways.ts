import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

/** The gateways compared, and the direct subgraph (the ceiling: a "gateway" that costs nothing). */
export const TARGETS = ['direct', 'apollo', 'hive', 'ours'] as const;
export type Target = (typeof TARGETS)[number];

export const TARGET_TITLES: Record<Target, string> = {
  direct: 'direct subgraph (ceiling)',
  apollo: 'bare Apollo Gateway',
  hive: 'Hive Gateway',
  ours: 'Plugboard',
};

/**
 * The Node flags a target's process starts with: ours gets the ones `npm run gateway` gives the gateway (its heap
 * policy, read from package.json so that the benchmark measures what the product runs); the others, Node's defaults.
 */
export function nodeFlagsOf(target: Target): string[] {
  if (target !== 'ours') return [];
  const scripts = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const flags = (scripts.gateway ?? '').split(' ').filter((word) => word.startsWith('--'));
  // `${NAME:-default}` as the shell expands it.
  return flags.map((flag) => flag.replace(/\$\{(\w+):-([^}]*)\}/g, (_, name: string, fallback: string) => process.env[name] ?? fallback));
}

export interface RunningTarget {
  /** The GraphQL endpoint to load. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts one target on a free port of 127.0.0.1, over the supergraph given. */
export async function startTarget(target: Target, supergraphSdl: string): Promise<RunningTarget> {
  switch (target) {
    case 'direct':
      return startDirect();
    case 'apollo':
      return startBareApollo(supergraphSdl);
    case 'hive':
      return startHive(supergraphSdl);
    case 'ours':
      return startOurs(supergraphSdl);
    default: {
      const unreachable: never = target;
      throw new Error(`unknown target ${String(unreachable)}`);
    }
  }
}

/** The products subgraph served by this process: the one-fetch query's answer with no gateway in front. */
async function startDirect(): Promise<RunningTarget> {
  // Loaded only in the process that runs this target, so that no target's RSS holds another's modules.
  const { serveBenchSubgraphs } = require('./serve-subgraphs') as typeof import('./serve-subgraphs');
  const running = await serveBenchSubgraphs();
  return { url: `${running.origin}/products`, close: running.close };
}

/**
 * Apollo Gateway as its documentation sets it up: ApolloServer + ApolloGateway, standalone server, no plugins. The
 * one addition every gateway here gets: the client's Authorization header is forwarded to the subgraphs.
 */
async function startBareApollo(supergraphSdl: string): Promise<RunningTarget> {
  const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  type Context = { authorization?: string };
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<Context>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }: { req: IncomingMessage }) => ({ authorization: req.headers.authorization }),
  });
  return { url: url.replace('localhost', '127.0.0.1'), close: () => server.stop() };
}

/**
 * Hive Gateway's runtime on node:http, as its documentation shows for programmatic use, with its defaults (inbound
 * de-duplication is off by default) and nothing reported anywhere: no `reporting` is configured, so no usage leaves
 * the process; the landing page and GraphiQL are off.
 */
async function startHive(supergraphSdl: string): Promise<RunningTarget> {
  const { createGatewayRuntime } = await import('@graphql-hive/gateway-runtime');
  const runtime = createGatewayRuntime({
    supergraph: parse(supergraphSdl),
    logging: false,
    landingPage: false,
    graphiql: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => {
        const authorization = request.headers.get('authorization');
        return authorization ? { authorization } : {};
      },
    },
  });
  const server = createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.dispose();
    },
  };
}

/** Our gateway as the product serves it (serveGateway: fastify, error masking, header forwarding, stale notices). */
async function startOurs(supergraphSdl: string): Promise<RunningTarget> {
  const { serveGateway } = require('../../src/gateway/serve-gateway') as typeof import('../../src/gateway/serve-gateway');
  const { useFrontDoor } = require('../../src/gateway/front-door') as typeof import('../../src/gateway/front-door');
  const running = await serveGateway({ supergraphSdl, adminToken: randomBytes(24).toString('hex'), systems: [], frontDoor: useFrontDoor() });
  return { url: running.url, close: running.close };
}
