import { createCrmAdapter } from './adapter';
import type { CustomerSegment } from '../../domain';
import { createCrmSandbox, CRM_SANDBOX_CREDENTIALS } from './sandbox';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { generateEstate } from '../kit/seed';
import { describeCustomerDirectoryContract, type StoredProfile } from '../../../test/contracts/customer-directory.contract';
import {
  BEARER,
  OAUTH,
  callsTo,
  createCrmHarness,
  failureOf,
  json,
  record,
  violationsOf,
  type ContactRecord,
} from '../../../test/fakes/crm-sandbox';

/**
 * The CRM adapter (HubSpot through @hubspot/api-client) against its sandbox: the shared CustomerDirectory contract,
 * access tokens and contacts. HubSpot's own behaviours (409 adoption, backwards stages, rate limits, the SDK's wire)
 * are in hubspot-behaviour.test.ts.
 */

const estate = generateEstate();

/** How this test reads HubSpot's lifecycle stages back, written independently of the adapter's mapper. */
const SEGMENT_OF_STAGE: Readonly<Record<string, CustomerSegment>> = {
  lead: 'LEAD',
  marketingqualifiedlead: 'PROSPECT',
  customer: 'CUSTOMER',
  evangelist: 'VIP',
  other: 'CHURNED',
};

const harness = createCrmHarness(estate);
/** The contract's sandbox, held to HubSpot's reference at the end like the harness's. */
const started: { sandbox: RunningSandbox; adapterOnly: boolean }[] = [];

describeCustomerDirectoryContract(
  'CRM adapter against the HubSpot-shaped CRM sandbox',
  async () => {
    // One clock for the CRM and the adapter, moved on by the adapter's waits: rate-limit windows pass without a timer.
    let skewMs = 0;
    const clock = (): number => Date.now() + skewMs;
    const waits: number[] = [];
    // The replay cases of the shared contract need the sandbox's Idempotency-Key convention (HubSpot has none).
    const sandbox = await startSandbox(createCrmSandbox(estate, { clock, honourIdempotencyKey: true }));
    started.push({ sandbox, adapterOnly: true });
    const directory = createCrmAdapter({
      baseUrl: sandbox.url,
      ...OAUTH,
      now: clock,
      sleep: async (ms) => {
        waits.push(ms);
        skewMs += ms;
      },
    });
    return {
      directory,
      system: 'crm',
      estate,
      setFault: async (setting) => sandbox.setFault(setting),
      batchReadCalls: () => callsTo(sandbox, 'contacts.batchRead'),
      async stored(customerId): Promise<StoredProfile | undefined> {
        const contact = await record(sandbox, 'contacts-by-customer', customerId);
        if (!contact) return undefined;
        const { email, firstname, lastname, phone, lifecyclestage } = contact.properties;
        return {
          crmId: contact.id,
          email: email ?? '',
          name: [firstname, lastname].filter(Boolean).join(' '),
          phone: phone ?? null,
          segment: lifecyclestage ? (SEGMENT_OF_STAGE[lifecyclestage] ?? null) : null,
        };
      },
      vendor: {
        async addForeignContact(email, name) {
          const [firstname, lastname] = name.split(' ');
          const { status, body } = await json<{ id: string }>(`${sandbox.url}/crm/v3/objects/contacts`, {
            method: 'POST',
            headers: { ...BEARER, 'content-type': 'application/json' },
            body: JSON.stringify({ properties: { email, firstname, lastname } }),
          });
          expect(status).toBe(201);
          return body.id;
        },
        async expireAccessTokens() {
          skewMs += 1_801_000;
        },
        tokenRequests: () => callsTo(sandbox, 'oauth.token'),
        async spendRateLimit(left) {
          for (;;) {
            const response = await fetch(`${sandbox.url}/crm/v3/objects/contacts?limit=1`, { headers: BEARER });
            await response.arrayBuffer();
            const remaining = Number(response.headers.get('x-hubspot-ratelimit-remaining'));
            if (response.status === 429 || remaining < left) skewMs += 10_000;
            else if (remaining === left) return;
          }
        },
        waits: () => waits,
      },
      async close() {
        await directory[Symbol.asyncDispose]();
        await sandbox.close();
      },
    };
  },
  { vendor: true },
);

