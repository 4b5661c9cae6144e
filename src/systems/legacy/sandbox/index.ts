import type { SandboxDefinition } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';
import { legacyFailureBody, registerLegacyRoutes, type LegacyCredentials } from './routes';
import { productIds, projectEstate, type WooCustomer, type WooOrder } from './shop';

export type { LegacyCredentials } from './routes';
export { SPEC_VIOLATIONS, type SpecViolation } from '../../kit/spec';
export type { WooCustomer, WooOrder, WooMeta } from './shop';

/**
 * The shop's REST API key in the demo estate (WooCommerce > Settings > Advanced > REST API: a consumer key `ck_…` and
 * secret `cs_…`, 40 hex digits each), as the HTTP Basic user and password; the sandbox accepts these unless given others.
 */
export const LEGACY_SANDBOX_CREDENTIALS: LegacyCredentials = {
  username: 'ck_5d1c0b6e2f7a4e93b8c0d4a1f6e2b9c7a3d5e8f1',
  password: 'cs_9e4b7a2c1d8f6e3b5a0c7d9e2f4b6a8c1e3d5f70',
};

export interface LegacySandboxOptions {
  /** The REST API key the shop accepts. @default LEGACY_SANDBOX_CREDENTIALS */
  readonly credentials?: LegacyCredentials;
  /** The site's time zone (WordPress > Settings > General): `date_*` fields are its wall-clock time. @default 'Europe/Amsterdam' */
  readonly timeZone?: string;
  /** The shop's clock, for the change times of saves. @default the system clock */
  readonly now?: () => Date;
}

/**
 * The legacy shop being replaced, as a WooCommerce store answers its REST API v3 (`/wp-json/wc/v3`): customers and
 * orders listed, looked up by `include`, created and updated, behind a REST API key, every request and answer held to
 * WooCommerce's published schema (see ./routes.ts and ../woocommerce/). Records: `customers` and `orders`, keyed by
 * WooCommerce's ids; each carries our id in its `plugboard_id` meta entry, as the data migration left it.
 * Stats operations: `customers.get`, `orders.get` (by `include`), `customers.list`, `orders.list`, `orders.changed`
 * (by `modified_after`), `customers.save`, `orders.save`.
 */
export function createLegacySandbox(estate: EstateSeed, options: LegacySandboxOptions = {}): SandboxDefinition {
  const timeZone = options.timeZone ?? 'Europe/Amsterdam';
  return {
    name: 'legacy',
    failureBody: legacyFailureBody,
    routes(app, context) {
      const projected = projectEstate(estate, timeZone);
      const customers = context.records.collection<WooCustomer>('customers');
      const orders = context.records.collection<WooOrder>('orders');
      for (const row of projected.customers) customers.set(String(row.id), row);
      for (const row of projected.orders) orders.set(String(row.id), row);
      registerLegacyRoutes(app, context, {
        credentials: options.credentials ?? LEGACY_SANDBOX_CREDENTIALS,
        timeZone,
        now: options.now ?? (() => new Date()),
        products: productIds(estate),
      });
    },
  };
}
