import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteHandlerMethod } from 'fastify';
import { REQUEST_ID_HEADER, requestIdFrom } from '../logging';
import { gracefulClose } from './graceful-close';
import { carriesSignature, SIGNATURE_MESSAGES, signatureProblem, type SignatureProblem } from './subgraph-signature';

/** How a subgraph listens for the gateway, and what it asks of every request. */
export interface SubgraphDoor {
  /** The secret the gateway signs with (PLUGBOARD_SUBGRAPH_SECRET). */
  readonly secret: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** PLUGBOARD_INTERNAL_HOST. @default '127.0.0.1' */
  readonly host?: string;
  /** Clock skew allowed with the gateway (PLUGBOARD_SUBGRAPH_SKEW_S). @default 30 */
  readonly skewSeconds?: number;
  /** The clock signatures are checked against. @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Reads closed (PLUGBOARD_READS=closed): whether the request's Authorization carries a valid bearer token; a
   * request without one is refused (UNAUTHENTICATED) before it runs. @default every request may run
   */
  readonly requireToken?: (authorization: string | undefined) => Promise<boolean>;
}

export interface OpenDoor {
  /** The fastify app the subgraph's Apollo Server drains with. */
  readonly app: FastifyInstance;
  /** Serves `handler` at /graphql behind the door; answers where it listens. */
  listen(handler: (request: never, reply: never) => unknown): Promise<{ readonly url: string; close(): Promise<void> }>;
}

/** A refusal in the documented shape: `{errors:[{message, extensions:{code, requestId}}]}`. */
const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string) =>
  reply.code(status).type('application/json').send({ errors: [{ message, extensions: { code, requestId: request.id } }] });

/** Requests whose body the gateway is proven to have signed. */
const signed = new WeakSet<FastifyRequest>();

/**
 * The door of a subgraph's port: it answers only the gateway. Every request to /graphql must be a POST signed by the
 * gateway (see subgraph-signature.ts): an unsigned one is refused before its body is read, a badly signed or stale
 * one before its body is parsed as JSON; neither reaches GraphQL. With reads closed, a signed request must also carry
 * a valid bearer token.
 */
export function openSubgraphDoor(name: string, door: SubgraphDoor, onServe: () => void = () => undefined): OpenDoor {
  const app = Fastify({ logger: false, genReqId: (raw) => requestIdFrom(raw.headers[REQUEST_ID_HEADER]) });
  const stopServing = gracefulClose(app);
  const isGraphql = (request: FastifyRequest) => request.url === '/graphql' || request.url.startsWith('/graphql?');

  app.addHook('onRequest', async (request, reply) => {
    if (!isGraphql(request)) return;
    if (request.method !== 'POST') {
      return refuse(request, reply.header('allow', 'POST'), 405, 'METHOD_NOT_ALLOWED', 'this subgraph answers only the gateway\'s signed POST');
    }
    if (!carriesSignature(request.headers)) return refuse(request, reply, 401, 'GATEWAY_SIGNATURE_MISSING', SIGNATURE_MESSAGES.GATEWAY_SIGNATURE_MISSING);
  });

  // The body is read as bytes: the signature is checked over exactly what was sent, before JSON.parse sees it.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const problem = signatureProblem(request.headers, body as Buffer, { secret: door.secret, skewSeconds: door.skewSeconds, now: door.now?.() });
    if (problem) return done(new DoorRefusal(problem), undefined);
    signed.add(request);
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      done(new DoorRefusal('BAD_REQUEST', 400, 'the body is not valid JSON'), undefined);
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    if (!isGraphql(request)) return;
    // A POST with no body (or one fastify read without our parser) was never checked: refused as unsigned.
    if (!signed.has(request)) return refuse(request, reply, 401, 'GATEWAY_SIGNATURE_INVALID', SIGNATURE_MESSAGES.GATEWAY_SIGNATURE_INVALID);
    if (door.requireToken && !(await door.requireToken(request.headers.authorization).catch(() => false))) {
      return refuse(request, reply, 401, 'UNAUTHENTICATED', 'reads are closed: send Authorization: Bearer <token>');
    }
    onServe();
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof DoorRefusal) return refuse(request, reply, error.status, error.code, error.message);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return refuse(request, reply, status, status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST', status === 500 ? 'Internal error' : error.message);
  });

  return {
    app,
    async listen(handler) {
      // Apollo's fastify handler, typed for its own route generics.
      app.route({ url: '/graphql', method: 'POST', handler: handler as unknown as RouteHandlerMethod });
      app.get('/health', async () => ({ status: 'live', subgraph: name }));
      await app.listen({ host: door.host ?? '127.0.0.1', port: door.port ?? 0 });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : door.port;
      const host = door.host === undefined || door.host === '0.0.0.0' || door.host === '::' ? '127.0.0.1' : door.host;
      return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`, close: stopServing };
    },
  };
}

/** Why the door refused a request, carried from the body parser to the error handler. */
class DoorRefusal extends Error {
  constructor(
    readonly code: SignatureProblem | 'BAD_REQUEST',
    readonly status = 401,
    message: string = SIGNATURE_MESSAGES[code as SignatureProblem],
  ) {
    super(message);
  }
}
