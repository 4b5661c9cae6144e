import { adminOnly } from '../auth/admin-token';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ShadowControl, ShadowOutcome } from './control';

export interface AdminShadowOptions {
  readonly control: ShadowControl;
  /** Bearer token for /admin (PLUGBOARD_ADMIN_TOKEN). */
  readonly adminToken: string;
}

/** Who the audit names for a switch made with the shared admin token: the caller may say, else "admin". */
export const ACTOR_HEADER = 'x-plugboard-actor';

const switchBody = z.strictObject({ shadow: z.boolean() });

/**
 * The admin API over shadow mode and the cutover gate (a fastify plugin; every route needs the admin bearer token):
 * - GET /admin/api/shadow → 200 {entities: [{entity, shadow, cleanDays, requiredCleanDays, owner, cutover}]}
 * - POST /admin/api/shadow/:entity {shadow: true|false} → 200 the entity; 400 BAD_USER_INPUT; 404 NOT_FOUND;
 *   409 ALREADY_CUT_OVER (shadow on after the cutover)
 * - POST /admin/api/cutover/:entity → 200 the entity, or 409 {error: {code: CUTOVER_REFUSED, cleanDays,
 *   requiredCleanDays, message}}; 404 NOT_FOUND
 * The audit row's actor is the `X-Plugboard-Actor` header when given, else "admin".
 */
export async function adminShadowRoutes(app: FastifyInstance, options: AdminShadowOptions): Promise<void> {
  app.addHook('onRequest', adminOnly(options.adminToken));

  app.get('/admin/api/shadow', async () => ({ entities: await options.control.list() }));

  app.post<{ Params: { entity: string } }>('/admin/api/shadow/:entity', async (request, reply) => {
    const body = switchBody.safeParse(request.body);
    if (!body.success) {
      return reply.code(400).send({ error: { code: 'BAD_USER_INPUT', message: 'send JSON {"shadow": true} or {"shadow": false}' } });
    }
    return answer(reply, await options.control.setShadow(request.params.entity, body.data.shadow, actorOf(request)));
  });

  app.post<{ Params: { entity: string } }>('/admin/api/cutover/:entity', async (request, reply) =>
    answer(reply, await options.control.cutover(request.params.entity, actorOf(request))),
  );
}

function answer(reply: FastifyReply, outcome: ShadowOutcome): FastifyReply {
  if (outcome.ok) return reply.code(200).send(outcome.entity);
  switch (outcome.code) {
    case 'NOT_FOUND':
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: outcome.message } });
    case 'ALREADY_CUT_OVER':
      return reply.code(409).send({ error: { code: 'ALREADY_CUT_OVER', message: outcome.message } });
    case 'CUTOVER_REFUSED':
      return reply.code(409).send({
        error: { code: 'CUTOVER_REFUSED', cleanDays: outcome.cleanDays, requiredCleanDays: outcome.requiredCleanDays, message: outcome.message },
      });
    default: {
      const unreachable: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
}

function actorOf(request: FastifyRequest): string {
  const named = String(request.headers[ACTOR_HEADER] ?? '').trim();
  return named === '' ? 'admin' : named.slice(0, 200);
}


