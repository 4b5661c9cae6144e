import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebhookRefusal } from './errors';

/** What a webhook endpoint is made of: its path, its handler, and how it answers a refusal. */
export interface RawEndpointOptions {
  readonly path: string;
  /** Largest body accepted, in bytes. */
  readonly bodyLimit: number;
  /** Handles a delivery whose body (`request.body`) is the raw bytes sent, as a Buffer. */
  receive(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  /** Answers (and logs) a refusal: a body too large or unreadable, or an error past the handler. */
  refuse(request: FastifyRequest, reply: FastifyReply, startedAt: Date, refusal: WebhookRefusal): unknown;
}

/**
 * A gateway plugin's `routes` for one webhook endpoint, in its own fastify scope: the signature covers the exact bytes
 * sent, so the body reaches the handler raw, whatever its content type says, and only this endpoint parses it so.
 */
export function rawWebhookRoutes(options: RawEndpointOptions): (app: FastifyInstance) => Promise<void> {
  const { bodyLimit } = options;
  const endpoint = async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
    app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
      const status = error.statusCode ?? 500;
      const refusal =
        status === 413 ? new WebhookRefusal('WEBHOOK_TOO_LARGE', `the body is over the ${bodyLimit}-byte limit`)
        : status < 500 ? new WebhookRefusal('WEBHOOK_MALFORMED', 'the request could not be read')
        : new WebhookRefusal('WEBHOOK_NOT_APPLIED', 'the event could not be applied or remembered now: send it again later', { cause: error });
      return options.refuse(request, reply, new Date(), refusal);
    });
    app.post(options.path, options.receive);
  };
  return async (app) => void (await app.register(endpoint));
}
