import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import { errorFromStatus, type CallSite } from '../../kit/adapter';
import { faultSchema, type Fault } from './schema';

/** Internal to the courier-a adapter: courier A's faults in our closed set of errors. */

const AUTH_FAULTS = new Set(['CLIENT_CERTIFICATE_REQUIRED', 'CERTIFICATE_REVOKED', 'FORBIDDEN']);
const RETRYABLE_FAULTS: Readonly<Record<string, IntegrationErrorCode>> = {
  RATE_LIMITED: 'UPSTREAM_RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
};

/** The error for a non-2xx answer: from its `<Fault>` when it has one, else from the status alone. */
export function errorFromFault(site: CallSite, status: number, document: unknown): IntegrationError {
  const parsed = faultSchema.safeParse(document);
  if (!parsed.success) return errorFromStatus(site, status);
  return toError(site, status, parsed.data.Fault);
}

function toError(site: CallSite, status: number, fault: Fault): IntegrationError {
  const code: IntegrationErrorCode =
    AUTH_FAULTS.has(fault.Code) || status === 401 || status === 403 ? 'UPSTREAM_AUTH_FAILED'
    : RETRYABLE_FAULTS[fault.Code] ?? 'UPSTREAM_REJECTED';
  const message = (fault.Message ?? '').slice(0, 200);
  const reason = `${fault.Code}${message ? `: ${message}` : ''} (HTTP ${status})`;
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}
