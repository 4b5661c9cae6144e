import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { IntegrationLogEntity, MutationAuditEntity, OrderEntity, OutboxJobEntity, parseDatabaseUrl } from '../../src/db';
import { formatDecimal, money } from '../../src/domain';
import type { SandboxName } from '../../src/estate/start-sandboxes';
import { generateEstate } from '../../src/systems/kit/seed';
import type { CourierAAdapterOptions } from '../../src/systems/courier-a/adapter';
import { testDatabases, type TestDatabase } from '../support/databases';
import { startTestStack, type GraphQLBody, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';
import { eventually, scratchDatabase } from '../support/scratch-database';

/**
 * The write path, end to end over HTTP against the whole product: each mutation goes to the owner the matrix names,
 * is audited once, reaches the followers through the outbox, undoes what it did when a later system fails, and needs
 * a token with the entity's scope. Run on SQLite and on PostgreSQL.
 */

const estate = generateEstate();
const SANDBOXES: readonly SandboxName[] = ['crm', 'erp', 'payments', 'courier-a', 'courier-b', 'legacy'];

interface Receipt {
  status: string;
  owner: string;
  auditId: string;
  error: { code: string; system: string | null; message: string } | null;
  followerJobs: { system: string; operation: string; state: string }[];
  steps: { step: string; system: string; outcome: string }[];
}

describe.each(testDatabases())('writes on $label', (database: TestDatabase) => {
  let stack: TestStack;
  let scratch: { url: string; drop: () => Promise<void> } | undefined;
  let courierAgent: Agent;

  beforeAll(async () => {
    const env: Record<string, string> = {};
    if (database.url && parseDatabaseUrl(database.url).dialect === 'postgresql') {
      scratch = await scratchDatabase(database.url, 'writes');
      env.DATABASE_URL = scratch.url;
    }
    stack = await startTestStack(env);
    courierAgent = new Agent({ connect: { ...(stack.estate!.connections['courier-a'] as CourierAAdapterOptions).tls, rejectUnauthorized: true } });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await courierAgent?.close();
    await scratch?.drop();
  });

  afterEach(async () => {
    await Promise.all(SANDBOXES.map((name) => sandbox(name, 'POST', '/_sandbox/faults', { mode: 'ok' })));
  });

  /** The sandbox's own window, over HTTP (courier A's over HTTPS, trusting the test CA). */
  async function sandbox<T = Record<string, unknown>>(name: SandboxName, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await request(`${stack.estate!.sandboxes[name].url}${path}`, {
      method,
      ...(name === 'courier-a' ? { dispatcher: courierAgent } : {}),
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw new Error(`${name} ${method} ${path}: ${response.statusCode} ${text}`);
    return JSON.parse(text) as T;
  }

  const record = <T = Record<string, unknown>>(name: SandboxName, collection: string, id: string) =>
    sandbox<T>(name, 'GET', `/_sandbox/records/${collection}/${encodeURIComponent(id)}`);
  const operations = async (name: SandboxName) => (await sandbox<{ byOperation: Record<string, number> }>(name, 'GET', '/_sandbox/stats')).byOperation;

  async function graphql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<GraphQLBody<T>> {
    const response = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLBody<T>;
  }

  /** The data of an answer that must have no errors. */
  async function data<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<T> {
    const body = await graphql<T>(query, variables, headers);
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }

  const receiptOf = async (auditId: string) =>
    (await data<{ receipt: Receipt | null }>(
      'query($id: ID!) { receipt(auditId: $id) { status owner auditId error { code system message } followerJobs { system operation state } steps { step system outcome } } }',
      { id: auditId },
    )).receipt;

  const em = () => stack.db.orm.em.fork();

  /** Waits until no outbox job is left to run, so that what follows sees only its own traffic. */
  const outboxIdle = () =>
    eventually('the outbox to be idle', () => stack.writePath.outbox.counts(), (counts) => !counts.pending && !counts.running && !counts.failed, 10_000);

  describe('updateCustomer', () => {
    const customer = estate.customers[20]!;
    const email = `new.address.${customer.id}@example.com`;

    it('is applied by the store, synced to the CRM and the ERP, audited once and logged once per system call', async () => {
      const token = await mintTestToken({ subject: 'alice', scopes: ['customers:write'] });
      await stack.integrationLog.flush();
      const logged = async (adapter: string, operation: string) => em().count(IntegrationLogEntity, { adapter, operation, outcome: 'ok' });
      const before = { crm: await logged('crm', 'upsertProfile'), erp: await logged('erp', 'upsertPartner') };

      const { updateCustomer } = await data<{ updateCustomer: Receipt & { customer: { id: string; email: string } } }>(
        `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) {
           status owner auditId error { code } followerJobs { system operation state } customer { id email } } }`,
        { input: { id: customer.id, email } },
        bearer(token),
      );
      expect(updateCustomer).toMatchObject({ status: 'APPLIED', owner: 'store', error: null, customer: { id: customer.id, email } });
      expect(updateCustomer.followerJobs.map(({ system, operation }) => `${system}:${operation}`).sort()).toEqual(['crm:upsertProfile', 'erp:upsertPartner']);

      // The store, the owner, has it at once.
      expect(await data('query($id: ID!) { customer(id: $id) { email } }', { id: customer.id })).toEqual({ customer: { email } });

      // The followers have it within 2 s.
      await eventually(
        'the CRM contact to carry the new e-mail',
        () => record<{ properties: { email: string } }>('crm', 'contacts-by-customer', customer.id),
        (contact) => contact.properties.email === email,
      );
      await eventually('the ERP partner to carry the new e-mail', () => record<{ email: string }>('erp', 'res.partner', customer.id), (partner) => partner.email === email);
      const done = await eventually('the follower jobs to be done', () => receiptOf(updateCustomer.auditId), (receipt) => receipt!.followerJobs.every((job) => job.state === 'done'));
      expect(done!.followerJobs).toHaveLength(2);

      const audits = await em().find(MutationAuditEntity, { operation: 'updateCustomer', entityId: customer.id });
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({
        id: updateCustomer.auditId,
        actor: 'alice',
        owner: 'store',
        result: 'APPLIED',
        before: expect.objectContaining({ id: customer.id, email: customer.email }),
        after: expect.objectContaining({ id: customer.id, email }),
      });

      await stack.integrationLog.flush();
      expect({ crm: await logged('crm', 'upsertProfile'), erp: await logged('erp', 'upsertPartner') }).toEqual({ crm: before.crm + 1, erp: before.erp + 1 });
    });
  });

  describe('an idempotency key names one request, as Stripe\'s do (issue 15)', () => {
    const customer = estate.customers[21]!;
    const UPDATE = 'mutation($input: UpdateCustomerInput!, $key: String) { updateCustomer(input: $input, idempotencyKey: $key) { status auditId } }';
    const nameOf = async () => (await data<{ customer: { name: string } }>('query($id: ID!) { customer(id: $id) { name } }', { id: customer.id })).customer.name;

    it('the same key with another body is refused IDEMPOTENCY_KEY_REUSED and applies nothing; the same body again answers the first receipt', async () => {
      const token = bearer(await mintTestToken({ subject: 'alice', scopes: ['customers:write'] }));
      const key = `e2e-reused-${randomBytes(4).toString('hex')}`;
      const first = await data<{ updateCustomer: Receipt }>(UPDATE, { input: { id: customer.id, name: 'Kept Name' }, key }, token);
      expect(first.updateCustomer.status).toBe('APPLIED');

      const second = await graphql<{ updateCustomer: Receipt | null }>(UPDATE, { input: { id: customer.id, name: 'Dropped Name' }, key }, token);
      expect(second.errors).toHaveLength(1);
      expect(second.errors![0]).toMatchObject({ path: ['updateCustomer'], extensions: { code: 'IDEMPOTENCY_KEY_REUSED' } });
      expect(second.data?.updateCustomer ?? null).toBeNull();
      expect(await nameOf()).toBe('Kept Name');
      expect(await em().count(MutationAuditEntity, { operation: 'updateCustomer', idempotencyKey: key })).toBe(1);

      const again = await data<{ updateCustomer: Receipt }>(UPDATE, { input: { id: customer.id, name: 'Kept Name' }, key }, token);
      expect(again.updateCustomer.auditId).toBe(first.updateCustomer.auditId);
    });

    it('one key given to two different mutations of one operation applies the first and refuses the second', async () => {
      const token = bearer(await mintTestToken({ subject: 'alice', scopes: ['customers:write'] }));
      const key = `e2e-twice-${randomBytes(4).toString('hex')}`;
      const body = await graphql<{ a: Receipt | null; b: Receipt | null }>(
        `mutation($id: ID!, $key: String) {
           a: updateCustomer(input: { id: $id, name: "Header One" }, idempotencyKey: $key) { status }
           b: updateCustomer(input: { id: $id, name: "Header Two" }, idempotencyKey: $key) { status } }`,
        { id: customer.id, key },
        token,
      );
      // b's refusal nulls the whole answer (receipts are non-null), but a was applied: its receipt answers a retry of it.
      expect(body.errors).toEqual([expect.objectContaining({ path: ['b'], extensions: expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' }) })]);
      expect(await nameOf()).toBe('Header One');
      expect(await em().count(MutationAuditEntity, { operation: 'updateCustomer', idempotencyKey: key })).toBe(1);
    });
  });

  describe('placeOrder', () => {
    const customer = estate.customers[30]!;
    const item = (sku: string) => estate.items.find((candidate) => candidate.sku === sku)!;
    let token: string;

    beforeAll(async () => {
      token = await mintTestToken({ subject: 'bob', scopes: ['orders:write'] });
    });

    const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
      status owner auditId error { code system message } followerJobs { system operation state } steps { step system outcome }
      order { id status total { amount currency } lines { sku quantity } payment { status } shipments { carrier } } } }`;
    type Placed = Receipt & {
      order: {
        id: string;
        status: string;
        total: { amount: string; currency: string };
        lines: { sku: string; quantity: number }[];
        payment: { status: string } | null;
        shipments: { carrier: string }[];
      } | null;
    };
    const place = async (lines: { sku: string; quantity: number }[], headers: Record<string, string> = {}) =>
      // With a payment method from checkout (Stripe's test card), the payment is confirmed in the same call.
      (await data<{ placeOrder: Placed }>(PLACE, { input: { customerId: customer.id, lines, paymentMethod: 'pm_card_visa' } }, { ...bearer(token), ...headers })).placeOrder;

    /** What the ERP holds of a SKU: on hand, available, and what is reserved for each order. */
    const stock = async (sku: string) => {
      const product = await record<{ qty_available: number; virtual_available: number }>('erp', 'product.product', sku);
      const quant = await record<{ reserved_quantity: number; _reserved_by_order?: Record<string, number> }>('erp', 'stock.quant', sku);
      return { onHand: product.qty_available, available: product.virtual_available, reserved: quant.reserved_quantity, byOrder: quant._reserved_by_order ?? {} };
    };
    const ordersInStore = () => em().count(OrderEntity, { customer: customer.id });
    const resetStats = () => Promise.all(SANDBOXES.map((name) => sandbox(name, 'DELETE', '/_sandbox/stats')));
    const bookings = async () => {
      const [a, b] = await Promise.all([operations('courier-a'), operations('courier-b')]);
      // Canada Post (courier A) creates one shipment per parcel: its Create Shipment calls.
      return { 'courier-a': a['createShipment'] ?? 0, 'courier-b': b['shipments.create'] ?? 0 };
    };

    it.each([
      { mode: 'down', codes: ['UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN'], skus: ['SKU-00005', 'SKU-00006'] },
      { mode: 'garbage', codes: ['UPSTREAM_BAD_RESPONSE'], skus: ['SKU-00008', 'SKU-00011'] },
    ])('with the payment gateway $mode: rejected naming payments, the stock reserved is released, nothing shipped', async ({ mode, codes, skus }) => {
      const lines = skus.map((sku) => ({ sku, quantity: 2 }));
      const stockBefore = await Promise.all(skus.map(stock));
      const ordersBefore = await ordersInStore();
      await resetStats();
      await sandbox('payments', 'POST', '/_sandbox/faults', { mode });

      const receipt = await place(lines);
      expect(receipt).toMatchObject({ status: 'REJECTED', owner: 'store', order: null });
      expect(codes).toContain(receipt.error?.code);
      expect(receipt.error?.system).toBe('payments');
      // Each reservation was made, the payment failed, and each reservation was undone, newest first. The payment
      // gateway may hold an intent whose answer was lost (or one created and not confirmed): a job clears it up.
      expect(receipt.steps.map(({ system, outcome }) => `${system}:${outcome}`)).toEqual([
        'erp:done',
        'erp:done',
        'payments:failed',
        'payments:cleanup-queued',
        'erp:compensated',
        'erp:compensated',
      ]);
      expect(receipt.steps.slice(4).map((step) => step.step)).toEqual([`undo reserve 2 × ${skus[1]}`, `undo reserve 2 × ${skus[0]}`]);
      expect(receipt.followerJobs).toEqual([expect.objectContaining({ system: 'payments', operation: 'voidForOrder' })]);
      await sandbox('payments', 'POST', '/_sandbox/faults', { mode: 'ok' });
      await eventually('the clean-up to run', () => receiptOf(receipt.auditId), (found) => found?.followerJobs[0]?.state === 'done', 15_000);

      expect(await Promise.all(skus.map(stock))).toEqual(stockBefore);
      expect(await bookings()).toEqual({ 'courier-a': 0, 'courier-b': 0 });
      expect(await ordersInStore()).toBe(ordersBefore);
      const audit = await em().findOneOrFail(MutationAuditEntity, { id: receipt.auditId });
      expect(audit).toMatchObject({ actor: 'bob', operation: 'placeOrder', result: 'REJECTED', errorCode: receipt.error!.code });
    });

    it('with courier A answering garbage: rejected naming courier-a, payment and stock undone, and a job cancels whatever courier A booked', async () => {
      const lines = [{ sku: 'SKU-00017', quantity: 1 }];
      const stockBefore = await stock('SKU-00017');
      await sandbox('courier-a', 'POST', '/_sandbox/faults', { mode: 'garbage' });
      const receipt = await place(lines);
      expect(receipt).toMatchObject({ status: 'REJECTED', order: null, error: { code: 'UPSTREAM_BAD_RESPONSE', system: 'courier-a' } });
      expect(receipt.steps.map(({ system, outcome }) => `${system}:${outcome}`)).toEqual([
        'erp:done',
        'payments:done',
        'courier-a:failed',
        'courier-a:cleanup-queued',
        'payments:compensated',
        'erp:compensated',
      ]);
      expect(receipt.followerJobs).toEqual([expect.objectContaining({ system: 'courier-a', operation: 'cancelForOrder' })]);
      await sandbox('courier-a', 'POST', '/_sandbox/faults', { mode: 'ok' });
      await eventually('the clean-up at courier A to run', () => receiptOf(receipt.auditId), (found) => found?.followerJobs[0]?.state === 'done', 15_000);
      expect(await stock('SKU-00017')).toEqual(stockBefore);
    });

    it('with every system up: applied, the order resolves through the graph, and a retry with its Idempotency-Key places it once', async () => {
      const lines = [
        { sku: 'SKU-00009', quantity: 3 },
        { sku: 'SKU-00010', quantity: 1 },
      ];
      const stockBefore = await Promise.all(lines.map((line) => stock(line.sku)));
      const ordersBefore = await ordersInStore();
      await resetStats();
      const key = { 'idempotency-key': `e2e-place-order-${randomBytes(4).toString('hex')}` };

      const first = await place(lines, key);
      expect(first).toMatchObject({ status: 'APPLIED', owner: 'store', error: null });
      expect(first.followerJobs.map(({ system, operation }) => `${system}:${operation}`)).toEqual(['erp:upsertOrder', 'xero:upsertOrder']);
      expect(first.steps.map(({ system, outcome }) => `${system}:${outcome}`)).toEqual(['erp:done', 'erp:done', 'payments:done', 'courier-a:done']);
      const total = lines.reduce((sum, line) => sum + item(line.sku).price.minor * line.quantity, 0);
      expect(first.order).toEqual({
        id: expect.stringMatching(/^ord-/),
        status: 'CONFIRMED',
        total: { amount: formatDecimal(money(total, 'EUR')), currency: 'EUR' },
        lines,
        payment: { status: expect.stringMatching(/^(SUCCEEDED|REQUIRES_CAPTURE|PROCESSING)$/) },
        shipments: [{ carrier: 'courier-a' }],
      });
      const orderId = first.order!.id;

      const again = await place(lines, key);
      expect(again.auditId).toBe(first.auditId);
      expect(again.order?.id).toBe(orderId);

      expect(await ordersInStore()).toBe(ordersBefore + 1);
      expect(await em().count(MutationAuditEntity, { operation: 'placeOrder', entityId: orderId })).toBe(1);
      // The ERP's follower job confirms the order, whose own delivery then holds the stock (Odoo's action_confirm).
      await outboxIdle();
      const stockAfter = await Promise.all(lines.map((line) => stock(line.sku)));
      lines.forEach((line, index) => {
        expect(stockAfter[index]!.byOrder[orderId]).toBe(line.quantity);
        expect(stockAfter[index]!.available).toBe(stockBefore[index]!.available - line.quantity);
        expect(stockAfter[index]!.onHand).toBe(stockBefore[index]!.onHand);
      });
      expect(await bookings()).toEqual({ 'courier-a': 1, 'courier-b': 0 });
      expect((await operations('payments'))['payment_intents.create']).toBe(1);
    });

    it('two copies of one request sent at once (same Idempotency-Key) place one order, which stays placed', async () => {
      const lines = [{ sku: 'SKU-00005', quantity: 2 }];
      const stockBefore = await stock('SKU-00005');
      const ordersBefore = await ordersInStore();
      const key = { 'idempotency-key': `e2e-place-race-${randomBytes(4).toString('hex')}` };
      await Promise.all(SANDBOXES.map((name) => sandbox(name, 'DELETE', '/_sandbox/stats')));

      const [one, two] = await Promise.all([place(lines, key), place(lines, key)]);
      expect(one.status).toBe('APPLIED');
      expect(two.auditId).toBe(one.auditId);
      // The copy waited for the first and took its receipt: each step was asked of its system once, so a copy that
      // failed half-way could not have undone the steps the other took under the same keys.
      expect((await operations('payments'))['payment_intents.create']).toBe(1);
      const orderId = one.order!.id;

      expect(await ordersInStore()).toBe(ordersBefore + 1);
      // The copy that lost the race must not undo the winner's steps: the stock stays reserved, the payment taken, the
      // shipment booked.
      await outboxIdle();
      const after = await stock('SKU-00005');
      expect(after.byOrder[orderId]).toBe(2);
      expect(after.available).toBe(stockBefore.available - 2);
      const order = await data<{ order: { payment: { status: string }; shipments: { status: string }[] } }>(
        'query($id: ID!) { order(id: $id) { payment { status } shipments { status } } }',
        { id: orderId },
      );
      expect(order.order.payment.status).not.toBe('CANCELED');
      expect(order.order.shipments.map((shipment) => shipment.status)).not.toContain('CANCELLED');
    });

    it("refuses another caller's idempotency key (BAD_USER_INPUT) instead of answering them that caller's receipt", async () => {
      const key = { 'idempotency-key': `e2e-place-foreign-${randomBytes(4).toString('hex')}` };
      const mine = await place([{ sku: 'SKU-00006', quantity: 1 }], key);
      expect(mine.status).toBe('APPLIED');
      const ordersBefore = await ordersInStore();

      const stranger = bearer(await mintTestToken({ subject: 'mallory', scopes: ['orders:write'] }));
      const theirs = await graphql<{ placeOrder: Placed | null }>(PLACE, { input: { customerId: customer.id, lines: [{ sku: 'SKU-00006', quantity: 1 }] } }, { ...stranger, ...key });
      expect(theirs.data?.placeOrder ?? null).toBeNull();
      expect(theirs.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(theirs.errors?.[0]?.message).toMatch(/idempotency key was used for placeOrder by another caller/);
      expect(JSON.stringify(theirs)).not.toContain(mine.auditId);
      expect(JSON.stringify(theirs)).not.toContain(mine.order!.id);
      expect(await ordersInStore()).toBe(ordersBefore);

      // The key's owner still gets their receipt back.
      expect((await place([{ sku: 'SKU-00006', quantity: 1 }], key)).auditId).toBe(mine.auditId);
    });
  });

  describe('who may write', () => {
    it('refuses a mutation without a token (UNAUTHENTICATED) or without the scope (FORBIDDEN), and writes nothing anywhere', async () => {
      await outboxIdle();
      const customer = estate.customers[40]!;
      const audits = await em().count(MutationAuditEntity, {});
      const jobs = await em().count(OutboxJobEntity, {});
      await Promise.all(SANDBOXES.map((name) => sandbox(name, 'DELETE', '/_sandbox/stats')));
      const update = 'mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { status auditId } }';
      const input = { input: { id: customer.id, email: 'not.allowed@example.com' } };

      const anonymous = await graphql(update, input);
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(anonymous.data ?? null).toBeNull();

      const garbled = await graphql(update, input, { authorization: 'Bearer not-a-token' });
      expect(garbled.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

      const wrongScope = await graphql(update, input, bearer(await mintTestToken({ subject: 'carol', scopes: ['orders:write'] })));
      expect(wrongScope.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(wrongScope.errors?.[0]?.message).toContain('customers:write');

      const noScopeOrder = await graphql(
        'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { status } }',
        { input: { customerId: customer.id, lines: [{ sku: 'SKU-00013', quantity: 1 }] } },
        bearer(await mintTestToken({ subject: 'carol', scopes: ['customers:write', 'inventory:write'] })),
      );
      expect(noScopeOrder.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      // No system was called at all (read before the check below, whose read of the profile calls the followers).
      const reached = Object.fromEntries(await Promise.all(SANDBOXES.map(async (name) => [name, await operations(name)] as const)));
      expect(reached).toEqual(Object.fromEntries(SANDBOXES.map((name) => [name, {}])));
      expect(await em().count(MutationAuditEntity, {})).toBe(audits);
      expect(await em().count(OutboxJobEntity, {})).toBe(jobs);
      expect(await data('query($id: ID!) { customer(id: $id) { email } }', { id: customer.id })).toEqual({ customer: { email: customer.email } });
    });
  });

  describe('adjustInventory', () => {
    it('with the ERP down is queued, and applied exactly once when the ERP is back', async () => {
      const sku = 'SKU-00014';
      const token = await mintTestToken({ subject: 'dave', scopes: ['inventory:write'] });
      const key = { 'idempotency-key': `e2e-adjust-${randomBytes(4).toString('hex')}` };
      const ADJUST = `mutation { adjustInventory(sku: "${sku}", delta: 7, reason: "stock count") {
        status owner auditId error { code system } followerJobs { system operation state } } }`;
      const before = (await record<{ qty_available: number }>('erp', 'product.product', sku)).qty_available;

      await sandbox('erp', 'POST', '/_sandbox/faults', { mode: 'down' });
      const { adjustInventory: queued } = await data<{ adjustInventory: Receipt }>(ADJUST, {}, { ...bearer(token), ...key });
      expect(queued).toMatchObject({ status: 'QUEUED', owner: 'erp', error: { system: 'erp' } });
      expect(['UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN']).toContain(queued.error?.code);
      expect(queued.followerJobs).toEqual([expect.objectContaining({ system: 'erp', operation: 'adjustStock' })]);

      await sandbox('erp', 'POST', '/_sandbox/faults', { mode: 'ok' });
      const followed = await eventually(
        'the queued adjustment to be done',
        () => receiptOf(queued.auditId),
        (receipt) => receipt?.followerJobs[0]?.state === 'done',
        20_000,
      );
      expect(followed).toMatchObject({ status: 'QUEUED', auditId: queued.auditId, followerJobs: [{ system: 'erp', operation: 'adjustStock', state: 'done' }] });
      expect((await record<{ qty_available: number }>('erp', 'product.product', sku)).qty_available).toBe(before + 7);
      expect(await data('query($sku: String!) { inventoryItem(sku: $sku) { onHand } }', { sku })).toEqual({ inventoryItem: { onHand: before + 7 } });

      // A retry of the mutation answers the first receipt; the stock does not move again.
      const { adjustInventory: retried } = await data<{ adjustInventory: Receipt }>(ADJUST, {}, { ...bearer(token), ...key });
      expect(retried.auditId).toBe(queued.auditId);
      await stack.writePath.worker?.drain();
      expect((await record<{ qty_available: number }>('erp', 'product.product', sku)).qty_available).toBe(before + 7);
    });
  });
});
