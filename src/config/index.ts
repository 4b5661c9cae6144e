export { CONFIG_KEYS, ConfigError, loadConfig, newAdminToken } from './config';
export type { Config } from './config';
export { assertSafeToServe, introspectionOn, productionProblems, refusalLine, startRefusal, UnsafeStartError } from './profile';
export type { ServingPart } from './profile';
