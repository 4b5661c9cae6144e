import type { LegacyAdapterOptions } from './adapter';
import { authenticationCheck, reachableCheck, sampleReads, type DoctorCheck, type SystemDoctor } from '../kit/doctor';

/**
 * The WooCommerce shop's readiness: its REST API key (HTTP Basic) on one customer of the customers route
 * (`per_page=1`), repeated for the latency; the `X-WP-Total` it answers says how many customers the shop has, and
 * whether the first one carries the `plugboard_id` the data migration writes (without it no record can be found by our id).
 */
export const legacyDoctor: SystemDoctor<LegacyAdapterOptions> = {
  async probe(context) {
    const authorization = `Basic ${Buffer.from(`${context.connection.username}:${context.connection.password}`, 'utf8').toString('base64')}`;
    const path = '/wp-json/wc/v3/customers?per_page=1&role=all&orderby=id&order=asc';
    const { last, latenciesMs } = await sampleReads(context, 'customers.list', { path, headers: { authorization } });
    const checks: DoctorCheck[] = [
      reachableCheck(last, 'GET /wp-json/wc/v3/customers'),
      authenticationCheck(last, 'the REST API key', 'set LEGACY_USERNAME and LEGACY_PASSWORD to the consumer key and secret of a WooCommerce REST API key (WooCommerce > Settings > Advanced > REST API)'),
    ];
    if (last.status === 200) checks.push(migrationCheck(last.body, last.headers['x-wp-total']));
    return { checks, latenciesMs };
  },
};

/** Whether the shop's records carry our ids: the first customer's `plugboard_id` meta entry. */
function migrationCheck(body: unknown, total: string | undefined): DoctorCheck {
  const first = Array.isArray(body) ? (body[0] as { meta_data?: { key?: unknown }[] } | undefined) : undefined;
  if (!first) return { name: 'our ids in the shop', status: 'warn', detail: 'the shop has no customers', action: 'run the data migration, which writes each record\'s plugboard_id' };
  const stamped = (first.meta_data ?? []).some((entry) => entry.key === 'plugboard_id');
  return stamped ?
      { name: 'our ids in the shop', status: 'ok', detail: `${total ?? 'some'} customers; the first carries its plugboard_id` }
    : { name: 'our ids in the shop', status: 'fail', detail: 'the first customer has no plugboard_id meta entry', action: 'run the data migration\'s id step: every customer and order needs plugboard_id (our id) in its meta_data' };
}
