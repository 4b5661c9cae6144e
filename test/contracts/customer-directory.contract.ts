import {
  type Customer,
  type CustomerDirectory,
  type CustomerSegment,
  type IntegrationError,
  type IntegrationErrorCode,
} from '../../src/domain';
import type { FaultSetting } from '../../src/systems/kit/sandbox';
import type { EstateSeed } from '../../src/systems/kit/seed';
import { failureOf } from '../support/failures';

/** What the system holds for one customer, read around the port (its records window), in our vocabulary. */
export interface StoredProfile {
  readonly crmId: string;
  readonly email: string;
  readonly name: string;
  readonly phone: string | null;
  readonly segment: CustomerSegment | null;
}

/** What the contract needs: the implementation under test, and ways to observe and break the system behind it. */
export interface CustomerDirectoryHarness {
  readonly directory: CustomerDirectory;
  /** The system name every error must carry. */
  readonly system: string;
  /** The estate the system was seeded from. */
  readonly estate: EstateSeed;
  /** Sets the system's fault switch (`POST /_sandbox/faults` for a sandbox). */
  setFault(setting: FaultSetting): Promise<void>;
  /** Batch-read requests the system has received so far. */
  batchReadCalls(): Promise<number>;
  /** What the system holds now for a customer id; undefined when it has no such customer. */
  stored(customerId: string): Promise<StoredProfile | undefined>;
  /** Releases the implementation and the system (clients, servers). */
  close(): Promise<void>;
  /** The vendor behind it, where there is one (see {@link CustomerDirectoryCapabilities}). */
  readonly vendor?: CustomerDirectoryVendor;
}

/** What an implementation can be tested for beyond the port. */
export interface CustomerDirectoryCapabilities {
  /** A vendor's sandbox stands behind it: the vendor cases run, through the harness's `vendor`. @default false */
  readonly vendor?: boolean;
}

/**
 * Ways into the vendor behind an adapter (a sandbox of a real vendor's API), for the cases only a vendor has: a
 * contact someone made in the CRM itself, access tokens that expire, a rate limit. A fake leaves them out.
 */
export interface CustomerDirectoryVendor {
  /** Makes a contact in the CRM itself (a form, an import), not ours: no customer id on it. Answers its CRM id. */
  addForeignContact(email: string, name: string): Promise<string>;
  /** Lets every access token the CRM has issued expire. */
  expireAccessTokens(): Promise<void>;
  /** Token requests the CRM has answered so far. */
  tokenRequests(): Promise<number>;
  /** Spends the CRM's rate limit (through another client of the same account) until `left` calls remain. */
  spendRateLimit(left: number): Promise<void>;
  /** The waits (ms) the implementation asked for before its calls, so far (it is given a fake sleep). */
  waits(): readonly number[];
}

let keys = 0;
const idempotencyKey = (what: string): string => `contract-${what}-${process.pid}-${(keys += 1)}`;

/** A customer the system has never seen. */
const newCustomer = (id: string, overrides: Partial<Customer> = {}): Customer => ({
  id,
  email: `${id}@contract.example.com`,
  name: 'Nova Contract',
  phone: '+31 6 12345678',
  createdAt: new Date('2026-03-01T10:00:00.000Z'),
  updatedAt: new Date('2026-03-01T10:00:00.000Z'),
  ...overrides,
});

/** A segment other than the ones given. */
const otherSegment = (...avoid: (CustomerSegment | undefined)[]): CustomerSegment =>
  (['VIP', 'CHURNED', 'PROSPECT', 'CUSTOMER', 'LEAD'] as const).find((s) => !avoid.includes(s)) as CustomerSegment;

/**
 * The CustomerDirectory contract: every implementation (the CRM adapter against its sandbox, any fake) runs it.
 * `setup` is called once; the suite uses distinct customers per test, so tests do not depend on each other's writes.
 */
