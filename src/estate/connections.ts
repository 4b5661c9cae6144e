import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PKI_FILES } from '../pki';
import { ConfigError, type Config } from '../config';

/** The largest answer an adapter takes from its system, in bytes (from the integration map; default 5 MiB). */
interface Capped {
  readonly maxResponseBytes?: number;
}

/** Everything the adapters need to reach the systems: where they are and the credentials they take. */
export interface SystemConnections {
  readonly crm: Capped & { readonly baseUrl: string; readonly clientId: string; readonly clientSecret: string };
  readonly erp: Capped & { readonly baseUrl: string; readonly db: string; readonly login: string; readonly apiKey: string };
  readonly payments: Capped & {
    readonly baseUrl: string;
    readonly secretKey: string;
    readonly maxSearchClauses: number;
    /** Signing secret of our webhook endpoint; without one, the gateway takes no payment webhooks. */
    readonly webhookSecret?: string;
  };
  readonly courierA: Capped & {
    readonly baseUrl: string;
    readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
  };
  readonly courierB: Capped & { readonly baseUrl: string; readonly apiKey: string };
  readonly legacy: Capped & { readonly baseUrl: string; readonly username: string; readonly password: string };
}

/** Each system's cap on the size of its answers, in bytes (the integration map's `maxResponseBytes`). */
export type ResponseCaps = { readonly [K in keyof SystemConnections]?: number };

/** The connections with each system's response cap, which its adapter enforces on every answer. */
export function withResponseCaps(connections: SystemConnections, caps: ResponseCaps): SystemConnections {
  const capped = <T extends object>(connection: T, cap: number | undefined): T => (cap ? { ...connection, maxResponseBytes: cap } : connection);
  return {
    crm: capped(connections.crm, caps.crm),
    erp: capped(connections.erp, caps.erp),
    payments: capped(connections.payments, caps.payments),
    courierA: capped(connections.courierA, caps.courierA),
    courierB: capped(connections.courierB, caps.courierB),
    legacy: capped(connections.legacy, caps.legacy),
  };
}

/**
 * Connections to real systems, from the configuration (PLUGBOARD_SANDBOXES=off). Credentials come from environment
 * variables and files, never from code; a missing one stops the start with its variable's name.
 */
export function connectionsFromConfig(config: Config): SystemConnections {
  const missing: string[] = [];
  const need = <K extends keyof Config>(key: K): NonNullable<Config[K]> => {
    const value = config[key];
    if (value === undefined || value === null) missing.push(key);
    return value as NonNullable<Config[K]>;
  };
  const file = (key: 'COURIER_A_CA_FILE' | 'COURIER_A_CERT_FILE' | 'COURIER_A_KEY_FILE'): string => {
    const path = need(key);
    if (!path) return '';
    try {
      return readFileSync(path, 'utf8');
    } catch {
      missing.push(`${key} (cannot read ${path})`);
      return '';
    }
  };
  const connections: SystemConnections = {
    crm: { baseUrl: need('CRM_URL'), clientId: need('CRM_CLIENT_ID'), clientSecret: need('CRM_CLIENT_SECRET') },
    erp: { baseUrl: need('ERP_URL'), db: need('ERP_DB'), login: need('ERP_LOGIN'), apiKey: need('ERP_API_KEY') },
    payments: {
      baseUrl: need('PAYMENTS_URL'),
      secretKey: need('PAYMENTS_SECRET_KEY'),
      maxSearchClauses: config.PAYMENTS_MAX_SEARCH_CLAUSES,
      ...(config.PAYMENTS_WEBHOOK_SECRET ? { webhookSecret: config.PAYMENTS_WEBHOOK_SECRET } : {}),
    },
    courierA: {
      baseUrl: need('COURIER_A_URL'),
      tls: { ca: file('COURIER_A_CA_FILE'), cert: file('COURIER_A_CERT_FILE'), key: file('COURIER_A_KEY_FILE') },
    },
    courierB: { baseUrl: need('COURIER_B_URL'), apiKey: need('COURIER_B_API_KEY') },
    legacy: { baseUrl: need('LEGACY_URL'), username: need('LEGACY_USERNAME'), password: need('LEGACY_PASSWORD') },
  };
  if (missing.length) {
    throw new ConfigError(`with PLUGBOARD_SANDBOXES=off these must be set:\n${missing.map((key) => `- ${key}`).join('\n')}`);
  }
  return connections;
}

/**
 * The environment that points the product at these systems with PLUGBOARD_SANDBOXES=off: the inverse of
 * connectionsFromConfig. Courier A's certificates are named by file, in `pkiDir` (where the sandboxes made them).
 */
export function environmentOf(connections: SystemConnections, pkiDir: string): Record<string, string> {
  return {
    PLUGBOARD_SANDBOXES: 'off',
    CRM_URL: connections.crm.baseUrl,
    CRM_CLIENT_ID: connections.crm.clientId,
    CRM_CLIENT_SECRET: connections.crm.clientSecret,
    ERP_URL: connections.erp.baseUrl,
    ERP_DB: connections.erp.db,
    ERP_LOGIN: connections.erp.login,
    ERP_API_KEY: connections.erp.apiKey,
    PAYMENTS_URL: connections.payments.baseUrl,
    PAYMENTS_SECRET_KEY: connections.payments.secretKey,
    PAYMENTS_MAX_SEARCH_CLAUSES: String(connections.payments.maxSearchClauses),
    ...(connections.payments.webhookSecret ? { PAYMENTS_WEBHOOK_SECRET: connections.payments.webhookSecret } : {}),
    COURIER_A_URL: connections.courierA.baseUrl,
    COURIER_A_CA_FILE: path.join(pkiDir, PKI_FILES.ca),
    COURIER_A_CERT_FILE: path.join(pkiDir, PKI_FILES.clientCert),
    COURIER_A_KEY_FILE: path.join(pkiDir, PKI_FILES.clientKey),
    COURIER_B_URL: connections.courierB.baseUrl,
    COURIER_B_API_KEY: connections.courierB.apiKey,
    LEGACY_URL: connections.legacy.baseUrl,
    LEGACY_USERNAME: connections.legacy.username,
    LEGACY_PASSWORD: connections.legacy.password,
  };
}
