import type { GatewayPlugin } from '../gateway-plugin';
import type { ShadowControl } from './control';

/** Shadow mode and the cutover gate in the admin API (/admin/api/shadow, /admin/api/cutover): a gateway plugin. */
export function useShadowAdmin(options: { readonly control: ShadowControl }): GatewayPlugin {
  return {
    name: 'shadow-admin',
    async routes(app, { adminToken }) {
      const { adminShadowRoutes } = require('./admin-routes') as typeof import('./admin-routes');
      await app.register(adminShadowRoutes, { control: options.control, adminToken });
    },
  };
}
