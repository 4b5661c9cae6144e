import { createCourierAAdapter } from '../systems/courier-a/adapter';
import { createCourierBAdapter } from '../systems/courier-b/adapter';
import { createCrmAdapter } from '../systems/crm/adapter';
import { createErpAdapter } from '../systems/erp/adapter';
import { createLegacyAdapter } from '../systems/legacy/adapter';
import { createPaymentsAdapter } from '../systems/payments/adapter';
import { createStoreAdapter } from '../systems/store/adapter';
import type { Database } from '../db';
import type { Courier, CustomerDirectory, Erp, LegacyStore, PaymentGateway, SiteStore } from '../domain';
import type { SystemConnections } from '../estate/connections';
import type { Resilience } from '../resilience';
import { NO_PORTS, type SubgraphPorts } from '../../subgraphs';

/** Read-cache lifetimes per system, in ms: how stale a follower copy may be on the read path. */
export const CACHE_TTL_MS = { crm: 30_000, erp: 5_000, payments: 5_000, couriers: 15_000, legacy: 60_000 } as const;

/** The ports of the systems (the write path and auth are added by the stack). */
export type AdapterPorts = Omit<SubgraphPorts, 'writes' | 'auth' | 'truth'>;

export interface EstatePorts extends AsyncDisposable {
  /** Every port, wrapped by the resilience layer: what the subgraphs and the write path call. */
  readonly ports: AdapterPorts;
  close(): Promise<void>;
}

/**
 * The composition root of the adapters: one adapter per system, each wrapped once by the resilience layer with a
 * policy for every method (the type system refuses a port method without one).
 */
export function createEstatePorts(deps: {
  connections: SystemConnections;
  /** The site's database; without one (a subgraph process that does not serve the store) the store port refuses. */
  db?: Database;
  resilience: Resilience;
}): EstatePorts {
  const { connections, resilience } = deps;
  const store = deps.db ? createStoreAdapter({ db: deps.db }) : NO_PORTS.store;
  const crm = createCrmAdapter(connections.crm);
  const erp = createErpAdapter(connections.erp);
  const payments = createPaymentsAdapter(connections.payments);
  const courierA = createCourierAAdapter(connections.courierA);
  const courierB = createCourierBAdapter(connections.courierB);
  const legacy = createLegacyAdapter(connections.legacy);

  const ports: AdapterPorts = {
    store: resilience.wrap<SiteStore>('store', store, {
      findCustomersByIds: { kind: 'batch-read' },
      listCustomers: { kind: 'read' },
      findOrdersByIds: { kind: 'batch-read' },
      listOrders: { kind: 'read' },
      listOrdersByCustomerIds: { kind: 'read' },
    }),
    directory: resilience.wrap<CustomerDirectory>('crm', crm, {
      findByCustomerIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS.crm },
      upsertProfile: { kind: 'write' },
      updateSegment: { kind: 'write' },
    }),
    erp: resilience.wrap<Erp>('erp', erp, {
      findItemsBySkus: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS.erp },
      findPartnersByCustomerIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS.erp },
      findOrdersByOrderIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS.erp },
      adjustStock: { kind: 'write' },
      reserveStock: { kind: 'write' },
      releaseStock: { kind: 'write' },
      upsertPartner: { kind: 'write' },
      upsertOrder: { kind: 'write' },
    }),
    payments: resilience.wrap<PaymentGateway>('payments', payments, {
      findByOrderIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS.payments },
      createPayment: { kind: 'write' },
      confirmPayment: { kind: 'write' },
      capturePayment: { kind: 'write' },
      cancelPayment: { kind: 'write' },
      refundPayment: { kind: 'write' },
    }),
    couriers: [courierA, courierB].map((courier) =>
      resilience.wrap<Courier>(courier.carrier, courier, {
        findByOrderIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS.couriers },
        bookShipment: { kind: 'write' },
        cancelShipment: { kind: 'write' },
        }),
    ),
    legacy: resilience.wrap<LegacyStore>('legacy', legacy, {
      findCustomersByIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS.legacy },
      findOrdersByIds: { kind: 'batch-read', cacheTtlMs: CACHE_TTL_MS.legacy },
      // Reconciliation reads a day's changes as they are now: never from a cache.
      listCustomersChangedOn: { kind: 'read' },
      listOrdersChangedOn: { kind: 'read' },
      saveCustomer: { kind: 'write' },
      saveOrder: { kind: 'write' },
    }),
  };

  const close = async () => {
    await Promise.all([crm, erp, payments, courierA, courierB, legacy].map((adapter) => adapter[Symbol.asyncDispose]()));
  };
  return { ports, close, [Symbol.asyncDispose]: close };
}
