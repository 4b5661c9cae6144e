import type { XeroConnection } from './index';
import { authenticationCheck, reachableCheck, sampleReads, type DoctorCheck, type SystemDoctor } from '../kit/doctor';

/**
 * The accounting system's readiness (Xero, a custom connection): a client-credentials token at the token URL, then a
 * page of invoices for the organisation (`xero-tenant-id`), repeated for the latency; Xero's rate-limit headers
 * (`X-MinLimit-Remaining`, `X-DayLimit-Remaining`, `X-AppMinLimit-Remaining`) are reported as seen
 * (https://developer.xero.com/documentation/guides/oauth2/limits/).
 */
export const xeroDoctor: SystemDoctor<XeroConnection> = {
  async probe(context) {
    const { clientId, clientSecret, tenantId, tokenUrl } = context.connection;
    const token = await context.request('accessToken', {
      method: 'POST',
      path: tokenUrl,
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'accounting.transactions' }).toString(),
    });
    const accessToken = (token.body as { access_token?: unknown } | null)?.access_token;
    const fix = 'set XERO_CLIENT_ID and XERO_CLIENT_SECRET to those of the custom connection of this organisation';
    if (typeof accessToken !== 'string') {
      const check = authenticationCheck(token, 'the custom connection\'s client id and secret', fix);
      return { checks: [reachableCheck(token, 'the token URL'), check.status === 'ok' ? { name: 'authenticated', status: 'fail', detail: `the token URL answered ${token.status} without a token`, action: fix } : check] };
    }
    const headers = { authorization: `Bearer ${accessToken}`, 'xero-tenant-id': tenantId };
    const { last, latenciesMs } = await sampleReads(context, 'invoices.list', { path: '/Invoices?page=1', headers });
    const checks: DoctorCheck[] = [reachableCheck(last, 'GET /Invoices'), authenticationCheck(last, 'the access token for this organisation', 'set XERO_TENANT_ID to the organisation the custom connection was made for')];
    return { checks, latenciesMs, apiVersion: 'Accounting API 2.0' };
  },
};
