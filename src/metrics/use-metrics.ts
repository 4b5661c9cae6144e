import type { GatewayPlugin } from '../gateway-plugin';
import type { Metrics } from './create-metrics';

export interface UseMetricsOptions {
  readonly metrics: Metrics;
  /** Who may read /metrics: anyone who reaches the port (`open`), or only with the admin token (`admin`). @default 'open' */
  readonly access?: 'open' | 'admin';
}

/** GET /metrics, the Prometheus exposition of the process: a gateway plugin. */
export function useMetrics(options: UseMetricsOptions): GatewayPlugin {
  return {
    name: 'metrics',
    async routes(app, { adminToken }) {
      const { metricsRoute } = require('./serve-metrics') as typeof import('./serve-metrics');
      await app.register(metricsRoute, { metrics: options.metrics, ...(options.access === 'admin' ? { adminToken } : {}) });
    },
  };
}
