/**
 * The systems of the example estate: what each one is and how it is reached. The integration map (schema/) grows
 * out of this list; until then it is the one place that names them.
 */
export const SYSTEM_NAMES = ['store', 'crm', 'erp', 'payments', 'courier-a', 'courier-b', 'legacy'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

export interface SystemDescription {
  readonly name: SystemName;
  readonly kind: 'site-store' | 'crm' | 'erp' | 'payment-gateway' | 'courier' | 'legacy-store';
  readonly title: string;
  readonly auth: 'none' | 'oauth2-client-credentials' | 'api-key' | 'basic' | 'mtls';
  readonly format: 'sql' | 'json' | 'json-rpc' | 'form' | 'xml';
  /** Port of its sandbox in the embedded estate (`npm start`). */
  readonly sandboxPort?: number;
}

export const SYSTEMS: readonly SystemDescription[] = [
  { name: 'store', kind: 'site-store', title: 'The new site\'s store (our database)', auth: 'none', format: 'sql' },
  { name: 'crm', kind: 'crm', title: 'CRM (HubSpot-style objects API)', auth: 'oauth2-client-credentials', format: 'json', sandboxPort: 4101 },
  { name: 'erp', kind: 'erp', title: 'ERP (Odoo-style JSON-RPC)', auth: 'api-key', format: 'json-rpc', sandboxPort: 4102 },
  { name: 'payments', kind: 'payment-gateway', title: 'Payment gateway (Stripe wire format)', auth: 'api-key', format: 'form', sandboxPort: 4103 },
  { name: 'courier-a', kind: 'courier', title: 'Courier A (XML over mutual TLS)', auth: 'mtls', format: 'xml', sandboxPort: 4104 },
  { name: 'courier-b', kind: 'courier', title: 'Courier B (ShipEngine-style JSON)', auth: 'api-key', format: 'json', sandboxPort: 4105 },
  { name: 'legacy', kind: 'legacy-store', title: 'Legacy store (being replaced)', auth: 'basic', format: 'json', sandboxPort: 4106 },
];

/** Default ports of the subgraphs when each runs as its own process, and of the gateway. */
export const SUBGRAPH_PORTS = { store: 4001, crm: 4002, erp: 4003, payments: 4004, couriers: 4005, legacy: 4006, writes: 4007 } as const;
export const GATEWAY_PORT = 4000;
