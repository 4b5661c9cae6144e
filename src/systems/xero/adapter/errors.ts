import { IntegrationError } from '../../../domain';
import { errorFromStatus, type CallSite, type HttpResponse } from '../../kit/adapter';
import { errorSchema, problemSchema } from './schema';

/** Internal to the Xero adapter: Xero's error bodies in our closed set of errors. */

/** Statuses whose bodies say something worth reading; 429 and 5xx are left to the HTTP kit. */
export const ERROR_STATUSES = [400, 401, 403, 404] as const;

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** A 4xx from Xero: a ValidationException names what was refused; 401/403 are the credentials or the tenant. */
export function errorFromXero(site: CallSite, response: HttpResponse): IntegrationError {
  const body = parsed(response.text);
  if (response.status === 401 || response.status === 403) {
    const problem = problemSchema.safeParse(body);
    const detail = problem.success ? problem.data.Detail ?? problem.data.Title : undefined;
    const reason = `${response.status === 401 ? 'token refused' : 'not allowed for this organisation (xero-tenant-id)'}${detail ? `: ${detail.slice(0, 120)}` : ''}`;
    return new IntegrationError('UPSTREAM_AUTH_FAILED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
  }
  const error = errorSchema.safeParse(body);
  if (!error.success) return errorFromStatus(site, response.status);
  const messages = (error.data.Elements ?? []).flatMap((element) => element.ValidationErrors ?? []).map((entry) => entry.Message).filter(Boolean);
  const reason = `${error.data.Type ?? 'error'}: ${(messages.length ? messages.join('; ') : error.data.Message ?? '').slice(0, 240)} (HTTP ${response.status})`;
  return new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}

/** The identity server refused our client credentials. */
export function tokenRefused(site: CallSite, response: HttpResponse): IntegrationError {
  const reason = `the identity server refused the client credentials (HTTP ${response.status})`;
  return new IntegrationError('UPSTREAM_AUTH_FAILED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}
