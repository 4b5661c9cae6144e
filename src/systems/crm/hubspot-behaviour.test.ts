import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCrmAdapter } from './adapter';
import { generateEstate } from '../kit/seed';
import { BEARER, callsTo, createCrmHarness, failureOf, json, record, violationsOf, type ContactRecord } from '../../../test/fakes/crm-sandbox';

/**
 * The CRM adapter against its sandbox where HubSpot behaves in ways a generic directory does not: a 409 on an e-mail
 * another contact holds (adopted), lifecycle stages that move forward only, no idempotency keys, the rate-limit
 * headers and pacing; and the wire under the SDK (@hubspot/api-client 13.5.0): no retry of its own, the size cap,
 * ids that would walk out of their path segment.
 */

const estate = generateEstate();
const harness = createCrmHarness(estate);

describe('CRM adapter: as HubSpot behaves', () => {
  const { crm, adapter } = harness;
  const first = estate.customers[0]!;

  afterAll(async () => {
    await harness.close();
  });

  it('adopts the contact a race left (409 on a create that another write of ours made first)', async () => {
    const sandbox = await crm();
    const fresh = { ...first, id: 'cus-race-1', email: 'race-1@example.com', name: 'Race One' };
    // Two followers push the same new customer at once; HubSpot ignores the key, so both writes are applied.
    const [one, two] = await Promise.all([
      adapter(sandbox).upsertProfile({ customer: fresh, idempotencyKey: 'race-a' }),
      adapter(sandbox).upsertProfile({ customer: fresh, idempotencyKey: 'race-b' }),
    ]);

    expect(one.crmId).toBe(two.crmId);
    expect((await record(sandbox, 'contacts-by-customer', fresh.id))?.id).toBe(one.crmId);
  });

  it("refuses to adopt a contact when the customer already has one of its own (a merge for a person)", async () => {
    const sandbox = await crm();
    const response = await fetch(`${sandbox.url}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers: { ...BEARER, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { email: 'form-fill@example.com', firstname: 'Form' } }),
    });
    expect(response.status).toBe(201);
    await response.arrayBuffer();
    const known = estate.customers[22]!;

    const error = await failureOf(
      adapter(sandbox).upsertProfile({ customer: { ...known, email: 'form-fill@example.com' }, idempotencyKey: 'merge' }),
    );

    expect(error.code).toBe('UPSTREAM_REJECTED');
    expect(error.message).toMatch(/merge them/);
    expect((await record(sandbox, 'contacts-by-customer', known.id))?.properties.email).toBe(known.email);
  });

  it('keeps a later lifecycle stage when a write moves it backwards, as HubSpot does', async () => {
    const sandbox = await crm();
    const target = estate.customers[4]!;
    const patch = async (lifecyclestage: string): Promise<string | null | undefined> => {
      const { body } = await json<ContactRecord>(
        `${sandbox.url}/crm/v3/objects/contacts/${encodeURIComponent(target.id)}?idProperty=plugboard_customer_id`,
        { method: 'PATCH', headers: { ...BEARER, 'content-type': 'application/json' }, body: JSON.stringify({ properties: { lifecyclestage } }) },
      );
      return body.properties.lifecyclestage;
    };
    expect(await patch('evangelist')).toBe('evangelist');
    expect(await patch('lead')).toBe('evangelist');
    expect(await patch('')).toBeNull();
    expect(await patch('lead')).toBe('lead');
  });

  it('moves a segment backwards also where HubSpot refuses the backwards write (400) rather than keeping it', async () => {
    const sandbox = await crm({ backwardsStage: 'refuse' });
    const target = estate.customers[8]!;
    const directory = adapter(sandbox);
    await directory.updateSegment({ customerId: target.id, segment: 'VIP', idempotencyKey: 'refuse-up' });

    const profile = await directory.updateSegment({ customerId: target.id, segment: 'LEAD', idempotencyKey: 'refuse-back' });

    expect(profile.segment).toBe('LEAD');
    expect((await record(sandbox, 'contacts-by-customer', target.id))?.properties.lifecyclestage).toBe('lead');
    expect(await callsTo(sandbox, 'contacts.update')).toBe(4);
  });

  it('refuses an upsert by plugboard_customer_id until the portal has that unique property', async () => {
    const sandbox = await crm({ customerIdProperty: false });

    const error = await failureOf(
      adapter(sandbox).upsertProfile({ customer: estate.customers[6]!, idempotencyKey: 'no-setup' }),
    );

    expect(error.code).toBe('UPSTREAM_REJECTED');
    expect(error.message).toMatch(/VALIDATION_ERROR.*plugboard_customer_id/);
  });

  it('applies a write sent twice with one key twice: HubSpot ignores Idempotency-Key', async () => {
    const sandbox = await crm();
    const target = estate.customers[7]!;
    const directory = adapter(sandbox);
    await directory.upsertProfile({ customer: { ...target, name: 'First Write' }, idempotencyKey: 'same-key' });
    await directory.upsertProfile({ customer: { ...target, name: 'Later Write' }, idempotencyKey: 'other-key' });

    await directory.upsertProfile({ customer: { ...target, name: 'First Write' }, idempotencyKey: 'same-key' });

    expect((await record(sandbox, 'contacts-by-customer', target.id))?.properties.lastname).toBe('Write');
    expect((await record(sandbox, 'contacts-by-customer', target.id))?.properties.firstname).toBe('First');
  });

  it("sends HubSpot's rate-limit headers, the daily ones to private apps only", async () => {
    const sandbox = await crm({ rateLimit: { max: 5, intervalMs: 2_000 } });
    const response = await fetch(`${sandbox.url}/crm/v3/objects/contacts?limit=1`, { headers: BEARER });
    await response.arrayBuffer();
    expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('x-hubspot-ratelimit')))).toEqual({
      'x-hubspot-ratelimit-max': '5',
      'x-hubspot-ratelimit-remaining': '4',
      'x-hubspot-ratelimit-interval-milliseconds': '2000',
      'x-hubspot-ratelimit-daily': '250000',
      'x-hubspot-ratelimit-daily-remaining': '249999',
    });
  });

  it('paces a burst of batch reads under the limit: no 429, waits asked for instead', async () => {
    let skewMs = 0;
    const clock = (): number => Date.now() + skewMs;
    const sandbox = await crm({ clock, rateLimit: { max: 3, intervalMs: 10_000 } });
    const waits: number[] = [];
    const directory = adapter(sandbox, { now: clock, sleep: async (ms) => { waits.push(ms); skewMs += ms; } });
    const ids = estate.customers.slice(0, 100).map((c) => c.id);

    for (let round = 0; round < 4; round += 1) expect((await directory.findByCustomerIds(ids)).size).toBe(100);

    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(9_000);
    expect(await callsTo(sandbox, 'contacts.batchRead')).toBe(4);
  });
});


describe('CRM adapter: the wire under the SDK', () => {
  const { crm, adapter } = harness;

  afterAll(async () => {
    await harness.close();
  });

  /** A stand-in CRM on 127.0.0.1 for what the sandbox cannot do; closing it drops its open connections. */
  async function listen(handle: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
    const server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  async function setFault(url: string, setting: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(setting),
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  }

  it('sends a failing read once: the SDK retries nothing, the resilience layer decides', async () => {
    const sandbox = await crm();
    const directory = adapter(sandbox);
    await directory.findByCustomerIds([estate.customers[0]!.id]);
    await setFault(sandbox.url, { mode: 'flaky', probability: 1 });

    const unavailable = await failureOf(directory.findByCustomerIds([estate.customers[1]!.id]));
    await setFault(sandbox.url, { mode: 'ratelimit', retryAfterSeconds: 3 });
    const limited = await failureOf(directory.findByCustomerIds([estate.customers[2]!.id]));

    expect([unavailable.code, limited.code, limited.retryAfterMs]).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_RATE_LIMITED', 3000]);
    expect(await callsTo(sandbox, 'contacts.batchRead')).toBe(3);
  });

  it('stops reading an answer at maxResponseBytes, as UPSTREAM_BAD_RESPONSE', async () => {
    // A CRM that streams a body with no declared length, longer than the cap (the declared-length path is the kit's).
    const streaming = await listen((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"status":"COMPLETE","results":[');
      response.end(`${'{"id":"1"},'.repeat(1_000)}{"id":"2"}]}`);
    });
    const directory = createCrmAdapter({ baseUrl: streaming.url, accessToken: 'pat-test', maxResponseBytes: 4_096 });
    try {
      const error = await failureOf(directory.findByCustomerIds([estate.customers[0]!.id]));

      expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(error.message).toMatch(/over the 4096-byte cap/);
    } finally {
      await directory[Symbol.asyncDispose]();
      await streaming.close();
    }
  });

  it('refuses a customer id that would walk out of its path segment, before anything is sent', async () => {
    const sandbox = await crm();

    const error = await failureOf(adapter(sandbox).updateSegment({ customerId: '..', segment: 'VIP', idempotencyKey: 'dots' }));

    expect(error.code).toBe('UPSTREAM_REJECTED');
    expect(error.message).toMatch(/walk out/);
    const { body } = await json<{ total: number; byOperation: Record<string, number> }>(`${sandbox.url}/_sandbox/stats`);
    expect(body.byOperation).toEqual({});
  });

  it('cancels the request itself when the caller gives up: the connection closes, nothing is left running', async () => {
    // A CRM that never answers, and tells when a request arrives and when its connection goes away.
    let arrived!: () => void;
    let closed!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const closing = new Promise<void>((resolve) => (closed = resolve));
    const silent = await listen((request) => {
      request.socket.once('close', closed);
      arrived();
    });
    const directory = createCrmAdapter({ baseUrl: silent.url, accessToken: 'pat-test' });
    const controller = new AbortController();
    try {
      const pending = failureOf(directory.findByCustomerIds([estate.customers[3]!.id], { signal: controller.signal }));
      await arrival;
      controller.abort();

      expect((await pending).code).toBe('UPSTREAM_TIMEOUT');
      await closing;
    } finally {
      await directory[Symbol.asyncDispose]();
      await silent.close();
    }
  });
});

describe("CRM sandbox: held to HubSpot's reference (HubSpot behaviours)", () => {
  it('saw no answer outside the reference in any test above', () => {
    expect(harness.started.length).toBeGreaterThan(5);
    for (const { sandbox } of harness.started) {
      expect(violationsOf(sandbox).filter((entry) => entry.side === 'answer')).toEqual([]);
    }
  });
});
