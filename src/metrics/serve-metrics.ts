import type { FastifyInstance } from 'fastify';
import { hasBearer, refuseWithoutAdminToken } from '../auth/admin-token';
import type { Metrics } from './create-metrics';

export interface MetricsRouteOptions {
  readonly metrics: Metrics;
  /** When set, GET /metrics needs `Authorization: Bearer <this token>` (PLUGBOARD_METRICS=admin). */
  readonly adminToken?: string;
}

/** GET /metrics: the Prometheus exposition of this process (a fastify plugin). */
export async function metricsRoute(app: FastifyInstance, options: MetricsRouteOptions): Promise<void> {
  const { adminToken } = options;
  app.get('/metrics', async (request, reply) => {
    if (adminToken !== undefined && !hasBearer(request, adminToken)) return refuseWithoutAdminToken(reply);
    const body = await options.metrics.render();
    return reply.type(options.metrics.contentType).header('cache-control', 'no-store').send(body);
  });
}
