import type { GatewayPlugin } from '../gateway-plugin';
import type { Dashboard } from './create-dashboard';

/** The live integrations dashboard at /admin, its data at /admin/api/dashboard (admin token): a gateway plugin. */
export function useDashboard(options: { readonly dashboard: Dashboard }): GatewayPlugin {
  return {
    name: 'dashboard',
    async routes(app, { adminToken }) {
      // Loaded when the gateway is given the dashboard, not when this file is imported.
      const { dashboardRoutes } = require('./serve-dashboard') as typeof import('./serve-dashboard');
      await app.register(dashboardRoutes, { dashboard: options.dashboard, adminToken });
    },
  };
}
