import { getDistDirectory, renderAltair } from 'altair-static';

/** The query a developer sees first in the explorer: one that touches every system of the example estate. */
export const EXPLORER_WELCOME_QUERY = `# Welcome to Plugboard: one graph over the store, CRM, ERP, payment gateway and couriers.
# Run this (Ctrl+Enter); every field comes from the system that owns it.
query CustomersWithOrders {
  customers(first: 5) {
    totalCount
    nodes {
      id
      email
      name
      segment
      lifetimeValue { amount currency }
      orders(first: 3) {
        nodes {
          id
          number
          status
          total { amount currency }
          lines { sku quantity item { name onHand available price { amount currency } } }
          payment { status amount { amount currency } }
          shipments { carrier trackingNumber status }
        }
      }
    }
  }
}
`;

export interface ExplorerOptions {
  /** Where the explorer's own files are served from. */
  readonly assetsPath: string;
  readonly endpointPath: string;
  /** Headers the explorer starts with, e.g. the demo's Authorization. */
  readonly initialHeaders?: Record<string, string>;
}

/** The explorer page: Altair, served from the altair-static package's own files, so it works offline. */
export function explorerPage(options: ExplorerOptions): string {
  return renderAltair({
    baseURL: `${options.assetsPath.replace(/\/$/, '')}/`,
    endpointURL: options.endpointPath,
    initialQuery: EXPLORER_WELCOME_QUERY,
    initialHeaders: options.initialHeaders,
    initialName: 'Plugboard',
    // Nothing that would reach beyond this host: no update checks, banners or plugins from a registry.
    initialSettings: {
      'alert.disableUpdateNotification': true,
      'banners.disable': true,
      disablePushNotification: true,
      'plugin.list': [],
      'schema.reloadOnStart': true,
    },
  });
}

export const explorerAssetsDirectory = (): string => getDistDirectory();
