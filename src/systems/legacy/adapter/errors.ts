import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import { errorSchema } from './schema';

/**
 * WordPress's `{ code, message, data: { status } }` -> our closed set: 401 and 403 (a wrong key or secret, a key
 * without the permission: `woocommerce_rest_authentication_error`, `woocommerce_rest_cannot_*`) are UPSTREAM_AUTH_FAILED;
 * 400, 404 and 409 (`rest_invalid_param`, `woocommerce_rest_invalid_id`, `registration-error-email-exists`, …) are
 * UPSTREAM_REJECTED. The reason carries WooCommerce's code and its message, cut short so that no record data rides along.
 */
export function errorFromWoo(site: CallSite, status: number, body: unknown): IntegrationError {
  const parsed = errorSchema.safeParse(body);
  const code: IntegrationErrorCode = status === 401 || status === 403 ? 'UPSTREAM_AUTH_FAILED' : 'UPSTREAM_REJECTED';
  const said = parsed.success ? `${parsed.data.code}: ${parsed.data.message}` : 'no WordPress error body';
  const reason = `the shop answered HTTP ${status} (${said.length > 120 ? `${said.slice(0, 120)}…` : said})`;
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}

/** Our own refusal of a save the shop cannot take as it is (a customer it lacks, an amount it cannot hold). */
export function refusedBeforeSending(site: CallSite, reason: string): IntegrationError {
  return new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
}
