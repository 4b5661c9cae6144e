import { COURIER_B_SANDBOX_CREDENTIALS } from '../../src/systems/courier-b/sandbox';
import { CRM_SANDBOX_CREDENTIALS } from '../../src/systems/crm/sandbox';
import { ERP_SANDBOX_CREDENTIALS } from '../../src/systems/erp/sandbox';
import { LEGACY_SANDBOX_CREDENTIALS } from '../../src/systems/legacy/sandbox';
import { PAYMENTS_SANDBOX_CREDENTIALS } from '../../src/systems/payments/sandbox';

/**
 * The sandboxes' credentials, by name: the secrets test/e2e/secret-scan.test.ts plants in the product and looks for in
 * everything it gives out, for the scans of other artefacts (a recorded cassette).
 */
export function sandboxSecrets(): Record<string, string> {
  return {
    'crm client secret': CRM_SANDBOX_CREDENTIALS.clientSecret,
    'crm refresh token': CRM_SANDBOX_CREDENTIALS.refreshToken,
    'crm private app token': CRM_SANDBOX_CREDENTIALS.privateAppToken ?? '',
    'erp api key': ERP_SANDBOX_CREDENTIALS.apiKey,
    'payments secret key': PAYMENTS_SANDBOX_CREDENTIALS.secretKey,
    'payments webhook secret': PAYMENTS_SANDBOX_CREDENTIALS.webhookSecret,
    'courier b api key': COURIER_B_SANDBOX_CREDENTIALS.apiKey,
    'legacy password': LEGACY_SANDBOX_CREDENTIALS.password,
    'legacy basic auth': Buffer.from(`${LEGACY_SANDBOX_CREDENTIALS.username}:${LEGACY_SANDBOX_CREDENTIALS.password}`).toString('base64'),
  };
}

/** Each secret found in the texts, as `<name> in <text's first 200 characters>`: a scan passes with []. */
export function secretsIn(texts: readonly string[], secrets: Readonly<Record<string, string>>): string[] {
  const hits: string[] = [];
  for (const text of texts) {
    for (const [name, secret] of Object.entries(secrets)) if (secret !== '' && text.includes(secret)) hits.push(`${name} in ${text.slice(0, 200)}`);
  }
  return hits;
}
