import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from '../config';
import { SYSTEM_REGISTRY, type Connection, type SettingsReader } from '../systems';

/**
 * How the adapters reach the systems, by system name: where each one is and the credentials it takes (each
 * system's definition gives its connection's shape). The store has none: it is our own database.
 */
export type SystemConnections = Readonly<Record<string, Connection>>;

/** Each system's cap on the size of its answers, in bytes (the integration map's `maxResponseBytes`), by name. */
export type ResponseCaps = Readonly<Record<string, number | undefined>>;

/** The connections with each system's response cap, which its adapter enforces on every answer. */
export function withResponseCaps(connections: SystemConnections, caps: ResponseCaps): SystemConnections {
  return Object.fromEntries(
    Object.entries(connections).map(([name, connection]) => [name, caps[name] ? { ...connection, maxResponseBytes: caps[name] } : connection]),
  );
}

/** Reads the systems' settings from the configuration, collecting every missing one. */
function settingsReader(config: Config, missing: string[], required: ReadonlySet<string>): SettingsReader {
  return {
    get: <T>(key: string): T => {
      const value = config[key];
      if ((value === undefined || value === null) && required.has(key)) missing.push(key);
      return value as T;
    },
    file: (key: string): string => {
      const path = config[key];
      if (typeof path !== 'string' || !path) {
        missing.push(key);
        return '';
      }
      try {
        return readFileSync(path, 'utf8');
      } catch {
        missing.push(`${key} (cannot read ${path})`);
        return '';
      }
    },
  };
}

/** The systems' settings as the configuration holds them (defaults applied), for what a system builds besides its connection. */
export function settingsFrom(config: Config): SettingsReader {
  return settingsReader(config, [], new Set());
}

/**
 * Connections to real systems, from the configuration (PLUGBOARD_SANDBOXES=off): each system of the registry reads
 * its own settings. Credentials come from environment variables and files, never from code; a missing one stops the
 * start with its variable's name.
 */
export function connectionsFromConfig(config: Config, only?: readonly string[]): SystemConnections {
  const missing: string[] = [];
  const connections: Record<string, Connection> = {};
  for (const system of SYSTEM_REGISTRY) {
    if (!system.connect || (only && !only.includes(system.name))) continue;
    const required = new Set(Object.entries(system.settings ?? {}).filter(([, setting]) => setting.required).map(([key]) => key));
    connections[system.name] = system.connect(settingsReader(config, missing, required));
  }
  if (missing.length) {
    throw new ConfigError(`with PLUGBOARD_SANDBOXES=off these must be set:\n${missing.map((key) => `- ${key}`).join('\n')}`);
  }
  return connections;
}

/**
 * The environment that points the product at these systems with PLUGBOARD_SANDBOXES=off: the inverse of
 * connectionsFromConfig. Certificates are named by file, in `pkiDir` (where the sandboxes made them).
 */
export function environmentOf(connections: SystemConnections, pkiDir: string): Record<string, string> {
  const environment: Record<string, string> = { PLUGBOARD_SANDBOXES: 'off' };
  for (const system of SYSTEM_REGISTRY) {
    const connection = connections[system.name];
    if (connection && system.environmentOf) Object.assign(environment, system.environmentOf(connection, { pkiDir }));
  }
  return environment;
}
