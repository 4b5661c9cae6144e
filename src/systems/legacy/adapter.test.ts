import { createLegacyAdapter } from './adapter';
import { startSandbox, type RunningSandbox } from '../kit/sandbox';
import { createLegacySandbox, LEGACY_SANDBOX_CREDENTIALS, SPEC_VIOLATIONS, type SpecViolation, type WooCustomer, type WooOrder } from './sandbox';
import { generateEstate } from '../kit/seed';
import type { DoctorContext, ProbeAnswer } from '../kit/doctor';
import { legacyDoctor } from './doctor';
import { describeLegacyStoreContract } from '../../../test/contracts/legacy-store.contract';
import { failureOf } from '../../../test/support/failures';

const estate = generateEstate();
const API = '/wp-json/wc/v3';

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

async function callsTo(sandbox: RunningSandbox, operation: string): Promise<number> {
  const { body } = await json<{ byOperation: Record<string, number> }>(`${sandbox.url}/_sandbox/stats`);
  return body.byOperation[operation] ?? 0;
}

const basic = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describeLegacyStoreContract('legacy adapter against the WooCommerce sandbox', async () => {
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
    specViolations: async () => [...sandbox.records.collection<SpecViolation>(SPEC_VIOLATIONS).values()],
    withWrongPassword: () =>
      createLegacyAdapter({ baseUrl: sandbox.url, username: LEGACY_SANDBOX_CREDENTIALS.username, password: 'cs_letmein' }),
    async close() {
      await legacy[Symbol.asyncDispose]();
      await sandbox.close();
    },
  };
});

