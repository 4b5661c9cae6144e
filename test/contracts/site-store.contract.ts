import {
  type Customer,
  type Order,
  type OrderStatus,
  type Page,
  type SiteStore,
} from '../../src/domain';
import type { EstateSeed } from '../../src/systems/kit/seed';
import { failureOf } from '../support/failures';

/** What the contract needs: the implementation under test, seeded with the estate, and a way to observe its work. */
export interface SiteStoreHarness {
  readonly store: SiteStore;
  /** The system name every error must carry. */
  readonly system: string;
  /** The estate the store was seeded from. */
  readonly estate: EstateSeed;
  /** Statements (queries) the store has sent to its database so far; absent for stores without one. */
  statements?(): number;
  /** Releases the implementation and what is behind it. */
  close(): Promise<void>;
}

/** The order every list of orders comes in: newest first, ties broken by id, descending. */
const newestFirst = (a: Order, b: Order): number =>
  b.placedAt.getTime() - a.placedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Every page of a paged read, following endCursor until hasNextPage is false. */
async function allPages<T>(read: (after: string | null) => Promise<Page<T>>, limit = 1_000): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let after: string | null = null;
  for (let n = 0; n < limit; n += 1) {
    const page: Page<T> = await read(after);
    pages.push(page);
    if (!page.hasNextPage) return pages;
    after = page.endCursor;
  }
  throw new Error(`still paging after ${limit} pages`);
}