describe('CRM adapter: HubSpot specifics', () => {
  const { crm, adapter } = harness;

  const first = estate.customers[0]!;

  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await harness.close();
  });

  describe('access tokens', () => {
    it('renews a token that has expired before the next call, and the call succeeds', async () => {
      const sandbox = await crm({ tokenTtlSeconds: 1 });
      const directory = adapter(sandbox);
      expect((await directory.findByCustomerIds([first.id])).get(first.id)?.email).toBe(first.email);

      const realNow = Date.now.bind(Date);
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 1_500);
      const later = await directory.findByCustomerIds([first.id]);

      expect(later.get(first.id)?.email).toBe(first.email);
      expect(await callsTo(sandbox, 'oauth.token')).toBe(2);
      expect(await callsTo(sandbox, 'contacts.batchRead')).toBe(2);
    });

    it('renews a token the CRM expired early (its clock ahead of ours) and sends the call once more', async () => {
      let skewMs = 0;
      const sandbox = await crm({ clock: () => Date.now() + skewMs });
      const directory = adapter(sandbox);
      await directory.findByCustomerIds([first.id]);

      skewMs = 1_801_000;
      const profile = await directory.updateSegment({ customerId: first.id, segment: 'VIP', idempotencyKey: 'skew-1' });

      expect(profile.segment).toBe('VIP');
      expect((await record(sandbox, 'contacts-by-customer', first.id))?.properties.lifecyclestage).toBe('evangelist');
      expect(await callsTo(sandbox, 'oauth.token')).toBe(2);
      expect(await callsTo(sandbox, 'contacts.update')).toBe(2);
    });

    it('renews only once: a second 401 is UPSTREAM_AUTH_FAILED', async () => {
      // Every reading of this clock is an hour after the last: each token has expired by its first use.
      let now = Date.now();
      const sandbox = await crm({ clock: () => (now += 3_600_000) });
      const directory = adapter(sandbox);

      const error = await failureOf(directory.findByCustomerIds([first.id]));

      expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
      expect(error.message).toMatch(/EXPIRED_AUTHENTICATION/);
      expect(await callsTo(sandbox, 'oauth.token')).toBe(2);
      expect(await callsTo(sandbox, 'contacts.batchRead')).toBe(2);
    });

    it('shares one token request between concurrent callers', async () => {
      const sandbox = await crm();
      const directory = adapter(sandbox);

      const answers = await Promise.all(estate.customers.slice(0, 6).map((c) => directory.findByCustomerIds([c.id])));

      expect(answers.map((found) => found.size)).toEqual([1, 1, 1, 1, 1, 1]);
      expect(await callsTo(sandbox, 'oauth.token')).toBe(1);
    });

    it('answers the refresh-token grant as HubSpot documents it, and refuses client credentials', async () => {
      const sandbox = await crm();
      const token = (form: Record<string, string>) =>
        json<Record<string, unknown>>(`${sandbox.url}/oauth/v1/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        });
      const { clientId: client_id, clientSecret: client_secret, refreshToken: refresh_token } = OAUTH;

      const refreshed = await token({ grant_type: 'refresh_token', client_id, client_secret, refresh_token });
      const credentials = await token({ grant_type: 'client_credentials', client_id, client_secret });
      const unknown = await token({ grant_type: 'refresh_token', client_id, client_secret, refresh_token: 'stolen' });

      expect(refreshed).toEqual({
        status: 200,
        body: { token_type: 'bearer', refresh_token, access_token: expect.any(String), expires_in: 1800 },
      });
      expect(credentials).toMatchObject({ status: 400, body: { status: 'BAD_GRANT_TYPE' } });
      expect(unknown).toMatchObject({ status: 400, body: { status: 'BAD_REFRESH_TOKEN' } });
    });

    it("works with a private app's token alone, and never asks the token endpoint", async () => {
      const sandbox = await crm();
      const directory = adapter(sandbox, {
        clientId: undefined,
        clientSecret: undefined,
        refreshToken: undefined,
        accessToken: CRM_SANDBOX_CREDENTIALS.privateAppToken,
      });

      const profile = await directory.updateSegment({ customerId: first.id, segment: 'VIP', idempotencyKey: 'pat-1' });

      expect(profile.segment).toBe('VIP');
      expect(await callsTo(sandbox, 'oauth.token')).toBe(0);
    });

    it("reports a private app's token the CRM refuses as UPSTREAM_AUTH_FAILED, without a second try", async () => {
      const sandbox = await crm();
      const directory = adapter(sandbox, { accessToken: 'pat-eu1-revoked' });

      const error = await failureOf(directory.findByCustomerIds([first.id]));

      expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
      expect(await callsTo(sandbox, 'contacts.batchRead')).toBe(1);
      expect(await callsTo(sandbox, 'oauth.token')).toBe(0);
    });

    it('refuses options with neither a token nor the whole OAuth triple, naming the settings', () => {
      expect(() => createCrmAdapter({ baseUrl: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y' })).toThrow(
        /CRM_ACCESS_TOKEN.*CRM_REFRESH_TOKEN/,
      );
    });

    it('reports a wrong client secret as UPSTREAM_AUTH_FAILED under the configured system name', async () => {
      const sandbox = await crm();
      const directory = adapter(sandbox, { clientSecret: 'not-the-secret', system: 'crm-eu' });

      const error = await failureOf(directory.findByCustomerIds([first.id]));

      expect({ code: error.code, system: error.system }).toEqual({ code: 'UPSTREAM_AUTH_FAILED', system: 'crm-eu' });
      expect(error.message).toMatch(/BAD_CLIENT_SECRET/);
      expect(error.message).not.toContain('not-the-secret');
      expect(await callsTo(sandbox, 'contacts.batchRead')).toBe(0);
    });

    it('reports an unknown client id as UPSTREAM_AUTH_FAILED', async () => {
      const sandbox = await crm();
      const error = await failureOf(
        adapter(sandbox, { clientId: 'someone-else' }).updateSegment({
          customerId: first.id,
          segment: 'VIP',
          idempotencyKey: 'unknown-client',
        }),
      );
      expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
      const stored = await record(sandbox, 'contacts-by-customer', first.id);
      expect(stored?.properties.lifecyclestage).not.toBe('evangelist');
    });
  });

  describe('contacts', () => {
    it('pages through all 240 contacts with the cursor HubSpot gives', async () => {
      const sandbox = await crm();
      const seen: ContactRecord[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const query = new URLSearchParams({ limit: '100', properties: 'email,plugboard_customer_id' });
        if (after) query.set('after', after);
        const { status, body } = await json<{ results: ContactRecord[]; paging?: { next?: { after: string } } }>(
          `${sandbox.url}/crm/v3/objects/contacts?${query}`,
          { headers: { ...BEARER } },
        );
        expect(status).toBe(200);
        seen.push(...body.results);
        after = body.paging?.next?.after;
        pages += 1;
      } while (after);

      expect(pages).toBe(3);
      expect(new Set(seen.map((contact) => contact.id)).size).toBe(240);
      expect(seen.map((contact) => contact.properties.plugboard_customer_id).sort()).toEqual(
        estate.customers.map((c) => c.id).sort(),
      );
      expect(seen[0]).toMatchObject({ archived: false, createdAt: expect.any(String), updatedAt: expect.any(String) });
      expect(await callsTo(sandbox, 'contacts.list')).toBe(3);
    });

    it('shows a contact under its HubSpot id and under our customer id', async () => {
      const sandbox = await crm();
      const byCustomer = await record(sandbox, 'contacts-by-customer', first.id);
      expect(byCustomer?.properties).toMatchObject({ plugboard_customer_id: first.id, email: first.email });
      expect(await record(sandbox, 'contacts', byCustomer?.id ?? '')).toEqual(byCustomer);
    });

    it('answers one contact by HubSpot id or by our customer id, and a 404 in HubSpot words otherwise', async () => {
      const sandbox = await crm();
      const headers = BEARER;
      const contacts = `${sandbox.url}/crm/v3/objects/contacts`;

      const byOurId = await json<ContactRecord>(
        `${contacts}/${encodeURIComponent(first.id)}?idProperty=plugboard_customer_id&properties=email,lifecyclestage`,
        { headers },
      );
      const byHubSpotId = await json<ContactRecord>(`${contacts}/${byOurId.body.id}`, { headers });
      const missing = await json<Record<string, unknown>>(`${contacts}/999999`, { headers });

      expect(byOurId.status).toBe(200);
      expect(byOurId.body.properties).toMatchObject({ email: first.email, lifecyclestage: expect.any(String) });
      expect(byHubSpotId.body).toMatchObject({ id: byOurId.body.id, properties: { email: first.email } });
      expect(missing).toMatchObject({ status: 404, body: { status: 'error', category: 'OBJECT_NOT_FOUND' } });
      expect(await callsTo(sandbox, 'contacts.get')).toBe(3);
    });

    it('refuses a call without a bearer token in HubSpot words', async () => {
      const sandbox = await crm();
      const { status, body } = await json<Record<string, unknown>>(`${sandbox.url}/crm/v3/objects/contacts?limit=1`);
      expect(status).toBe(401);
      expect(body).toMatchObject({
        status: 'error',
        category: 'INVALID_AUTHENTICATION',
        correlationId: expect.any(String),
      });
    });

    it('reads 150 ids in two batch reads of at most 100', async () => {
      const sandbox = await crm();
      const ids = estate.customers.slice(0, 150).map((c) => c.id);

      const found = await adapter(sandbox).findByCustomerIds(ids);

      expect([...found.keys()].sort()).toEqual([...ids].sort());
      expect(await callsTo(sandbox, 'contacts.batchRead')).toBe(2);
    });

    it('honours a smaller batch size', async () => {
      const sandbox = await crm();
      const ids = estate.customers.slice(0, 25).map((c) => c.id);
      const found = await adapter(sandbox, { batchSize: 10 }).findByCustomerIds(ids);
      expect(found.size).toBe(25);
      expect(await callsTo(sandbox, 'contacts.batchRead')).toBe(3);
    });

    it('refuses more than 100 inputs in one batch read, as HubSpot does', async () => {
      const sandbox = await crm();
      const inputs = estate.customers.slice(0, 101).map((c) => ({ id: c.id }));
      const { status, body } = await json<Record<string, unknown>>(`${sandbox.url}/crm/v3/objects/contacts/batch/read`, {
        method: 'POST',
        headers: { ...BEARER, 'content-type': 'application/json' },
        body: JSON.stringify({ idProperty: 'plugboard_customer_id', inputs }),
      });
      expect(status).toBe(400);
      expect(body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    });

    it('reads stages set in HubSpot itself (sales qualified lead) as PROSPECT', async () => {
      const sandbox = await crm();
      const target = estate.customers[3]!;
      // As a person in HubSpot would: clear the stage, then set it (it may be a move backwards).
      for (const lifecyclestage of ['', 'salesqualifiedlead']) {
        const response = await fetch(
          `${sandbox.url}/crm/v3/objects/contacts/${encodeURIComponent(target.id)}?idProperty=plugboard_customer_id`,
          {
            method: 'PATCH',
            headers: { ...BEARER, 'content-type': 'application/json' },
            body: JSON.stringify({ properties: { lifecyclestage } }),
          },
        );
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }

      expect((await adapter(sandbox).findByCustomerIds([target.id])).get(target.id)?.segment).toBe('PROSPECT');
    });

    it('refuses an email another contact already holds as UPSTREAM_REJECTED, and changes nothing', async () => {
      const sandbox = await crm();
      const [one, two] = [estate.customers[20]!, estate.customers[21]!];

      const error = await failureOf(
        adapter(sandbox).upsertProfile({
          customer: { ...one, email: two.email, name: 'Taken Email' },
          idempotencyKey: 'dup-email',
        }),
      );

      expect(error.code).toBe('UPSTREAM_REJECTED');
      expect(error.message).toMatch(/CONFLICT/);
      expect((await record(sandbox, 'contacts-by-customer', one.id))?.properties).toMatchObject({ email: one.email });
    });
  });
});

describe("CRM sandbox: held to HubSpot's reference", () => {
  it('answers a contact whose stored shape went wrong as a sandbox defect, recorded, not as HubSpot would', async () => {
    const sandbox = await startSandbox(createCrmSandbox(estate));
    try {
      const target = estate.customers[9]!;
      const contact = sandbox.records.collection<ContactRecord>('contacts-by-customer').get(target.id)!;
      (contact.properties as Record<string, unknown>).email = 42;

      const directory = createCrmAdapter({ baseUrl: sandbox.url, ...OAUTH });
      const error = await failureOf(directory.findByCustomerIds([target.id]));
      await directory[Symbol.asyncDispose]();

      expect(error.code).not.toBe('UPSTREAM_REJECTED');
      expect(violationsOf(sandbox)).toEqual([
        { side: 'answer', operation: 'contacts.batchRead', problems: [expect.stringMatching(/^results\.0\.properties\.email: /)] },
      ]);
    } finally {
      await sandbox.close();
    }
  });

  it('saw no answer outside the reference in any test above, and no request from the adapter outside it', () => {
    expect(started.length + harness.started.length).toBeGreaterThan(10);
    for (const { sandbox, adapterOnly } of [...started, ...harness.started]) {
      const seen = violationsOf(sandbox).filter((entry) => adapterOnly || entry.side === 'answer');
      expect(seen).toEqual([]);
    }
  });
});
