import DataLoader from 'dataloader';
import type { Customer, Order, Page, SiteStore } from '../../src/domain';
import type { Truth } from '../../src/truth/truth';
import type { RequestTruth } from '../../src/truth/truth';
import { loaderOf, reportStale } from '../kit';

export interface StoreContext {
  readonly store: SiteStore;
  /** Source-of-truth resolution: the owner's value of each field, drift and conflicts recorded. */
  readonly truth: RequestTruth;
  readonly customers: DataLoader<string, Customer | null>;
  readonly orders: DataLoader<string, Order | null>;
  /** One page of a customer's orders; keys are {customerId, first, after}, batched by page arguments. */
  readonly ordersOfCustomer: DataLoader<CustomerOrdersKey, Page<Order>, string>;
}

export interface CustomerOrdersKey {
  readonly customerId: string;
  readonly first: number;
  readonly after: string | null;
}

export function createStoreContext(store: SiteStore, truth: Truth): StoreContext {
  const customers = loaderOf(store.findCustomersByIds);
  return {
    store,
    truth: truth.forRequest({ customers }, (answer) => reportStale(answer)),
    customers,
    orders: loaderOf(store.findOrdersByIds),
    ordersOfCustomer: new DataLoader<CustomerOrdersKey, Page<Order>, string>(
      async (keys) => {
        const groups = new Map<string, CustomerOrdersKey[]>();
        for (const key of keys) {
          const group = `${key.first}|${key.after ?? ''}`;
          groups.set(group, [...(groups.get(group) ?? []), key]);
        }
        const pages = new Map<string, Page<Order>>();
        await Promise.all(
          [...groups.values()].map(async (group) => {
            const [{ first, after }] = group as [CustomerOrdersKey];
            const found = await store.listOrdersByCustomerIds({ customerIds: group.map((key) => key.customerId), first, after });
            for (const key of group) pages.set(cacheKeyOf(key), found.get(key.customerId) ?? EMPTY_PAGE);
          }),
        );
        return keys.map((key) => pages.get(cacheKeyOf(key)) ?? EMPTY_PAGE);
      },
      { cacheKeyFn: cacheKeyOf },
    ),
  };
}

const cacheKeyOf = (key: CustomerOrdersKey): string => `${key.customerId}|${key.first}|${key.after ?? ''}`;
const EMPTY_PAGE: Page<Order> = { items: [], cursors: [], endCursor: null, hasNextPage: false, totalCount: 0 };
