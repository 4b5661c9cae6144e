import type { Courier } from '../../domain';
import { definePolicies, type SystemSubgraph } from './define-system';

/** Read-cache lifetime of a courier's shipments: tracking moves within minutes, not seconds. */
export const COURIER_CACHE_TTL_MS = 15_000;

/** Every courier serves the same port, with the same policies. */
export const COURIER_POLICIES = definePolicies<Courier>({
  findByOrderIds: { kind: 'batch-read', cacheTtlMs: COURIER_CACHE_TTL_MS },
  bookShipment: { kind: 'write' },
  cancelShipment: { kind: 'write' },
});

/** Every courier's shipments are read through one subgraph, `couriers` (subgraphs/couriers), which asks each. */
export const COURIERS_SUBGRAPH: SystemSubgraph = { name: 'couriers', port: 4005 };
