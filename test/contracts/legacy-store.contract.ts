import { type LegacyStore } from '../../src/domain';
import type { FaultSetting } from '../../src/systems/kit/sandbox';
import type { EstateSeed } from '../../src/systems/kit/seed';
import { failureOf } from '../support/failures';

/** What the contract needs: the implementation under test, and ways to observe and break the system behind it. */
export interface LegacyStoreHarness {
  readonly legacy: LegacyStore;
  /** The system name every error must carry. */
  readonly system: string;
  /** The estate the system was seeded from. */
  readonly estate: EstateSeed;
  /** Sets the system's fault switch (`POST /_sandbox/faults` for a sandbox). */
  setFault(setting: FaultSetting): Promise<void>;
  /** Requests the system has received so far for customer and for order look-ups. */
  calls(kind: 'customers' | 'orders'): Promise<number>;
  /** The same implementation, talking to the same system with a password it does not accept. */
  withWrongPassword(): LegacyStore & AsyncDisposable;
  /**
   * What the system saw outside the vendor's published contract so far (the WooCommerce sandbox's `spec-violations`);
   * absent where nothing checks it (the in-memory fake). Every test ends with none: a request WooCommerce would refuse fails.
   */
  specViolations?(): Promise<readonly unknown[]>;
  /** Releases the implementation and the system (clients, servers). */
  close(): Promise<void>;
}

export function describeLegacyStoreContract(label: string, setup: () => Promise<LegacyStoreHarness>): void {
  describe(`LegacyStore contract: ${label}`, () => {
    let harness: LegacyStoreHarness;
    let estate: EstateSeed;
    let legacy: LegacyStore;

    beforeAll(async () => {
      harness = await setup();
      ({ estate, legacy } = harness);
    });
    afterEach(async () => {
      await harness?.setFault({ mode: 'ok' });
      if (harness?.specViolations) expect(await harness.specViolations()).toEqual([]);
    });
    afterAll(async () => {
      await harness?.close();
    });

    describe('findCustomersByIds', () => {
      it('answers exactly the customers asked for, as migrated, in one call', async () => {
        const wanted = [0, 1, 41, 120, 239].map((index) => estate.customers[index]!);
        const before = await harness.calls('customers');
        const found = await legacy.findCustomersByIds([...wanted.map((customer) => customer.id), 'cus-99999']);
        expect(await harness.calls('customers')).toBe(before + 1);
        expect([...found.keys()].sort()).toEqual(wanted.map((customer) => customer.id).sort());
        for (const customer of wanted) {
          expect(found.get(customer.id)).toEqual({
            customerId: customer.id,
            legacyNumber: expect.any(String),
            email: customer.email,
            name: customer.name,
            phone: customer.phone,
            updatedAt: customer.updatedAt,
          });
        }
        expect(new Set([...found.values()].map((record) => record.legacyNumber)).size).toBe(wanted.length);
      });

      it('answers an empty map for no keys, or only unknown ones, without a wasted call', async () => {
        const before = await harness.calls('customers');
        expect((await legacy.findCustomersByIds([])).size).toBe(0);
        expect(await harness.calls('customers')).toBe(before);
        expect((await legacy.findCustomersByIds(['cus-99998', 'cus-99999'])).size).toBe(0);
      });
    });

    describe('findOrdersByIds', () => {
      it('answers exactly the orders asked for, with status, total and customer, in one call', async () => {
        const wanted = [0, 7, 300, 811, 1199].map((index) => estate.orders[index]!);
        const before = await harness.calls('orders');
        const found = await legacy.findOrdersByIds([...wanted.map((order) => order.id), 'ord-999999']);
        expect(await harness.calls('orders')).toBe(before + 1);
        expect([...found.keys()].sort()).toEqual(wanted.map((order) => order.id).sort());
        for (const order of wanted) {
          expect(found.get(order.id)).toEqual({
            orderId: order.id,
            legacyNumber: expect.any(String),
            customerId: order.customerId,
            status: order.status,
            total: order.total,
            updatedAt: order.updatedAt,
          });
        }
      });

      it('reads every status the estate uses', async () => {
        const oneOfEach = new Map(estate.orders.map((order) => [order.status, order]));
        const found = await legacy.findOrdersByIds([...oneOfEach.values()].map((order) => order.id));
        for (const [status, order] of oneOfEach) expect(found.get(order.id)?.status).toBe(status);
      });
    });

    describe('when the system misbehaves', () => {
      it('turns garbage (cut-off JSON, then the wrong shape) into UPSTREAM_BAD_RESPONSE', async () => {
        await harness.setFault({ mode: 'garbage' });
        for (const call of [
          () => legacy.findCustomersByIds([estate.customers[0]!.id]),
          () => legacy.findOrdersByIds([estate.orders[0]!.id]),
        ]) {
          const error = await failureOf(call());
          expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
          expect(error.system).toBe(harness.system);
        }
      });

      it('answers UPSTREAM_UNAVAILABLE when the system is down', async () => {
        await harness.setFault({ mode: 'down' });
        const error = await failureOf(legacy.findOrdersByIds([estate.orders[0]!.id]));
        expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
        expect(error.system).toBe(harness.system);
      });

      it('answers UPSTREAM_UNAVAILABLE when the system fails every request', async () => {
        await harness.setFault({ mode: 'flaky', probability: 1 });
        expect((await failureOf(legacy.findCustomersByIds([estate.customers[0]!.id]))).code).toBe('UPSTREAM_UNAVAILABLE');
      });

      it('answers UPSTREAM_RATE_LIMITED with the wait the system asked for', async () => {
        await harness.setFault({ mode: 'ratelimit', retryAfterSeconds: 7 });
        const error = await failureOf(legacy.findCustomersByIds([estate.customers[0]!.id]));
        expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
        expect(error.retryAfterMs).toBe(7_000);
      });

      it('answers UPSTREAM_AUTH_FAILED when the system refuses the password', async () => {
        await using wrong = harness.withWrongPassword();
        const error = await failureOf(wrong.findCustomersByIds([estate.customers[0]!.id]));
        expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
        expect(error.system).toBe(harness.system);
      });

      it('gives up when the caller stops waiting', async () => {
        await harness.setFault({ mode: 'slow', delayMs: 60_000 });
        const controller = new AbortController();
        const call = legacy.findCustomersByIds([estate.customers[0]!.id], { signal: controller.signal });
        controller.abort();
        expect((await failureOf(call)).code).toBe('UPSTREAM_TIMEOUT');
      });
    });
  });
}
