export { CONFIG_KEYS, ConfigError, loadConfig, newAdminToken } from './config';
export type { Config } from './config';