describe('legacy shop: the WooCommerce sandbox and the adapter', () => {
  let sandbox: RunningSandbox;
  const auth = basic(LEGACY_SANDBOX_CREDENTIALS.username, LEGACY_SANDBOX_CREDENTIALS.password);
  const adapters: AsyncDisposable[] = [];
  const adapter = (options: Partial<Parameters<typeof createLegacyAdapter>[0]> = {}) => {
    const created = createLegacyAdapter({ baseUrl: sandbox.url, ...LEGACY_SANDBOX_CREDENTIALS, ...options });
    adapters.push(created);
    return created;
  };
  const violations = () => [...sandbox.records.collection<SpecViolation>(SPEC_VIOLATIONS).values()];
  const orderRecord = (id: number) => sandbox.records.collection<WooOrder>('orders').get(String(id))!;

  beforeAll(async () => {
    sandbox = await startSandbox(createLegacySandbox(estate));
  });
  afterAll(async () => {
    for (const created of adapters) await created[Symbol.asyncDispose]();
    await sandbox.close();
  });

  it("answers an order as WooCommerce does: site time beside UTC, a decimal-string total, its status, our id in meta_data", async () => {
    // ord-000001 was placed on 1 January 2026 at 00:58:19 UTC, 01:58:19 in Amsterdam (winter time).
    const { status, body } = await json<WooOrder[]>(`${sandbox.url}${API}/orders?include=5001`, { headers: { authorization: auth } });
    expect(status).toBe(200);
    expect(body).toEqual([
      expect.objectContaining({
        id: 5001,
        status: 'cancelled',
        currency: 'EUR',
        total: '1990.55',
        date_created: '2026-01-01T01:58:19',
        date_created_gmt: '2026-01-01T00:58:19',
        meta_data: expect.arrayContaining([expect.objectContaining({ key: 'plugboard_id', value: 'ord-000001' })]),
      }),
    ]);
    expect(estate.orders[0]!.total.minor).toBe(199_055);
  });

  it('pages with per_page and page, and says so in X-WP-Total, X-WP-TotalPages and Link', async () => {
    const { body, headers } = await json<WooCustomer[]>(`${sandbox.url}${API}/customers?per_page=100&page=2&orderby=id`, { headers: { authorization: auth } });
    expect(body.map((customer) => customer.id)).toEqual(Array.from({ length: 100 }, (_, index) => 102 + index));
    expect([headers.get('x-wp-total'), headers.get('x-wp-totalpages')]).toEqual(['240', '3']);
    expect(headers.get('link')).toMatch(/<[^>]*page=1[^>]*>; rel="prev", <[^>]*page=3[^>]*>; rel="next"/);
  });

  it('takes the REST API key as HTTP Basic or in the query string, and refuses a wrong one, or none, as WooCommerce does', async () => {
    const [key, secret] = [LEGACY_SANDBOX_CREDENTIALS.username, LEGACY_SANDBOX_CREDENTIALS.password];
    expect((await json(`${sandbox.url}${API}/customers?per_page=1&consumer_key=${key}&consumer_secret=${secret}`)).status).toBe(200);
    expect(await json(`${sandbox.url}${API}/customers?per_page=1`, { headers: { authorization: basic(key, 'cs_wrong') } })).toMatchObject({
      status: 401,
      body: { code: 'woocommerce_rest_authentication_error', message: 'Consumer secret is invalid.', data: { status: 401 } },
    });
    expect(await json(`${sandbox.url}${API}/orders`)).toMatchObject({ status: 401, body: { code: 'woocommerce_rest_cannot_view', data: { status: 401 } } });
  });

  it('refuses a request WooCommerce would refuse (per_page past 100, a field it does not have) and writes it down', async () => {
    const before = violations().length;
    const tooMany = await json<{ code: string; data: { status: number; params: Record<string, string> } }>(
      `${sandbox.url}${API}/customers?per_page=101`,
      { headers: { authorization: auth } },
    );
    expect(tooMany).toMatchObject({ status: 400, body: { code: 'rest_invalid_param', data: { status: 400, params: { per_page: expect.stringContaining('<= 100') } } } });
    const unknownField = await json(`${sandbox.url}${API}/customers`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'new@example.test', phone: '+49 30 1' }),
    });
    expect(unknownField).toMatchObject({ status: 400, body: { code: 'rest_invalid_param' } });
    expect(violations().slice(before).map((violation) => violation.side)).toEqual(['request', 'request']);
  });

  it('refuses a new order line that names no product, as WooCommerce does, and finds the product by the SKU it names', async () => {
    const post = (line: Record<string, unknown>) =>
      json<WooOrder & { code?: string }>(`${sandbox.url}${API}/orders`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ customer_id: 2, line_items: [{ quantity: 2, total: '10.00', ...line }] }),
      });
    expect(await post({})).toMatchObject({ status: 400, body: { code: 'woocommerce_rest_required_product_reference', message: 'Product ID or SKU is required.' } });
    const sku = estate.items[3]!.sku;
    const created = await post({ sku });
    expect(created.status).toBe(201);
    expect(created.body.line_items).toEqual([expect.objectContaining({ product_id: 104, sku, quantity: 2, total: '10.00' })]);
    expect(created.body.total).toBe('10.00');
  });

  it("goes red when a sandbox answer leaves WooCommerce's schema (an order's total as a number)", async () => {
    const record = orderRecord(5002);
    sandbox.records.collection<unknown>('orders').set('5002', { ...record, total: Number(record.total) });
    try {
      const error = await failureOf(adapter().findOrdersByIds([estate.orders[1]!.id]));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(violations().at(-1)).toEqual({ side: 'answer', operation: `GET ${API}/orders`, problems: [expect.stringMatching(/^answer 200\/\d+\/total must be string/)] });
    } finally {
      sandbox.records.collection<WooOrder>('orders').set('5002', record);
    }
  });

  it("agrees with the estate on every customer and order, whatever the site's time zone (it reads the _gmt times)", async () => {
    const eastern = await startSandbox(createLegacySandbox(estate, { timeZone: 'America/New_York' }));
    try {
      const legacy = createLegacyAdapter({ baseUrl: eastern.url, ...LEGACY_SANDBOX_CREDENTIALS });
      adapters.push(legacy);
      const customers = await legacy.findCustomersByIds(estate.customers.map((customer) => customer.id));
      const orders = await legacy.findOrdersByIds(estate.orders.map((order) => order.id));
      expect([customers.size, orders.size]).toEqual([240, 1200]);
      for (const customer of estate.customers) {
        expect(customers.get(customer.id)).toEqual({
          customerId: customer.id, legacyNumber: expect.any(String), email: customer.email, name: customer.name, phone: customer.phone, updatedAt: customer.updatedAt,
        });
      }
      for (const order of estate.orders) {
        const found = orders.get(order.id)!;
        expect([found.status, found.total, found.customerId, found.updatedAt]).toEqual([order.status, order.total, order.customerId, order.updatedAt]);
      }
    } finally {
      await eastern.close();
    }
  });

  it('asks include= at most 100 ids a request, and refuses a larger batch size', async () => {
    const before = await callsTo(sandbox, 'customers.get');
    const found = await adapter().findCustomersByIds(estate.customers.map((customer) => customer.id));
    expect(found.size).toBe(240);
    expect(await callsTo(sandbox, 'customers.get')).toBe(before + 3);
    expect(() => adapter({ maxKeysPerCall: 101 })).toThrow('maxKeysPerCall must be a whole number from 1 to 100');
  });

  it("reports the shop's refusal as UPSTREAM_REJECTED with WooCommerce's code and words", async () => {
    const [first, second] = estate.customers;
    const error = await failureOf(adapter().saveCustomer({ customer: { ...first!, email: second!.email }, idempotencyKey: 'k-email' }));
    expect(error.code).toBe('UPSTREAM_REJECTED');
    expect(error.operation).toBe('customers.save');
    expect(error.message).toContain('HTTP 400 (existing_user_email: Sorry, that email address is already used!)');
  });

  it('names the record when a time in it is not on the calendar', async () => {
    const customers = sandbox.records.collection<WooCustomer>('customers');
    const record = customers.get('6')!;
    customers.set('6', { ...record, date_modified_gmt: '2026-02-31T10:00:00' });
    try {
      const error = await failureOf(adapter().findCustomersByIds([estate.customers[4]!.id]));
      expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(error.message).toContain('record 6: "2026-02-31T10:00:00" is not a time on the calendar');
    } finally {
      customers.set('6', record);
    }
  });

  it("keeps the site's SHIPPED and change time while the order is as saved; once the shop changes it, WooCommerce's own", async () => {
    const legacy = adapter();
    const order = { ...estate.orders[10]!, status: 'SHIPPED' as const, updatedAt: new Date('2026-11-26T09:30:15Z') };
    const saved = await legacy.saveOrder({ order, idempotencyKey: 'k-ship' });
    expect(saved).toMatchObject({ orderId: order.id, status: 'SHIPPED', updatedAt: order.updatedAt });
    expect(orderRecord(5011).status).toBe('completed');

    sandbox.records.collection<WooOrder>('orders').set('5011', { ...orderRecord(5011), status: 'on-hold', date_modified_gmt: '2026-11-27T08:00:00' });
    expect((await legacy.findOrdersByIds([order.id])).get(order.id)).toMatchObject({ status: 'PENDING', updatedAt: new Date('2026-11-27T08:00:00Z') });
  });

  it('creates a customer the shop lacks once: another process that missed the answer finds it by its plugboard_id and updates it', async () => {
    const customer = { ...estate.customers[0]!, id: 'cus-new-1', email: 'new.customer@example.test', updatedAt: new Date('2026-11-26T10:00:00Z') };
    const created = await adapter().saveCustomer({ customer, idempotencyKey: 'k-new' });
    const count = sandbox.records.collection('customers').size;
    const again = await adapter().saveCustomer({ customer: { ...customer, name: 'Renamed Customer' }, idempotencyKey: 'k-new' });
    expect(again.legacyNumber).toBe(created.legacyNumber);
    expect(sandbox.records.collection('customers').size).toBe(count);
    expect(sandbox.records.collection<WooCustomer>('customers').get(created.legacyNumber)).toMatchObject({ first_name: 'Renamed', last_name: 'Customer' });
  });

  it("npm run doctor's probe: the REST API key accepted, and the migration's plugboard_id on the shop's first customer", async () => {
    const probe = async (password: string) => {
      const context: DoctorContext<Parameters<typeof createLegacyAdapter>[0]> = {
        connection: { baseUrl: sandbox.url, username: LEGACY_SANDBOX_CREDENTIALS.username, password },
        samples: 1,
        now: () => new Date(),
        async request(_operation, request): Promise<ProbeAnswer> {
          const response = await fetch(`${sandbox.url}${request.path}`, { headers: request.headers });
          const text = await response.text();
          return { status: response.status, headers: Object.fromEntries(response.headers), body: JSON.parse(text) as unknown, text, durationMs: 1 };
        },
      };
      const { checks } = await legacyDoctor.probe(context);
      return Object.fromEntries(checks.map((check) => [check.name, check.status]));
    };
    expect(await probe(LEGACY_SANDBOX_CREDENTIALS.password)).toEqual({ reachable: 'ok', authenticated: 'ok', 'our ids in the shop': 'ok' });
    expect(await probe('cs_wrong')).toEqual({ reachable: 'ok', authenticated: 'fail' });
    const customers = sandbox.records.collection<WooCustomer>('customers');
    const first = customers.get('2')!;
    customers.set('2', { ...first, meta_data: [] });
    try {
      expect(await probe(LEGACY_SANDBOX_CREDENTIALS.password)).toMatchObject({ 'our ids in the shop': 'fail' });
    } finally {
      customers.set('2', first);
    }
  });
});
