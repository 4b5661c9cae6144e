import type { Alerts } from '../alerts';
import type { Outbox } from '../outbox/outbox';
import type { GatewayPlugin } from '../gateway-plugin';

export interface UseOutboxAdminOptions {
  readonly outbox: Outbox;
  /** When given, GET /admin/api/alerts lists the alerts for the dashboard. */
  readonly alerts?: Alerts;
}

/** The outbox's dead letters and replay, and the alerts, in the admin API (see admin-outbox.ts): a gateway plugin. */
export function useOutboxAdmin(options: UseOutboxAdminOptions): GatewayPlugin {
  return {
    name: 'outbox-admin',
    async routes(app, { adminToken }) {
      const { adminOutboxRoutes } = require('./admin-outbox') as typeof import('./admin-outbox');
      await app.register(adminOutboxRoutes, { outbox: options.outbox, adminToken, ...(options.alerts ? { alerts: options.alerts } : {}) });
    },
  };
}
