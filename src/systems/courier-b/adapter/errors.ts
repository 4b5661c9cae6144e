import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import { errorFromStatus, type CallSite } from '../../kit/adapter';
import { errorResponseSchema, type ShipEngineError } from './schema';

/** Internal to the courier-b adapter: ShipEngine's error bodies in our closed set of errors. */

/** The error for a non-2xx answer: from ShipEngine's error body when it has one, else from the status alone. */
export function errorFromBody(site: CallSite, status: number, text: string): IntegrationError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return errorFromStatus(site, status);
  }
  const parsed = errorResponseSchema.safeParse(body);
  if (!parsed.success) return errorFromStatus(site, status);
  return fromErrors(site, status, parsed.data.errors);
}

export function fromErrors(site: CallSite, status: number, errors: readonly ShipEngineError[]): IntegrationError {
  const first = errors[0];
  const code: IntegrationErrorCode =
    status === 401 || status === 403 || first?.error_type === 'security' ? 'UPSTREAM_AUTH_FAILED'
    : first?.error_code === 'rate_limit_exceeded' ? 'UPSTREAM_RATE_LIMITED'
    : first?.error_type === 'system' || status >= 500 ? 'UPSTREAM_UNAVAILABLE'
    : 'UPSTREAM_REJECTED';
  const reason = first
    ? `${first.error_code}: ${first.message.slice(0, 200)} (HTTP ${status})`
    : `reported errors without saying which (HTTP ${status})`;
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}

/** A shipment ShipEngine refused in a 200 answer (`has_errors`), with the reasons it gave as strings. */
export function refusedShipment(site: CallSite, errors: readonly string[]): IntegrationError {
  const reason = errors.length ? `refused the shipment: ${errors.join('; ').slice(0, 200)}` : 'refused the shipment without saying why';
  return new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}
