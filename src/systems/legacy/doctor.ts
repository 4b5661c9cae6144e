import type { LegacyAdapterOptions } from './adapter';
import { authenticationCheck, reachableCheck, sampleReads, type DoctorCheck, type SystemDoctor } from '../kit/doctor';

/**
 * The legacy shop's readiness: HTTP Basic on its customers script, asked for one made-up reference (an empty
 * answer), repeated for the latency.
 */
export const legacyDoctor: SystemDoctor<LegacyAdapterOptions> = {
  async probe(context) {
    const authorization = `Basic ${Buffer.from(`${context.connection.username}:${context.connection.password}`, 'utf8').toString('base64')}`;
    const { last, latenciesMs } = await sampleReads(context, 'customers.get', { path: '/api/legacy/customers.php?ext=plugboard-doctor-probe', headers: { authorization } });
    const checks: DoctorCheck[] = [
      reachableCheck(last, 'GET /api/legacy/customers.php'),
      authenticationCheck(last, 'the API user\'s password', 'set LEGACY_USERNAME and LEGACY_PASSWORD to an API user of the shop'),
    ];
    return { checks, latenciesMs };
  },
};
