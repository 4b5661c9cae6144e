import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import type { CallSite } from '../../kit/adapter';

/**
 * The shop's `{ ok: 0, err: "KIND: message" }` -> our closed set. It says AUTH and PARAM with HTTP 200, DB (its
 * database is gone) with 500 or 503, BUSY with 429 (the last two through the sandbox's failure bodies, which the HTTP
 * client turns into errors before they get here).
 */
export function errorFromLegacy(site: CallSite, status: number, err: string): IntegrationError {
  const kind = /^([A-Z]+):/.exec(err)?.[1] ?? '';
  const code: IntegrationErrorCode =
    kind === 'AUTH' ? 'UPSTREAM_AUTH_FAILED'
    : kind === 'PARAM' ? 'UPSTREAM_REJECTED'
    : kind === 'BUSY' ? 'UPSTREAM_RATE_LIMITED'
    : kind === 'DB' || status >= 500 ? 'UPSTREAM_UNAVAILABLE'
    : 'UPSTREAM_REJECTED';
  // The shop's messages are short fixed strings; cut anything longer so that no record data rides along.
  const said = err.length > 80 ? `${err.slice(0, 80)}…` : err;
  const reason = `the legacy shop answered "${said}"`;
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}
