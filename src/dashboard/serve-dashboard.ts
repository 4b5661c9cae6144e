import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { hasBearer, refuseWithoutAdminToken } from '../auth/admin-token';
import { MAX_FOLLOWED_JOBS, type Dashboard } from './create-dashboard';
import { PROJECT_ROOT } from '../project-root';

export interface DashboardRouteOptions {
  readonly dashboard: Dashboard;
  /** Bearer token of /admin/api (PLUGBOARD_ADMIN_TOKEN). */
  readonly adminToken: string;
}

const PAGE_DIRECTORY = path.join(PROJECT_ROOT, 'src', 'dashboard', 'page');

/** The page's files: the page itself asks for no token (it asks the person for one); its data does. */
function pageAssets(): Readonly<Record<string, { file: string; type: string }>> {
  // chart.js's UMD build, served from the package itself (its exports map hides dist/, its main file sits there).
  const chartJs = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');
  return {
    '/admin': { file: path.join(PAGE_DIRECTORY, 'index.html'), type: 'text/html; charset=utf-8' },
    '/admin/dashboard.js': { file: path.join(PAGE_DIRECTORY, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
    '/admin/dashboard.css': { file: path.join(PAGE_DIRECTORY, 'dashboard.css'), type: 'text/css; charset=utf-8' },
    '/admin/chart.umd.js': { file: chartJs, type: 'text/javascript; charset=utf-8' },
  };
}

/** Outbox job ids are UUIDs. */
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The live integrations dashboard (a fastify plugin):
 * - GET /admin (and /admin/), /admin/dashboard.js, /admin/dashboard.css, /admin/chart.umd.js: the page, no token;
 * - GET /admin/api/dashboard?follow=<job id>,… → 200 DashboardSnapshot (admin bearer token), or 400 BAD_USER_INPUT.
 */
export async function dashboardRoutes(app: FastifyInstance, options: DashboardRouteOptions): Promise<void> {
  const files = new Map<string, Promise<Buffer>>();
  const load = (file: string): Promise<Buffer> => {
    let content = files.get(file);
    if (!content) {
      content = readFile(file);
      files.set(file, content);
      content.catch(() => files.delete(file));
    }
    return content;
  };
  for (const [url, asset] of Object.entries(pageAssets())) {
    app.get(url, async (_request, reply) =>
      reply
        .type(asset.type)
        .header('cache-control', 'no-cache')
        // Everything the page needs comes from this origin; nothing may be loaded from anywhere else.
        .header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'")
        .send(await load(asset.file)),
    );
  }
  app.get('/admin/', async (_request, reply) => reply.redirect('/admin'));

  app.get<{ Querystring: { follow?: string } }>('/admin/api/dashboard', async (request, reply) => {
    if (!hasBearer(request, options.adminToken)) return refuseWithoutAdminToken(reply);
    const follow = (request.query.follow ?? '').split(',').filter(Boolean);
    if (follow.length > MAX_FOLLOWED_JOBS || follow.some((id) => !JOB_ID.test(id))) {
      return reply.code(400).send({ error: { code: 'BAD_USER_INPUT', message: `follow takes up to ${MAX_FOLLOWED_JOBS} outbox job ids, separated by commas` } });
    }
    return reply.header('cache-control', 'no-store').send(await options.dashboard.snapshot(follow));
  });
}
