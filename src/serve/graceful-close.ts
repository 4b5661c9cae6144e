import type { FastifyInstance } from 'fastify';

/** How long a server being stopped waits for the requests it is serving, before it drops their connections. */
export const DRAIN_GRACE_MS = 10_000;

/**
 * How a server stops without losing an answer: requests in flight are served to the end, each answered with
 * `Connection: close`; a request that arrives meanwhile on an open connection gets fastify's 503 (a load balancer
 * sends it elsewhere); idle keep-alive connections close at once. What is still running after `graceMs` has its
 * connection dropped. Install it before the routes; the function it answers does the stopping.
 */
export function gracefulClose(app: FastifyInstance, graceMs = DRAIN_GRACE_MS): () => Promise<void> {
  let draining = false;
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
  return async () => {
    draining = true;
    const deadline = setTimeout(() => app.server.closeAllConnections(), graceMs);
    deadline.unref();
    try {
      await app.close();
    } finally {
      clearTimeout(deadline);
    }
  };
}
