import { adminOnly } from '../auth/admin-token';
import type { FastifyInstance } from 'fastify';
import type { Alerts } from '../alerts';
import type { OutboxJobState } from '../db';
import { OUTBOX_JOB_STATES, type Outbox } from '../outbox';

export interface AdminOutboxOptions {
  readonly outbox: Outbox;
  /** Bearer token for /admin (PLUGBOARD_ADMIN_TOKEN). */
  readonly adminToken: string;
  /** When given, GET /admin/api/alerts lists the alerts for the dashboard. */
  readonly alerts?: Alerts;
}

/**
 * The admin API over the outbox (a fastify plugin; every route needs the admin bearer token):
 * - GET /admin/api/outbox?state=dead&limit=100 → 200 {jobs}
 * - POST /admin/api/outbox/:id/replay → 200 {replayed: true, job}, 404 {error: {code: NOT_FOUND}}, or
 *   409 {error: {code: NOT_REPLAYABLE, state}} for a job that is not failed or dead
 * - GET /admin/api/alerts?unacknowledged=true → 200 {alerts} (with `alerts`)
 */
export async function adminOutboxRoutes(app: FastifyInstance, options: AdminOutboxOptions): Promise<void> {
  app.addHook('onRequest', adminOnly(options.adminToken));

  app.get<{ Querystring: { state?: string; limit?: string } }>('/admin/api/outbox', async (request, reply) => {
    const { state, limit } = request.query;
    if (state !== undefined && !OUTBOX_JOB_STATES.includes(state as OutboxJobState)) {
      return reply.code(400).send({ error: { code: 'BAD_USER_INPUT', message: `state must be one of ${OUTBOX_JOB_STATES.join(', ')}` } });
    }
    const count = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > 1_000) {
      return reply.code(400).send({ error: { code: 'BAD_USER_INPUT', message: 'limit must be a whole number from 1 to 1000' } });
    }
    return { jobs: await options.outbox.list({ state: state as OutboxJobState | undefined, limit: count }) };
  });

  app.post<{ Params: { id: string } }>('/admin/api/outbox/:id/replay', async (request, reply) => {
    const result = await options.outbox.replay(request.params.id);
    if (result.replayed) return { replayed: true, job: result.job };
    if (result.code === 'NOT_FOUND') {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no outbox job ${request.params.id}` } });
    }
    return reply.code(409).send({
      error: { code: 'NOT_REPLAYABLE', state: result.state, message: `the job is ${result.state}: only failed or dead jobs can be replayed` },
    });
  });

  const { alerts } = options;
  if (alerts) {
    app.get<{ Querystring: { unacknowledged?: string } }>('/admin/api/alerts', async (request) => ({
      alerts: await alerts.list({ unacknowledged: request.query.unacknowledged === 'true' }),
    }));
  }
}



