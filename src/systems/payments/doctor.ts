import Stripe from 'stripe';
import { authenticationCheck, reachableCheck, sampleReads, type DoctorCheck, type SystemDoctor } from '../kit/doctor';

/** The API version the `stripe` SDK pins, which every call of the adapter sends. */
const PINNED_VERSION = (Stripe as unknown as { API_VERSION?: string }).API_VERSION ?? 'unknown';

/**
 * The payment gateway's readiness (Stripe): the secret key on a one-item page of payment intents, the API version
 * the account answers when a call names none (`Stripe-Version` answer header: the account's default, which its
 * webhook endpoints use unless created with their own `api_version`), against the one the SDK pins; live or test mode
 * from the key's prefix (https://docs.stripe.com/keys, https://docs.stripe.com/api/versioning).
 */
export const paymentsDoctor: SystemDoctor<{ readonly baseUrl: string; readonly secretKey: string }> = {
  async probe(context) {
    const headers = { authorization: `Bearer ${context.connection.secretKey}` };
    const { last, latenciesMs } = await sampleReads(context, 'paymentIntents.list', { path: '/v1/payment_intents?limit=1', headers });
    const checks: DoctorCheck[] = [
      reachableCheck(last, 'GET /v1/payment_intents'),
      authenticationCheck(last, 'the secret key', 'set PAYMENTS_SECRET_KEY to a secret key (sk_live_… or sk_test_…) of this account'),
    ];
    if (last.status === 401 || last.status === 403) return { checks, latenciesMs };
    const accountVersion = last.headers['stripe-version'];
    checks.push(
      !accountVersion ? { name: 'api version', status: 'warn', detail: 'the answer named no Stripe-Version', action: 'check the account\'s API version in the dashboard (Developers > API version)' }
      : accountVersion === PINNED_VERSION ? { name: 'api version', status: 'ok', detail: `the account answers ${accountVersion}, the version the SDK pins` }
      : {
          name: 'api version',
          status: 'warn',
          detail: `the account's default API version is ${accountVersion}; the adapter sends ${PINNED_VERSION} (the SDK's pin)`,
          action: `create the webhook endpoint with api_version ${PINNED_VERSION}, so its events have the shape the adapter reads`,
        },
    );
    const mode = context.connection.secretKey.startsWith('sk_live_') ? 'live' : context.connection.secretKey.startsWith('sk_test_') ? 'test' : 'unknown';
    checks.push({ name: 'mode', status: mode === 'unknown' ? 'warn' : 'ok', detail: `the secret key is a ${mode}-mode key`, ...(mode === 'unknown' ? { action: 'use a secret key (sk_live_… or sk_test_…), not a restricted or publishable one' } : {}) });
    return { checks, latenciesMs, apiVersion: accountVersion ?? PINNED_VERSION };
  },
};
