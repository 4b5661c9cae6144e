import { createLegacyAdapter } from './adapter';
import { isIntegrationError, type IntegrationError } from '../../domain';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { createLegacySandbox, LEGACY_SANDBOX_CREDENTIALS, type LegacyCustomerRow, type LegacyOrderRow } from './sandbox';
import { generateEstate } from '../kit/seed';
import { describeLegacyStoreContract } from '../../../test/contracts/legacy-store.contract';

const estate = generateEstate();

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

async function callsTo(sandbox: RunningSandbox, operation: string): Promise<number> {
  const { body } = await json<{ byOperation: Record<string, number> }>(`${sandbox.url}/_sandbox/stats`);
  return body.byOperation[operation] ?? 0;
}

async function failureOf(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => new Error('expected the call to fail, and it succeeded'),
    (caught: unknown) => caught,
  );
  if (!isIntegrationError(error)) throw error;
  return error;
}

const basic = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describeLegacyStoreContract('legacy adapter against the PHP-era shop sandbox', async () => {
  const sandbox = await startSandbox(createLegacySandbox(estate));
  const legacy = createLegacyAdapter({ baseUrl: sandbox.url, ...LEGACY_SANDBOX_CREDENTIALS });
  return {
    legacy,
    system: 'legacy',
    estate,
    async setFault(setting) {
      await json(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(setting),
      });
    },
    calls: (kind) => callsTo(sandbox, `${kind}.get`),
    withWrongPassword: () =>
      createLegacyAdapter({ baseUrl: sandbox.url, username: LEGACY_SANDBOX_CREDENTIALS.username, password: 'letmein' }),
    async close() {
      await legacy[Symbol.asyncDispose]();
      await sandbox.close();
    },
  };
});