export function describeCustomerDirectoryContract(
  label: string,
  setup: () => Promise<CustomerDirectoryHarness>,
  capabilities: CustomerDirectoryCapabilities = {},
): void {
  describe(`CustomerDirectory contract: ${label}`, () => {
    let h: CustomerDirectoryHarness;
    const customer = (index: number): Customer => h.estate.customers[index] as Customer;
    const expectFailure = async (promise: Promise<unknown>, code: IntegrationErrorCode): Promise<IntegrationError> => {
      const error = await failureOf(promise);
      expect({ code: error.code, system: error.system }).toEqual({ code, system: h.system });
      return error;
    };

    beforeAll(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.setFault({ mode: 'ok' });
    });
    afterAll(async () => {
      await h?.close();
    });

    describe('findByCustomerIds', () => {
      it('answers exactly the customers asked for, in our vocabulary; unknown ids are absent', async () => {
        const asked = [customer(0), customer(1), customer(2)];
        const found = await h.directory.findByCustomerIds([...asked.map((c) => c.id), 'cus-not-in-the-crm']);

        expect([...found.keys()].sort()).toEqual(asked.map((c) => c.id).sort());
        for (const c of asked) {
          const facts = h.estate.crm.get(c.id);
          expect(found.get(c.id)).toMatchObject({
            customerId: c.id,
            email: c.email,
            name: c.name,
            phone: c.phone,
            segment: facts?.segment,
            lifetimeValue: { minor: facts?.lifetimeValueMinor, currency: h.estate.currency },
          });
          expect(found.get(c.id)?.crmId).toEqual(expect.any(String));
          expect(found.get(c.id)?.updatedAt).toBeInstanceOf(Date);
        }
      });

      it('asks the system once for a batch, however many ids (and duplicates) it holds', async () => {
        const ids = h.estate.customers.slice(10, 70).map((c) => c.id);
        const before = await h.batchReadCalls();

        const found = await h.directory.findByCustomerIds([...ids, ...ids.slice(0, 5)]);

        expect(found.size).toBe(60);
        expect((await h.batchReadCalls()) - before).toBe(1);
      });

      it('answers every one of more than 100 ids (the vendor caps a batch at 100)', async () => {
        const ids = h.estate.customers.slice(100, 250).map((c) => c.id);
        const found = await h.directory.findByCustomerIds(ids);
        expect([...found.keys()].sort()).toEqual([...ids].sort());
      });

      it('answers an empty map without calling the system when asked for nothing', async () => {
        const before = await h.batchReadCalls();
        const found = await h.directory.findByCustomerIds([]);
        expect(found.size).toBe(0);
        expect(await h.batchReadCalls()).toBe(before);
      });
    });

    describe('upsertProfile', () => {
      it('updates the profile of a customer the system knows, and leaves what it owns alone', async () => {
        const original = customer(5);
        const changed: Customer = {
          ...original,
          email: 'renamed.five@example.com',
          name: 'Renamed Person',
          phone: null,
        };

        const key = idempotencyKey('update');
        const profile = await h.directory.upsertProfile({ customer: changed, idempotencyKey: key });

        const facts = h.estate.crm.get(original.id);
        expect(profile).toMatchObject({
          customerId: original.id,
          email: 'renamed.five@example.com',
          name: 'Renamed Person',
          phone: null,
          segment: facts?.segment,
          lifetimeValue: { minor: facts?.lifetimeValueMinor, currency: h.estate.currency },
        });
        expect(await h.stored(original.id)).toMatchObject({
          crmId: profile.crmId,
          email: 'renamed.five@example.com',
          name: 'Renamed Person',
          phone: null,
        });
      });

      it('creates a customer the system does not know, as a lead worth nothing yet', async () => {
        const fresh = newCustomer('cus-contract-new-1');
        expect(await h.stored(fresh.id)).toBeUndefined();

        const profile = await h.directory.upsertProfile({ customer: fresh, idempotencyKey: idempotencyKey('create') });

        expect(profile).toMatchObject({
          customerId: fresh.id,
          email: fresh.email,
          name: fresh.name,
          phone: fresh.phone,
          segment: 'LEAD',
          lifetimeValue: { minor: 0, currency: h.estate.currency },
        });
        expect(await h.stored(fresh.id)).toMatchObject({ crmId: profile.crmId, email: fresh.email, name: fresh.name });
        expect((await h.directory.findByCustomerIds([fresh.id])).get(fresh.id)?.crmId).toBe(profile.crmId);
      });

      it('applies a write once: the same idempotency key again changes nothing', async () => {
        const fresh = newCustomer('cus-contract-new-2');
        const key = idempotencyKey('upsert-once');
        const first = await h.directory.upsertProfile({ customer: fresh, idempotencyKey: key });
        await h.directory.upsertProfile({
          customer: { ...fresh, name: 'Later Name' },
          idempotencyKey: idempotencyKey('upsert-later'),
        });

        const replayed = await h.directory.upsertProfile({ customer: fresh, idempotencyKey: key });

        expect(replayed.crmId).toBe(first.crmId);
        expect(await h.stored(fresh.id)).toMatchObject({ crmId: first.crmId, name: 'Later Name' });
      });
    });

    describe('updateSegment', () => {
      it('sets the segment the system owns, visible in its records and in later reads', async () => {
        const target = customer(30);
        const segment = otherSegment(h.estate.crm.get(target.id)?.segment);

        const profile = await h.directory.updateSegment({
          customerId: target.id,
          segment,
          idempotencyKey: idempotencyKey('segment'),
        });

        expect(profile).toMatchObject({ customerId: target.id, segment, email: target.email });
        expect((await h.stored(target.id))?.segment).toBe(segment);
        expect((await h.directory.findByCustomerIds([target.id])).get(target.id)?.segment).toBe(segment);
      });

      it('applies a segment change once: the same idempotency key again does not undo a later change', async () => {
        const target = customer(31);
        const first = otherSegment(h.estate.crm.get(target.id)?.segment);
        const second = otherSegment(first, h.estate.crm.get(target.id)?.segment);
        const key = idempotencyKey('segment-once');
        await h.directory.updateSegment({ customerId: target.id, segment: first, idempotencyKey: key });
        const later = idempotencyKey('segment-later');
        await h.directory.updateSegment({ customerId: target.id, segment: second, idempotencyKey: later });

        await h.directory.updateSegment({ customerId: target.id, segment: first, idempotencyKey: key });

        expect((await h.stored(target.id))?.segment).toBe(second);
      });

      it('moves a segment backwards (VIP to LEAD), though the vendor moves its stages forward only', async () => {
        const target = customer(32);
        const key = idempotencyKey('segment-up');
        await h.directory.updateSegment({ customerId: target.id, segment: 'VIP', idempotencyKey: key });

        const profile = await h.directory.updateSegment({
          customerId: target.id,
          segment: 'LEAD',
          idempotencyKey: idempotencyKey('segment-back'),
        });

        expect(profile.segment).toBe('LEAD');
        expect((await h.stored(target.id))?.segment).toBe('LEAD');
      });

      it('refuses a customer the system does not know as UPSTREAM_REJECTED', async () => {
        await expectFailure(
          h.directory.updateSegment({
            customerId: 'cus-nobody',
            segment: 'VIP',
            idempotencyKey: idempotencyKey('nobody'),
          }),
          'UPSTREAM_REJECTED',
        );
        expect(await h.stored('cus-nobody')).toBeUndefined();
      });
    });

    if (capabilities.vendor) {
      describe('as the vendor behaves', () => {
        const vendor = (): CustomerDirectoryVendor => {
          if (!h.vendor) throw new Error('the harness declared a vendor and gave none');
          return h.vendor;
        };

        it('adopts a contact that already holds a new customer\'s e-mail (409 CONFLICT) instead of failing', async () => {
          const walkIn = newCustomer('cus-contract-walk-in', { email: 'walk-in@contract.example.com', name: 'Walk In' });
          const crmId = await vendor().addForeignContact(walkIn.email, 'Someone Else');

          const profile = await h.directory.upsertProfile({ customer: walkIn, idempotencyKey: idempotencyKey('adopt') });

          expect(profile).toMatchObject({ customerId: walkIn.id, crmId, email: walkIn.email, name: 'Walk In' });
          expect(await h.stored(walkIn.id)).toMatchObject({ crmId, email: walkIn.email, name: 'Walk In' });
        });

        it('renews an access token that expired, once, and answers', async () => {
          await h.directory.findByCustomerIds([customer(50).id]);
          const before = await vendor().tokenRequests();
          await vendor().expireAccessTokens();

          const found = await h.directory.findByCustomerIds([customer(51).id]);

          expect(found.get(customer(51).id)?.email).toBe(customer(51).email);
          expect((await vendor().tokenRequests()) - before).toBe(1);
        });

        it('slows down when the rate limit runs out, instead of earning a 429', async () => {
          await vendor().spendRateLimit(1);
          const waited = vendor().waits().length;

          await h.directory.findByCustomerIds([customer(52).id]);
          const found = await h.directory.findByCustomerIds([customer(53).id]);

          expect(found.size).toBe(1);
          expect(vendor().waits().slice(waited)).toEqual([expect.any(Number)]);
          expect(vendor().waits().slice(waited)[0]).toBeGreaterThan(0);
        });

        it('after a 429, reports the wait the rate-limit window names and waits it out before the next call', async () => {
          await vendor().spendRateLimit(0);
          const waited = vendor().waits().length;

          const error = await expectFailure(h.directory.findByCustomerIds([customer(54).id]), 'UPSTREAM_RATE_LIMITED');
          const found = await h.directory.findByCustomerIds([customer(54).id]);

          expect(error.retryAfterMs).toBeGreaterThan(0);
          expect(found.size).toBe(1);
          // The wait left of the window it named: at most that, and more than nothing.
          const [wait, ...more] = vendor().waits().slice(waited);
          expect(more).toEqual([]);
          expect(wait).toBeGreaterThan(0);
          expect(wait).toBeLessThanOrEqual(error.retryAfterMs ?? 0);
        });
      });
    }

    describe('when the system misbehaves', () => {
      it('turns garbage (cut-off bodies and wrong shapes) into UPSTREAM_BAD_RESPONSE with a readable reason', async () => {
        await h.setFault({ mode: 'garbage' });
        const ids = [customer(40).id, customer(41).id];
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const error = await expectFailure(h.directory.findByCustomerIds(ids), 'UPSTREAM_BAD_RESPONSE');
          expect(error.message).toMatch(/malformed|field|unexpected/);
        }
        await expectFailure(
          h.directory.updateSegment({
            customerId: customer(42).id,
            segment: 'VIP',
            idempotencyKey: idempotencyKey('garbage'),
          }),
          'UPSTREAM_BAD_RESPONSE',
        );
      });

      it('reports a system that is down as UPSTREAM_UNAVAILABLE, for reads and writes', async () => {
        await h.setFault({ mode: 'down' });
        await expectFailure(h.directory.findByCustomerIds([customer(43).id]), 'UPSTREAM_UNAVAILABLE');
        await expectFailure(
          h.directory.upsertProfile({ customer: customer(43), idempotencyKey: idempotencyKey('down') }),
          'UPSTREAM_UNAVAILABLE',
        );
      });

      it('reports a 429 as UPSTREAM_RATE_LIMITED with the wait the system asked for', async () => {
        await h.setFault({ mode: 'ratelimit', retryAfterSeconds: 7 });
        const error = await expectFailure(h.directory.findByCustomerIds([customer(44).id]), 'UPSTREAM_RATE_LIMITED');
        expect(error.retryAfterMs).toBe(7000);
      });

      it('stops waiting when the caller gives up, as UPSTREAM_TIMEOUT', async () => {
        // Held far longer than the bound below: only giving up on the caller's signal gets under it.
        await h.setFault({ mode: 'slow', delayMs: 60_000 });
        const started = Date.now();
        await expectFailure(
          h.directory.findByCustomerIds([customer(45).id], { signal: AbortSignal.timeout(150) }),
          'UPSTREAM_TIMEOUT',
        );
        expect(Date.now() - started).toBeLessThan(20_000);
      });
    });
  });
}
