import type { Courier, CustomerDirectory, Erp, LegacyStore, PaymentGateway, SiteStore } from '../domain';
import { SYSTEM_REGISTRY, type FollowerHandler } from '../systems';

interface HandlerDeps {
  /** Each courier by its system name: cancels a booking a placeOrder could not undo at once. */
  readonly couriers?: readonly Courier[];
  readonly store: SiteStore;
  readonly directory: CustomerDirectory;
  readonly erp: Erp;
  readonly payments: PaymentGateway;
  /** The legacy shop: shadow mode's copies of the site's writes go there. */
  readonly legacy: LegacyStore;
  /** Any other port a system of the registry serves, by its port name. */
  readonly [port: string]: unknown;
  readonly invalidate: (system: string, operation: string, keys: readonly string[]) => Promise<void>;
}

/**
 * How each queued write reaches its system: the follower handlers every system of the registry declares
 * (`followers` in its `defineSystem`), keyed `<system>:<operation>`. Follower syncs push the owner's state as it is
 * when the job runs (not as it was when queued), so jobs applied late or twice can never move a follower backwards.
 */
export function createFollowerHandlers(deps: HandlerDeps): Record<string, FollowerHandler> {
  const { invalidate, ...ports } = deps;
  const handlers: Record<string, FollowerHandler> = {};
  for (const system of SYSTEM_REGISTRY) {
    // A courier missing from the ports (a test wiring only some) delivers nothing.
    if (system.kind === 'courier' && !ports.couriers?.some((courier) => courier.carrier === system.name)) continue;
    Object.assign(handlers, system.followers?.({ ports, invalidate }) ?? {});
  }
  return handlers;
}