describe('legacy shop sandbox and adapter', () => {
  let sandbox: RunningSandbox;
  const auth = basic(LEGACY_SANDBOX_CREDENTIALS.username, LEGACY_SANDBOX_CREDENTIALS.password);
  const adapters: AsyncDisposable[] = [];
  const adapter = (options: Partial<Parameters<typeof createLegacyAdapter>[0]> = {}) => {
    const created = createLegacyAdapter({ baseUrl: sandbox.url, ...LEGACY_SANDBOX_CREDENTIALS, ...options });
    adapters.push(created);
    return created;
  };

  beforeAll(async () => {
    sandbox = await startSandbox(createLegacySandbox(estate));
  });
  afterAll(async () => {
    for (const created of adapters) await created[Symbol.asyncDispose]();
    await sandbox.close();
  });

  it('speaks the old shop vocabulary: upper-case columns, local dd.mm.yyyy times, comma amounts, letter codes', async () => {
    // ord-000001 was placed on 1 January 2026 at 00:58:19 UTC, 01:58:19 in Amsterdam (winter time).
    const order = estate.orders[0]!;
    const { status, body } = await json<{ ok: number; rows: LegacyOrderRow[] }>(
      `${sandbox.url}/api/legacy/orders.php?ext=${order.id}`,
      { headers: { authorization: auth } },
    );
    expect(status).toBe(200);
    expect(body.ok).toBe(1);
    expect(body.rows).toEqual([
      expect.objectContaining({
        ORDER_NO: 'W500001',
        EXT_REF: 'ord-000001',
        STAT: 'S',
        ORDER_DATE: '01.01.2026',
        SUM_GROSS: '1.990,55',
        CURR: 'EUR',
        MOD_TS: '01.01.2026 19:25:57',
      }),
    ]);
    expect(order.total.minor).toBe(199_055);
    const record = await json<LegacyCustomerRow>(`${sandbox.url}/_sandbox/records/customers/${order.customerId}`);
    expect(record.body.CUST_NO).toMatch(/^K\d{6}$/);
    expect(record.body.EXT_REF).toBe(order.customerId);
  });

  it('looks customers up by its own numbers too, and says PARAM when asked for nothing', async () => {
    const { body } = await json<{ ok: number; rows: LegacyCustomerRow[] }>(
      `${sandbox.url}/api/legacy/customers.php?ids=K100001,K100002,K999999`,
      { headers: { authorization: auth } },
    );
    expect(body.rows.map((row) => row.EXT_REF)).toEqual(['cus-00001', 'cus-00002']);
    const empty = await json(`${sandbox.url}/api/legacy/customers.php`, { headers: { authorization: auth } });
    expect(empty).toEqual({ status: 200, body: { ok: 0, err: 'PARAM: ids or ext missing' } });
  });

  it('refuses a wrong password the old way: HTTP 200 with ok 0', async () => {
    const answer = await json(`${sandbox.url}/api/legacy/customers.php?ext=cus-00001`, {
      headers: { authorization: basic('shopapi', 'wrong') },
    });
    expect(answer).toEqual({ status: 200, body: { ok: 0, err: 'AUTH: login failed' } });
  });

  it('reads summer and winter times back to the same instants as the estate', async () => {
    const summer = estate.orders.find((order) => order.updatedAt.getUTCMonth() === 6)!;
    const winter = estate.orders.find((order) => order.updatedAt.getUTCMonth() === 1)!;
    const found = await adapter().findOrdersByIds([summer.id, winter.id]);
    expect(found.get(summer.id)?.updatedAt).toEqual(summer.updatedAt);
    expect(found.get(winter.id)?.updatedAt).toEqual(winter.updatedAt);
  });

  it('agrees with the estate on every customer and order, but for times in the hour the clocks go back', async () => {
    const legacy = adapter();
    const customers = await legacy.findCustomersByIds(estate.customers.map((customer) => customer.id));
    const orders = await legacy.findOrdersByIds(estate.orders.map((order) => order.id));
    expect(customers.size).toBe(240);
    expect(orders.size).toBe(1200);
    const repeatedHour = (at: Date): boolean => {
      const text = at.toLocaleString('en-GB', { timeZone: 'Europe/Amsterdam', hourCycle: 'h23' });
      return /^(27\/10\/2024|26\/10\/2025|25\/10\/2026), 02:/.test(text);
    };
    const drift: string[] = [];
    for (const customer of estate.customers) {
      const found = customers.get(customer.id)!;
      expect({ ...found, updatedAt: undefined, legacyNumber: undefined }).toEqual({
        customerId: customer.id, email: customer.email, name: customer.name, phone: customer.phone,
        updatedAt: undefined, legacyNumber: undefined,
      });
      if (found.updatedAt.getTime() !== customer.updatedAt.getTime()) drift.push(customer.id);
    }
    for (const order of estate.orders) {
      const found = orders.get(order.id)!;
      expect([found.status, found.total, found.customerId]).toEqual([order.status, order.total, order.customerId]);
      if (found.updatedAt.getTime() !== order.updatedAt.getTime()) drift.push(order.id);
    }
    // The shop's local times cannot tell the two 02:xx hours of a DST end apart; the adapter reads the earlier one.
    const ambiguous = [...estate.customers, ...estate.orders].filter((record) => repeatedHour(record.updatedAt));
    expect(drift.sort()).toEqual(
      ambiguous.filter((record) => record.updatedAt.getUTCHours() === 1).map((record) => record.id).sort(),
    );
  });

  it('reads the repeated hour of a DST end as its first pass, and the skipped hour of a DST start as before it', async () => {
    const customers = sandbox.records.collection<LegacyCustomerRow>('customers');
    customers.set('cus-00006', { ...customers.get('cus-00006')!, MOD_TS: '25.10.2026 02:30:00' });
    customers.set('cus-00007', { ...customers.get('cus-00007')!, MOD_TS: '29.03.2026 02:30:00' });
    const found = await adapter().findCustomersByIds(['cus-00006', 'cus-00007']);
    expect(found.get('cus-00006')?.updatedAt).toEqual(new Date('2026-10-25T02:30:00+02:00'));
    expect(found.get('cus-00007')?.updatedAt).toEqual(new Date('2026-03-29T02:30:00+01:00'));
  });

  it('reads the shop server in another time zone when told', async () => {
    const eastern = await startSandbox(createLegacySandbox(estate, { timeZone: 'America/New_York' }));
    try {
      const customer = estate.customers[9]!;
      const right = createLegacyAdapter({ baseUrl: eastern.url, ...LEGACY_SANDBOX_CREDENTIALS, timeZone: 'America/New_York' });
      const wrong = createLegacyAdapter({ baseUrl: eastern.url, ...LEGACY_SANDBOX_CREDENTIALS });
      adapters.push(right, wrong);
      expect((await right.findCustomersByIds([customer.id])).get(customer.id)?.updatedAt).toEqual(customer.updatedAt);
      expect((await wrong.findCustomersByIds([customer.id])).get(customer.id)?.updatedAt).not.toEqual(customer.updatedAt);
    } finally {
      await eastern.close();
    }
  });

  it('sends a batch larger than the shop takes in several calls', async () => {
    const before = await callsTo(sandbox, 'customers.get');
    const found = await adapter({ maxKeysPerCall: 100 }).findCustomersByIds(estate.customers.map((customer) => customer.id));
    expect(found.size).toBe(240);
    expect(await callsTo(sandbox, 'customers.get')).toBe(before + 3);
  });

  it("reports the shop's PARAM refusal as UPSTREAM_REJECTED with its words", async () => {
    const small = await startSandbox(createLegacySandbox(estate, { maxKeysPerCall: 10 }));
    try {
      const legacy = createLegacyAdapter({ baseUrl: small.url, ...LEGACY_SANDBOX_CREDENTIALS });
      adapters.push(legacy);
      const error = await failureOf(legacy.findOrdersByIds(estate.orders.slice(0, 11).map((order) => order.id)));
      expect(error.code).toBe('UPSTREAM_REJECTED');
      expect(error.operation).toBe('orders.get');
      expect(error.message).toContain('PARAM: max 10 keys per call');
    } finally {
      await small.close();
    }
  });

  it('never sends a key the shop could not hold (commas split its lists)', async () => {
    const before = await callsTo(sandbox, 'customers.get');
    const found = await adapter().findCustomersByIds(['cus-00001,cus-00002', '', ' cus-00003']);
    expect(found.size).toBe(0);
    expect(await callsTo(sandbox, 'customers.get')).toBe(before);
  });

  it('names the field when a row is wrong-shaped', async () => {
    sandbox.records.collection<LegacyOrderRow>('orders').set('ord-000002', {
      ...sandbox.records.collection<LegacyOrderRow>('orders').get('ord-000002')!,
      SUM_GROSS: '12.30',
    });
    const error = await failureOf(adapter().findOrdersByIds(['ord-000002']));
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toMatch(/rows\.0\.SUM_GROSS: expected an amount like 1\.234,56/);
  });

  it('refuses a date that is not on the calendar', async () => {
    const customers = sandbox.records.collection<LegacyCustomerRow>('customers');
    customers.set('cus-00005', { ...customers.get('cus-00005')!, MOD_TS: '31.02.2026 10:00:00' });
    const error = await failureOf(adapter().findCustomersByIds(['cus-00005']));
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toContain('row cus-00005: "31.02.2026 10:00:00" is not a date on the calendar');
  });
});
