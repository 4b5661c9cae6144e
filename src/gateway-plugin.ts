import type { FastifyInstance } from 'fastify';

/** What the gateway hands each plugin when it adds its routes. */
export interface GatewayPluginContext {
  /** The admin bearer token (PLUGBOARD_ADMIN_TOKEN): routes under /admin need it. */
  readonly adminToken: string;
}

/**
 * An extra of the gateway (the dashboard, metrics, a webhook endpoint, an admin API), made by a `useX(options)`
 * factory that lives with its feature: the gateway only calls it, and never imports the feature (envelop's and
 * Yoga's plugins; style.md 5). A factory loads its feature's routes in `routes`, not at import, so that a gateway
 * given no such plugin never loads what it needs (the ORM, prom-client). This file imports nothing of ours: the
 * gateway and each feature import it, and neither imports the other (no cycle between their folders).
 */
export interface GatewayPlugin {
  /** Names the plugin in errors, e.g. "dashboard". */
  readonly name: string;
  /** Adds the plugin's routes to the gateway's HTTP server, before it listens. */
  routes(app: FastifyInstance, context: GatewayPluginContext): Promise<void>;
}
