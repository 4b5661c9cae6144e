import type { RedactionRules, SystemDefinition } from './kit/define-system';
import { courierASystem } from './courier-a';
import { courierBSystem } from './courier-b';
import { crmSystem } from './crm';
import { erpSystem } from './erp';
import { legacySystem } from './legacy';
import { paymentsSystem } from './payments';
import { storeSystem } from './store';
import { xeroSystem } from './xero';

export * from './kit/define-system';

/**
 * The registry: every system of the estate, in the order the product lists them. Config, connections, the
 * sandboxes, the ports, the admin listing, the outbox's follower handlers and the integration map's checks loop over
 * it. Adding a system is a folder with its `defineSystem` and a line here.
 */
export const SYSTEM_REGISTRY: readonly SystemDefinition<any>[] = [
  storeSystem,
  crmSystem,
  erpSystem,
  paymentsSystem,
  courierASystem,
  courierBSystem,
  xeroSystem,
  legacySystem,
];

/**
 * Every system's redaction rules (the secrets of its wire format that the generic redaction does not know), for the
 * redaction of what the integration log keeps.
 */
export const REDACTION_RULES: readonly RedactionRules[] = SYSTEM_REGISTRY.flatMap((system) => (system.redaction ? [system.redaction] : []));

/** The system of that name, or undefined. */
export function systemNamed(name: string): SystemDefinition<any> | undefined {
  return SYSTEM_REGISTRY.find((system) => system.name === name);
}
