export { createMetrics } from './create-metrics';
export type { Metrics, MetricsOptions } from './create-metrics';
export { LATENCY_BUCKETS_MS, quantileOfBuckets } from './latency';
export { openAlerts, queueDepth } from './ops-counts';
export type { OpenAlerts, QueueDepth } from './ops-counts';
export { metricsRoute } from './serve-metrics';
export type { MetricsRouteOptions } from './serve-metrics';
export { useMetrics } from './use-metrics';
export type { UseMetricsOptions } from './use-metrics';
