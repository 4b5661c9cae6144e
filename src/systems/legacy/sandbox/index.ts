import type { SandboxDefinition } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import { legacyFailureBody, registerLegacyRoutes, type LegacyCredentials } from './routes';
import { registerLegacySaveRoutes } from './save-routes';
import { projectEstate, type LegacyCustomerRow, type LegacyOrderRow } from './vocabulary';

export type { LegacyCredentials } from './routes';
export type { LegacyCustomerRow, LegacyOrderRow, LegacyStatusCode } from './vocabulary';
export { formatAmount } from './vocabulary';
export { createLocalClock } from '../../../time/local-clock';

/** The shop's API user in the demo estate; the sandbox accepts these unless given others. */
export const LEGACY_SANDBOX_CREDENTIALS: LegacyCredentials = {
  username: 'shopapi',
  password: 'plugboard-demo-legacy-password',
};

export interface LegacySandboxOptions {
  /** The HTTP Basic user and password the shop accepts. @default LEGACY_SANDBOX_CREDENTIALS */
  readonly credentials?: LegacyCredentials;
  /** The server's clock: timestamps are its wall-clock time, without an offset. @default 'Europe/Amsterdam' */
  readonly timeZone?: string;
  /** Most keys one request may ask for (longer query strings broke the old Apache in front). @default 200 */
  readonly maxKeysPerCall?: number;
}

/**
 * The legacy shop being replaced: a PHP-era JSON API (`/api/legacy/customers.php`, `/api/legacy/orders.php`, their
 * `?mod_date=` listing of a day's changes, and the form-encoded `customer_save.php`, `order_save.php`) behind HTTP
 * Basic auth, answering `{ "ok": 1, "rows": [...] }` or `{ "ok": 0, "err": "KIND: message" }` in its own vocabulary
 * (see vocabulary.ts). Records: `customers` and `orders`, keyed by OUR ids (the shop's EXT_REF column).
 * Stats operations: `customers.get`, `orders.get`, `customers.changed`, `orders.changed`, `customers.save`,
 * `orders.save`.
 */
export function createLegacySandbox(estate: EstateSeed, options: LegacySandboxOptions = {}): SandboxDefinition {
  const maxKeys = options.maxKeysPerCall ?? 200;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`legacy sandbox: maxKeysPerCall must be a whole number from 1, got ${maxKeys}`);
  }
  const timeZone = options.timeZone ?? 'Europe/Amsterdam';
  return {
    name: 'legacy',
    failureBody: legacyFailureBody,
    contentTypes: ['application/x-www-form-urlencoded'],
    routes(app, context) {
      const projected = projectEstate(estate, timeZone);
      const customers = context.records.collection<LegacyCustomerRow>('customers');
      const orders = context.records.collection<LegacyOrderRow>('orders');
      for (const row of projected.customers) customers.set(row.EXT_REF, row);
      for (const row of projected.orders) orders.set(row.EXT_REF, row);
      const credentials = options.credentials ?? LEGACY_SANDBOX_CREDENTIALS;
      registerLegacyRoutes(app, context, { credentials, maxKeys });
      registerLegacySaveRoutes(app, context, { credentials, timeZone });
    },
  };
}
