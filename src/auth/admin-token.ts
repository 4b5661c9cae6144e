import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Whether the request carries `Authorization: Bearer <token>`, compared in constant time. Both sides are hashed first:
 * digests have one length, so neither the comparison nor an early return on a length mismatch tells a caller how
 * long the token is.
 */
export function hasBearer(request: FastifyRequest, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(String(request.headers.authorization ?? ''))?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

/** The admin API's 401, the same everywhere under /admin. */
export function refuseWithoutAdminToken(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="plugboard-admin"')
    .send({ error: { code: 'UNAUTHENTICATED', message: 'This needs the admin bearer token (PLUGBOARD_ADMIN_TOKEN).', requestId: reply.request.id } });
}

/**
 * An onRequest hook for a plugin whose every route is for ops: without the admin token the request ends in the 401
 * above, wherever the plugin is registered.
 */
export function adminOnly(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!hasBearer(request, token)) await refuseWithoutAdminToken(reply);
  };
}
