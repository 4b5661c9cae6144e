import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import type { RpcError } from './schema';

/**
 * Odoo's error envelope (HTTP 200, `error.data.name` = the Python exception) onto our closed set. Internal to the
 * ERP adapter.
 */
const CODES: Readonly<Record<string, IntegrationErrorCode>> = {
  'odoo.exceptions.AccessDenied': 'UPSTREAM_AUTH_FAILED',
  // The user is known but lacks the rights for the model: the credentials, not the request, are wrong.
  'odoo.exceptions.AccessError': 'UPSTREAM_AUTH_FAILED',
  'odoo.exceptions.ValidationError': 'UPSTREAM_REJECTED',
  'odoo.exceptions.UserError': 'UPSTREAM_REJECTED',
  'odoo.exceptions.RedirectWarning': 'UPSTREAM_REJECTED',
  'odoo.exceptions.MissingError': 'UPSTREAM_REJECTED',
};

export const ACCESS_DENIED = 'odoo.exceptions.AccessDenied';

const MAX_REASON = 300;

export function errorFromRpc(site: CallSite, error: RpcError): IntegrationError {
  const name = error.data?.name ?? 'unknown';
  const code = CODES[name] ?? 'UPSTREAM_UNAVAILABLE';
  const said = (error.data?.message ?? error.message).replace(/\s+/g, ' ').trim();
  const text = said.length > MAX_REASON ? `${said.slice(0, MAX_REASON)}…` : said;
  const reason =
    code === 'UPSTREAM_AUTH_FAILED' ? `refused our credentials (${shortName(name)}: ${text})`
    : code === 'UPSTREAM_REJECTED' ? text
    : `server error (${name}): ${text}`;
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}

/** The login was refused: `common.authenticate` answered false. */
export function loginRefused(site: CallSite, login: string, db: string): IntegrationError {
  const reason = `refused the login ${JSON.stringify(login)} on database ${JSON.stringify(db)} (wrong login, database or API key)`;
  return new IntegrationError('UPSTREAM_AUTH_FAILED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}

/** The ERP understood us and has no such record, or cannot do it: a refusal we word ourselves. */
export function rejected(site: CallSite, reason: string): IntegrationError {
  return new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}

const shortName = (name: string): string => name.split('.').pop() ?? name;