export function describeSiteStoreContract(label: string, setup: () => Promise<SiteStoreHarness>): void {
  describe(`SiteStore contract: ${label}`, () => {
    let harness: SiteStoreHarness;
    let estate: EstateSeed;
    let store: SiteStore;
    /** Customers with the most orders, most first: they make paging per customer matter. */
    let busiest: Customer[];

    beforeAll(async () => {
      harness = await setup();
      ({ estate, store } = harness);
      const counts = new Map<string, number>();
      for (const order of estate.orders) counts.set(order.customerId, (counts.get(order.customerId) ?? 0) + 1);
      busiest = [...estate.customers].sort((a, b) => (counts.get(b.id) ?? 0) - (counts.get(a.id) ?? 0));
    });
    afterAll(async () => {
      await harness?.close();
    });

    /** Runs a call and answers how many statements it sent (undefined when the store cannot tell). */
    async function counted<T>(call: () => Promise<T>): Promise<{ result: T; statements: number | undefined }> {
      const before = harness.statements?.();
      const result = await call();
      const after = harness.statements?.();
      return { result, statements: before === undefined || after === undefined ? undefined : after - before };
    }

    const ordersOf = (customerId: string): Order[] =>
      estate.orders.filter((order) => order.customerId === customerId).sort(newestFirst);

    describe('findCustomersByIds', () => {
      it('answers exactly the customers asked for, as seeded, leaving unknown ids out, in one query', async () => {
        const wanted = [estate.customers[0]!, estate.customers[17]!, estate.customers[239]!];
        const { result, statements } = await counted(() =>
          store.findCustomersByIds([...wanted.map((customer) => customer.id), 'cus-99999', wanted[0]!.id]),
        );
        expect([...result.keys()].sort()).toEqual(wanted.map((customer) => customer.id).sort());
        for (const customer of wanted) expect(result.get(customer.id)).toEqual(customer);
        if (statements !== undefined) expect(statements).toBe(1);
      });

      it('answers an empty map for no keys', async () => {
        expect((await store.findCustomersByIds([])).size).toBe(0);
      });

      it('keeps a customer without a phone as null', async () => {
        const phoneless = estate.customers.find((customer) => customer.phone === null)!;
        expect((await store.findCustomersByIds([phoneless.id])).get(phoneless.id)?.phone).toBeNull();
      });
    });

    describe('findOrdersByIds', () => {
      it('answers exactly the orders asked for with their lines in order and totals, in at most two queries', async () => {
        const wanted = [estate.orders[0]!, estate.orders[1]!, estate.orders[500]!, estate.orders[1199]!];
        const { result, statements } = await counted(() =>
          store.findOrdersByIds([...wanted.map((order) => order.id), 'ord-999999']),
        );
        expect([...result.keys()].sort()).toEqual(wanted.map((order) => order.id).sort());
        for (const order of wanted) expect(result.get(order.id)).toEqual(order);
        if (statements !== undefined) expect(statements).toBeLessThanOrEqual(2);
      });

      it('answers 200 orders in the same number of queries as 2', async () => {
        const ids = estate.orders.slice(0, 200).map((order) => order.id);
        const few = await counted(() => store.findOrdersByIds(ids.slice(0, 2)));
        const many = await counted(() => store.findOrdersByIds(ids));
        expect(many.result.size).toBe(200);
        expect(many.statements).toBe(few.statements);
      });
    });

    describe('listCustomers', () => {
      it('pages through every customer once, by id, with a total count', async () => {
        const pages = await allPages((after) => store.listCustomers({ first: 50, after }));
        const ids = pages.flatMap((page) => page.items.map((customer) => customer.id));
        expect(ids).toEqual(estate.customers.map((customer) => customer.id).sort());
        expect(pages).toHaveLength(5);
        for (const page of pages) {
          expect(page.totalCount).toBe(estate.customers.length);
          expect(page.cursors).toHaveLength(page.items.length);
          expect(page.endCursor).toBe(page.cursors[page.cursors.length - 1]);
        }
      });

      it('refuses a cursor it did not give out', async () => {
        const error = await failureOf(store.listCustomers({ first: 10, after: 'not-a-cursor' }));
        expect(error.code).toBe('UPSTREAM_REJECTED');
        expect(error.system).toBe(harness.system);
      });
    });

    describe('listOrders', () => {
      it('pages through all orders with first=100, each exactly once, newest first', async () => {
        const pages = await allPages((after) => store.listOrders({ first: 100, after }));
        const ids = pages.flatMap((page) => page.items.map((order) => order.id));
        expect(pages).toHaveLength(12);
        expect(new Set(ids).size).toBe(estate.orders.length);
        expect(ids).toEqual([...estate.orders].sort(newestFirst).map((order) => order.id));
        expect(pages.every((page) => page.totalCount === estate.orders.length)).toBe(true);
        expect(pages[11]!.hasNextPage).toBe(false);
        expect(pages[3]!.items[7]).toEqual([...estate.orders].sort(newestFirst)[307]);
      });

      it('filters by customer', async () => {
        const customer = busiest[0]!;
        const page = await store.listOrders({ first: 500, customerId: customer.id });
        expect(page.items).toEqual(ordersOf(customer.id));
        expect(page.totalCount).toBe(ordersOf(customer.id).length);
        expect(page.hasNextPage).toBe(false);
      });

      it('filters by status, and by customer and status together', async () => {
        const status: OrderStatus = 'SHIPPED';
        const shipped = estate.orders.filter((order) => order.status === status).sort(newestFirst);
        const pages = await allPages((after) => store.listOrders({ first: 60, after, status }));
        expect(pages.flatMap((page) => page.items.map((order) => order.id))).toEqual(shipped.map((order) => order.id));
        expect(pages[0]!.totalCount).toBe(shipped.length);

        const customer = busiest.find((candidate) => ordersOf(candidate.id).some((order) => order.status === 'DELIVERED'))!;
        const both = await store.listOrders({ first: 500, customerId: customer.id, status: 'DELIVERED' });
        expect(both.items).toEqual(ordersOf(customer.id).filter((order) => order.status === 'DELIVERED'));
      });

      it('answers an empty page for a customer without orders', async () => {
        const page = await store.listOrders({ first: 10, customerId: 'cus-99999' });
        expect(page).toEqual({ items: [], cursors: [], endCursor: null, hasNextPage: false, totalCount: 0 });
      });

      it('caps a page at 500 orders', async () => {
        const page = await store.listOrders({ first: 10_000 });
        expect(page.items).toHaveLength(500);
        expect(page.hasNextPage).toBe(true);
      });

      it('refuses a customer cursor where an order cursor belongs, and a negative page size', async () => {
        const customers = await store.listCustomers({ first: 1 });
        const wrong = await failureOf(store.listOrders({ first: 5, after: customers.endCursor }));
        expect(wrong.code).toBe('UPSTREAM_REJECTED');
        expect((await failureOf(store.listOrders({ first: -1 }))).code).toBe('UPSTREAM_REJECTED');
      });
    });

    describe('listOrdersByCustomerIds', () => {
      it("gives each customer the page listOrders gives for that customer alone", async () => {
        const customers = busiest.slice(0, 5);
        const pages = await store.listOrdersByCustomerIds({ customerIds: customers.map((c) => c.id), first: 3 });
        expect([...pages.keys()].sort()).toEqual(customers.map((customer) => customer.id).sort());
        for (const customer of customers) {
          const alone = await store.listOrders({ first: 3, customerId: customer.id });
          expect(pages.get(customer.id)).toEqual(alone);
          expect(alone.items).toEqual(ordersOf(customer.id).slice(0, 3));
          expect(alone.hasNextPage).toBe(true);
        }
      });

      it('continues each customer after its own cursor', async () => {
        const customer = busiest[0]!;
        const first = (await store.listOrdersByCustomerIds({ customerIds: [customer.id], first: 3 })).get(customer.id)!;
        const next = await store.listOrdersByCustomerIds({ customerIds: [customer.id], first: 3, after: first.endCursor });
        expect(next.get(customer.id)).toEqual(await store.listOrders({ first: 3, customerId: customer.id, after: first.endCursor }));
        expect(next.get(customer.id)!.items).toEqual(ordersOf(customer.id).slice(3, 6));
      });

      it('answers an empty page for a customer without orders', async () => {
        const pages = await store.listOrdersByCustomerIds({ customerIds: ['cus-99999', busiest[0]!.id], first: 3 });
        expect(pages.get('cus-99999')).toEqual({ items: [], cursors: [], endCursor: null, hasNextPage: false, totalCount: 0 });
        expect(pages.get(busiest[0]!.id)!.items).toHaveLength(3);
      });

      it('sends as many queries for 100 customers as for 5', async () => {
        const five = await counted(() =>
          store.listOrdersByCustomerIds({ customerIds: busiest.slice(0, 5).map((c) => c.id), first: 3 }),
        );
        const hundred = await counted(() =>
          store.listOrdersByCustomerIds({ customerIds: busiest.slice(0, 100).map((c) => c.id), first: 3 }),
        );
        expect(hundred.result.size).toBe(100);
        expect(hundred.statements).toBe(five.statements);
        if (five.statements !== undefined) expect(five.statements).toBeLessThanOrEqual(3);
      });
    });

    describe('cancellation', () => {
      it('gives up on a call whose signal is already aborted, naming the system', async () => {
        const controller = new AbortController();
        controller.abort();
        const error = await failureOf(store.findCustomersByIds([estate.customers[0]!.id], { signal: controller.signal }));
        expect(error.code).toBe('UPSTREAM_TIMEOUT');
        expect(error.system).toBe(harness.system);
      });
    });
  });
}
