import { adminOnly } from '../auth/admin-token';
import fastifyStatic from '@fastify/static';
import { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import { HeaderMap } from '@apollo/server';
import { Readable } from 'node:stream';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { createGateway, type GatewayOptions } from './create-gateway';
import { explorerAssetsDirectory, explorerDemoHeaders, explorerPage } from './explorer';
import fastifyCors from '@fastify/cors';
import pino, { type Logger } from 'pino';
import { FrontDoorRejection, installErrorAnswers, type Admitted, type DocumentCache, type FrontDoorPlugin } from './front-door';
import { answerClientError } from './front-door/http-refusals';
import { REQUEST_ID_HEADER, requestIdFrom } from '../logging';
import { gracefulClose } from '../serve/graceful-close';
import type { GatewayPlugin } from '../gateway-plugin';
import { DEFAULT_ADMISSION, serverTimeouts, useAdmission, type AdmissionSettings } from './admission';

/** A system as the admin API lists it. */
export interface SystemListing {
  readonly name: string;
  readonly kind: string;
  readonly baseUrl: string;
  readonly sandbox: boolean;
}

export interface ServeGatewayOptions extends GatewayOptions {
  readonly port?: number;
  readonly host?: string;
  /** Bearer token for /admin. */
  readonly adminToken: string;
  /** The systems of the estate, for /admin/api/systems. */
  readonly systems: readonly SystemListing[];
  /**
   * Checks every GraphQL request before it is planned (reads closed by config): throws an error with a `code`
   * (UNAUTHENTICATED) to refuse it.
   */
  readonly authorize?: (authorization: string | undefined) => Promise<void>;
  /**
   * The gateway's extras, each made by its feature's `useX(options)`: useDashboard, useMetrics, usePaymentsWebhook,
   * useShadowAdmin, useOutboxAdmin. Their routes are added in this order. (Apollo Server's own plugins are
   * `apolloPlugins`.) @default []
   */
  readonly plugins?: readonly GatewayPlugin[];
  /**
   * The front door every GraphQL request passes first (`useFrontDoor(settings)`: operation limits, batching, body size,
   * persisted queries, trusted documents). Not optional: a gateway without one refuses to start.
   */
  readonly frontDoor: FrontDoorPlugin;
  /** Browser origins allowed to call the gateway cross-origin (CORS); none by default: same origin only. */
  readonly corsOrigins?: readonly string[];
  /** Where the gateway tells the whole story of what it masked (errors, with their request id). @default pino on stdout */
  readonly logger?: Logger;
  /** Redis for the persisted-query cache shared by every replica; unset keeps it in memory. */
  readonly redisUrl?: string;
  /** Extra readiness checks (e.g. the database answers), by name. */
  readonly readiness?: Readonly<Record<string, () => Promise<void>>>;
  /** Admission control, the request deadline and the slow-body timeouts (src/gateway/admission.ts). @default DEFAULT_ADMISSION */
  readonly admission?: AdmissionSettings;
}

export interface RunningGateway extends AsyncDisposable {
  readonly url: string;
  readonly origin: string;
  /** The store of automatic persisted queries (hash -> document, keys `apq:<sha256>`), when APQ is on. */
  readonly persistedQueries?: DocumentCache;
  close(): Promise<void>;
}

const EXPLORER_ASSETS = '/explorer/';

/**
 * The gateway's HTTP front: GraphQL at /graphql (the explorer when a browser opens it), health at /health/live and
 * /health/ready, and the admin API.
 */
export async function serveGateway(options: ServeGatewayOptions): Promise<RunningGateway> {
  // Every request gets an id: the client's x-request-id when it is sane, else a new one; it is echoed in the answer
  // and forwarded to every subgraph, whose system calls log it.
  if (options.frontDoor?.name !== 'front-door') throw new Error('serveGateway serves nothing without its front door: pass frontDoor: useFrontDoor(settings)');
  const frontDoor = options.frontDoor.settings;
  const log = options.logger ?? pino({ name: 'plugboard-gateway' });
  const admission = options.admission ?? DEFAULT_ADMISSION;
  const app = Fastify({
    ...serverTimeouts(admission),
    logger: false,
    bodyLimit: frontDoor.maxBodyBytes,
    genReqId: (raw) => requestIdFrom(raw.headers[REQUEST_ID_HEADER]),
    // What the HTTP parser refuses (headers too large, a broken start line) is answered in the documented shape too.
    clientErrorHandler: answerClientError,
  });
  // A stop (SIGTERM, a deploy) lets the requests in flight finish and answers them, mutations included.
  const stopServing = gracefulClose(app);
  installErrorAnswers(app, (fields, message) => log.error(fields, message));
  // Cross-origin calls only from the origins configured; none by default (the explorer and dashboard are same-origin).
  await app.register(fastifyCors, {
    origin: [...(options.corsOrigins ?? [])],
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'authorization', 'idempotency-key', 'x-request-id', 'x-plugboard-lineage', 'apollo-require-preflight', 'x-apollo-operation-name'],
    exposedHeaders: [REQUEST_ID_HEADER],
    maxAge: 600,
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  const { apollo, gateway, finishErrors } = createGateway({
    ...options,
    maxTokens: frontDoor.limits.maxTokens,
    batching: frontDoor.maxBatch > 1,
    onMaskedError: (fields, message) => log.error(fields, message),
  });
  apollo.addPlugin(fastifyApolloDrainPlugin(app));
  let supergraphLoaded = false;
  await apollo.start();
  supergraphLoaded = true;
  if (!gateway.schema) throw new Error('the gateway started without a schema');
  const door = options.frontDoor.open(gateway.schema, options.redisUrl ? { redisUrl: options.redisUrl } : {});

  await app.register(fastifyStatic, { root: explorerAssetsDirectory(), prefix: EXPLORER_ASSETS, decorateReply: false });
  const demoHeaders = await explorerDemoHeaders();
  // Altair's renderer is half a megabyte of code: it is loaded on the first visit to the explorer, not at start.
  let page: string | undefined;
  const explorer = () => (page ??= explorerPage({ assetsPath: EXPLORER_ASSETS, endpointPath: '/graphql', initialHeaders: demoHeaders }));
  app.route({
    url: '/graphql',
    method: ['GET', 'POST'],
    // Past the concurrency limit a request is answered 503 before its body is read; health and admin never are.
    onRequest: useAdmission(admission).onRequest,
    handler: async (request, reply) => {
      // The explorer is a page, never an operation: a browser opening /graphql with nothing asked gets it where
      // introspection is on; anything else, whatever its Accept, goes through the door below.
      if (request.method === 'GET' && options.introspection !== false && isExplorerVisit(request)) return reply.type('text/html; charset=utf-8').send(explorer());
      // What a plain HTML form can POST (text/plain, urlencoded, multipart) never reaches Apollo: with no cookie read
      // and CSRF prevention off, this is what keeps a cross-site form from running a mutation.
      if (request.method === 'POST' && !isJson(request)) return refuse(request, reply, new FrontDoorRejection('UNSUPPORTED_MEDIA_TYPE', 'Send the request as application/json.'));
      // Reads closed: who asks is checked before the door measures anything, so that no limit or cost figure
      // describes the schema to a caller who may not read it.
      if (options.authorize) {
        const refused = await options.authorize(request.headers.authorization).then(
          () => undefined,
          (error: { code?: string; message?: string }) => error,
        );
        if (refused) {
          return reply
            .code(401)
            .header('www-authenticate', 'Bearer realm="plugboard"')
            .send({ errors: [{ message: refused.message ?? 'a valid bearer token is needed', extensions: { code: refused.code ?? 'UNAUTHENTICATED', requestId: request.id } }] });
        }
      }
      let admitted: Admitted;
      try {
        admitted = await door.admit(request);
      } catch (error) {
        if (error instanceof FrontDoorRejection) return refuse(request, reply, error);
        throw error;
      }
      // Apollo is handed what the door checked, rebuilt: never the request as it was sent.
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(request.headers)) if (value) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: request.method === 'HEAD' ? 'GET' : request.method, headers, search: admitted.search, body: admitted.body },
        context: async () => ({ headers: { ...request.headers, [REQUEST_ID_HEADER]: request.id }, checkedDocuments: admitted.checked }),
      });
      for (const [name, value] of response.headers) void reply.header(name, value);
      void reply.code(response.status ?? 200);
      if (response.body.kind !== 'complete') return reply.send(Readable.from(response.body.asyncIterator));
      return finishErrors(response.body.string, request.id);
    },
  });
  app.get('/', (_request, reply) => reply.redirect('/graphql'));

  app.get('/health/live', async () => ({ status: 'live' }));
  app.get('/health/ready', async (_request, reply) => {
    const checks: Record<string, string> = { supergraph: supergraphLoaded ? 'ok' : 'not loaded' };
    for (const [name, check] of Object.entries(options.readiness ?? {})) {
      checks[name] = await check().then(
        () => 'ok',
        (error: unknown) => `failing: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const ready = Object.values(checks).every((state) => state === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.register(async (admin) => {
    admin.addHook('onRequest', adminOnly(options.adminToken));
    admin.get('/admin/api/systems', async () => ({ systems: options.systems }));
  });

  // The plugins bring their own routes; the gateway imports none of them, and a feature not given is never loaded.
  for (const plugin of options.plugins ?? []) await plugin.routes(app, { adminToken: options.adminToken });

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.port}`;
  const close = async () => {
    await stopServing();
    await apollo.stop();
    await door.close();
  };
  return { url: `${origin}/graphql`, origin, ...(door.persistedQueries ? { persistedQueries: door.persistedQueries } : {}), close, [Symbol.asyncDispose]: close };
}

/** A browser opening /graphql: it asks for HTML and for no operation at all. */
function isExplorerVisit(request: FastifyRequest): boolean {
  if (!String(request.headers.accept ?? '').includes('text/html')) return false;
  const asked = request.url.indexOf('?');
  return asked === -1 || asked === request.url.length - 1;
}

function isJson(request: FastifyRequest): boolean {
  return String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

function refuse(request: FastifyRequest, reply: FastifyReply, rejection: FrontDoorRejection): FastifyReply {
  if (rejection.status === 200) reply.header('cache-control', 'private, no-cache, must-revalidate');
  return reply.code(rejection.status).type('application/json; charset=utf-8').send(rejection.toBody(request.id));
}
