import type { Database } from '../../db';
import type { SiteStore } from '../../domain';
import { defineSystem, definePolicies, type Connection } from '../kit/define-system';
import { storeDoctor } from './doctor';
import { createStoreAdapter } from './adapter';

export const STORE_POLICIES = definePolicies<SiteStore>({
  findCustomersByIds: { kind: 'batch-read' },
  listCustomers: { kind: 'read' },
  findOrdersByIds: { kind: 'batch-read' },
  listOrders: { kind: 'read' },
  listOrdersByCustomerIds: { kind: 'read' },
});

/** A store for a process that does not open the site's database: every call refuses, naming why. */
const NO_STORE = new Proxy({} as SiteStore, {
  get: (_target, property) => () => Promise.reject(new Error(`no store: this process opened no database (${String(property)})`)),
});

/** The new site's own store: our database (MikroORM), owner of what the matrix gives it. No sandbox, no settings. */
export const storeSystem = defineSystem<Connection>({
  name: 'store',
  kind: 'site-store',
  title: 'The new site\'s store (our database)',
  auth: 'none',
  format: 'sql',
  subgraph: { name: 'store', port: 4001 },
  doctor: storeDoctor,
  serve: ({ db, resilience }) => ({ ports: { store: resilience.wrap<SiteStore>('store', db ? createStoreAdapter({ db: db as Database }) : NO_STORE, STORE_POLICIES) } }),
});
