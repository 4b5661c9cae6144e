import { amountText, createLegacyAdapter } from '../../src/systems/legacy/adapter';
import { isIntegrationError, money } from '../../src/domain';
import { startSandbox, type RunningSandbox } from '../../src/systems/kit/sandbox';
import { createLegacySandbox, LEGACY_SANDBOX_CREDENTIALS, SPEC_VIOLATIONS, type WooCustomer } from '../../src/systems/legacy/sandbox';
import { generateEstate } from '../../src/systems/kit/seed';

/** What reconciliation and shadow mode need of the legacy shop: a day's changes paged in id order, and its saves. */

const estate = generateEstate();
const dayOf = (at: Date) => at.toLocaleDateString('en-CA', { timeZone: 'Europe/Amsterdam' });

describe('the legacy shop for reconciliation and shadow mode', () => {
  let sandbox: RunningSandbox;
  let legacy: ReturnType<typeof createLegacyAdapter>;

  beforeAll(async () => {
    sandbox = await startSandbox(createLegacySandbox(estate));
    legacy = createLegacyAdapter({ baseUrl: sandbox.url, ...LEGACY_SANDBOX_CREDENTIALS });
  });
  afterEach(() => {
    // Every listing and save the adapter made is one WooCommerce's route schemas allow, and so is every answer.
    expect([...sandbox.records.collection(SPEC_VIOLATIONS).values()]).toEqual([]);
  });
  afterAll(async () => {
    await legacy[Symbol.asyncDispose]();
    await sandbox.close();
  });

  it("lists a day's changed orders in id order, a page at a time, with the day's count", async () => {
    const counts = new Map<string, number>();
    for (const order of estate.orders) counts.set(dayOf(order.updatedAt), (counts.get(dayOf(order.updatedAt)) ?? 0) + 1);
    const [day, expected] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await legacy.listOrdersChangedOn({ day, first: 2, after });
      expect(page.totalCount).toBe(expected);
      seen.push(...page.items.map((order) => order.orderId));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    const wanted = estate.orders.filter((order) => dayOf(order.updatedAt) === day).map((order) => order.id).sort();
    expect(seen).toEqual(wanted);
    expect(expected).toBeGreaterThan(2);
  });

  it("keeps reading a day when a call stops waiting: the next call waits for the same read, not a second one", async () => {
    const day = dayOf(estate.orders[7]!.updatedAt);
    const stats = async () => ((await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as { byOperation: Record<string, number> }).byOperation['orders.changed'] ?? 0;
    const fault = (setting: object) =>
      fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(setting) });
    const before = await stats();
    // The shop holds the day's answer back; the first call gives up once the shop has its request.
    await fault({ mode: 'slow', delayMs: 10_000 });
    const controller = new AbortController();
    const abandoned = legacy.listOrdersChangedOn({ day, first: 50, after: null }, { signal: controller.signal });
    for (;;) if ((await stats()) > before) break;
    controller.abort();
    const failure = await abandoned.catch((error: unknown) => error);
    expect(isIntegrationError(failure) && failure.code).toBe('UPSTREAM_TIMEOUT');
    await fault({ mode: 'ok' });
    const page = await legacy.listOrdersChangedOn({ day, first: 50, after: null });
    expect(page.items.map((order) => order.orderId)).toContain(estate.orders[7]!.id);
    expect(await stats()).toBe(before + 1);
  });

  it("saves a customer as WooCommerce's fields, stamped with the site's change time, and refuses an order for a customer the shop lacks", async () => {
    const customer = { ...estate.customers[3]!, name: 'Jörg Neu', phone: null, updatedAt: new Date('2026-11-26T09:30:15.250Z') };
    const saved = await legacy.saveCustomer({ customer, idempotencyKey: 'k1' });
    expect(saved).toMatchObject({ customerId: customer.id, name: 'Jörg Neu', phone: null, updatedAt: new Date('2026-11-26T09:30:15Z') });
    const record = (await (await fetch(`${sandbox.url}/_sandbox/records/customers/${saved.legacyNumber}`)).json()) as WooCustomer;
    expect(record).toMatchObject({ first_name: 'Jörg', last_name: 'Neu', email: customer.email, billing: { phone: '' } });
    expect(record.meta_data).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'plugboard_id', value: customer.id })]));

    const order = { ...estate.orders[0]!, customerId: 'cus-nobody' };
    const failure = await legacy.saveOrder({ order, idempotencyKey: 'k2' }).catch((error: unknown) => error);
    expect(isIntegrationError(failure) && failure.code).toBe('UPSTREAM_REJECTED');
    expect((failure as Error).message).toContain('customer cus-nobody is not in the shop');
  });

  it("creates an order the shop lacks with its lines, and WooCommerce's total is the site's", async () => {
    const placed = { ...estate.orders[5]!, id: 'ord-new-1', status: 'CONFIRMED' as const, updatedAt: new Date('2026-11-26T11:00:00Z') };
    const saved = await legacy.saveOrder({ order: placed, idempotencyKey: 'k3' });
    expect(saved).toMatchObject({ orderId: placed.id, customerId: placed.customerId, status: 'CONFIRMED', total: placed.total, updatedAt: placed.updatedAt });
    const record = (await (await fetch(`${sandbox.url}/_sandbox/records/orders/${saved.legacyNumber}`)).json()) as { status: string; line_items: unknown[] };
    expect(record.status).toBe('processing');
    expect(record.line_items).toHaveLength(placed.lines.length);
  });

  it('writes amounts the way the shop keeps them, and refuses one it cannot hold', () => {
    expect(amountText(money(199_055, 'EUR'))).toBe('1990.55');
    expect(amountText(money(-5, 'EUR'))).toBe('-0.05');
    expect(amountText(money(1_234_567, 'JPY'))).toBe('1234567.00');
    expect(() => amountText(money(1_000, 'BHD'))).toThrow('cannot hold BHD');
  });
});
