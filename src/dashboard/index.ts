export { createDashboard, MAX_FOLLOWED_JOBS } from './create-dashboard';
export type { ChartSeries, Dashboard, DashboardOptions, DashboardSnapshot, SystemTile } from './create-dashboard';
export { dashboardRoutes } from './serve-dashboard';
export type { DashboardRouteOptions } from './serve-dashboard';
export { systemStateOf } from './system-state';
export type { SystemState } from './system-state';
export { useDashboard } from './use-dashboard';
