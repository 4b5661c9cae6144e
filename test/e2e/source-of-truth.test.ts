import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConflictEntity, DriftEntity, OrderEntity, parseDatabaseUrl } from '../../src/db';
import { IntegrationMapError } from '../../src/integration-map';
import { CRM_SANDBOX_CREDENTIALS } from '../../src/systems/crm/sandbox';
import { ERP_SANDBOX_CREDENTIALS } from '../../src/systems/erp/sandbox';
import { generateEstate } from '../../src/systems/kit/seed';
import { testDatabases, type TestDatabase } from '../support/databases';
import { startTestStack, type GraphQLBody, type TestStack } from '../support/stack';
import { eventually, scratchDatabase } from '../support/scratch-database';

/**
 * The source-of-truth matrix on reads, end to end over HTTP: a follower changed behind our back does not change what
 * the graph serves (the difference is recorded as drift, once); an order the ERP changed later than the site wins
 * (the site's version is kept as a conflict); and a matrix that breaks the rules stops the start, naming the place.
 * Run on SQLite and on PostgreSQL.
 */

const estate = generateEstate();
const SCHEMA = path.join(__dirname, '..', '..', 'schema');

/** A copy of the committed schema folder with the matrix edited; the edit must have taken. */
async function schemaWithMatrix(edit: (matrix: string) => string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'plugboard-bad-matrix-'));
  await cp(SCHEMA, dir, { recursive: true });
  const file = path.join(dir, 'source-of-truth.yaml');
  const committed = await readFile(file, 'utf8');
  const edited = edit(committed);
  expect(edited).not.toBe(committed);
  await writeFile(file, edited);
  return dir;
}

describe.each(testDatabases())('the source of truth on $label', (database: TestDatabase) => {
  let env: Record<string, string>;
  let scratch: { url: string; drop: () => Promise<void> } | undefined;

  beforeAll(async () => {
    env = {};
    if (database.url && parseDatabaseUrl(database.url).dialect === 'postgresql') {
      scratch = await scratchDatabase(database.url, 'truth');
      env.DATABASE_URL = scratch.url;
    }
  });

  afterAll(async () => {
    await scratch?.drop();
  });

  describe('on reads', () => {
    let stack: TestStack;

    beforeAll(async () => {
      stack = await startTestStack(env);
    }, 60_000);

    afterAll(async () => {
      await stack?.close();
    });

    const em = () => stack.db.orm.em.fork();

    async function data<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const body: GraphQLBody<T> = await stack.query<T>(query, variables);
      expect(body.errors).toBeUndefined();
      return body.data as T;
    }

    /** A call to a sandbox's vendor API, as another of the business's tools would make it. */
    async function vendor<T>(url: string, init: { method: string; headers?: Record<string, string>; body: string }): Promise<T> {
      const response = await fetch(url, init);
      const text = await response.text();
      if (!response.ok) throw new Error(`${init.method} ${url}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    }

    /** Changes a contact in the CRM over HubSpot's API (a private app's token), not through Plugboard. */
    async function changeInCrm(customerId: string, properties: Record<string, string>): Promise<void> {
      const crm = stack.estate!.sandboxes.crm.url;
      const token = CRM_SANDBOX_CREDENTIALS.privateAppToken;
      const query = new URLSearchParams({ idProperty: 'plugboard_customer_id' });
      await vendor(`${crm}/crm/v3/objects/contacts/${encodeURIComponent(customerId)}?${query.toString()}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ properties }),
      });
    }

    /**
     * Changes a sales order in the ERP over Odoo's external JSON-RPC API, not through Plugboard, as an ERP user does:
     * cancels it (`action_cancel`), or ships it (its delivery reserved and validated).
     */
    async function changeInErp(orderId: string, change: 'cancel' | 'ship'): Promise<void> {
      const erp = `${stack.estate!.sandboxes.erp.url}/jsonrpc`;
      const { db, login, apiKey } = ERP_SANDBOX_CREDENTIALS;
      const rpc = async <T>(service: string, method: string, args: unknown[]): Promise<T> => {
        const answer = await vendor<{ result?: T; error?: unknown }>(erp, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: randomBytes(4).toString('hex'), params: { service, method, args } }),
        });
        if (answer.error !== undefined) throw new Error(`ERP ${service}.${method}: ${JSON.stringify(answer.error)}`);
        return answer.result as T;
      };
      const uid = await rpc<number | false>('common', 'authenticate', [db, login, apiKey, {}]);
      if (uid === false) throw new Error('the ERP refused the sandbox credentials');
      const ids = await rpc<number[]>('object', 'execute_kw', [db, uid, apiKey, 'sale.order', 'search', [[['client_order_ref', '=', orderId]]]]);
      expect(ids).toHaveLength(1);
      if (change === 'cancel') {
        const context = { disable_cancel_warning: true };
        expect(await rpc('object', 'execute_kw', [db, uid, apiKey, 'sale.order', 'action_cancel', [ids], { context }])).toBe(true);
        return;
      }
      const open = [[['sale_id', '=', ids[0]], ['state', 'not in', ['done', 'cancel']]]];
      const pickings = await rpc<number[]>('object', 'execute_kw', [db, uid, apiKey, 'stock.picking', 'search', open]);
      expect(await rpc('object', 'execute_kw', [db, uid, apiKey, 'stock.picking', 'action_assign', [pickings]])).toBe(true);
      expect(await rpc('object', 'execute_kw', [db, uid, apiKey, 'stock.picking', 'button_validate', [pickings]])).toBe(true);
    }

    it('a CRM e-mail changed behind our back: the graph serves the store\'s, and the difference is one drift row', async () => {
      const customer = estate.customers[50]!;
      const changed = `changed.in.crm.${customer.id}@example.com`;
      await changeInCrm(customer.id, { email: changed });
      expect((await (await fetch(`${stack.estate!.sandboxes.crm.url}/_sandbox/records/contacts-by-customer/${customer.id}`)).json()) as unknown).toMatchObject({
        properties: { email: changed },
      });

      expect(await data('query($id: ID!) { customer(id: $id) { email } }', { id: customer.id })).toEqual({ customer: { email: customer.email } });
      const drift = () => em().find(DriftEntity, { entity: 'Customer', entityId: customer.id });
      const [first] = await eventually('the drift to be recorded', drift, (rows) => rows.length > 0);
      expect(first).toMatchObject({
        field: 'email',
        ownerSystem: 'store',
        ownerValue: customer.email,
        followerSystem: 'crm',
        followerValue: changed,
        timesSeen: 1,
        resolvedAt: null,
      });

      // Read again: the same difference is seen again, not recorded again.
      expect(await data('query($id: ID!) { customer(id: $id) { email } }', { id: customer.id })).toEqual({ customer: { email: customer.email } });
      const again = await eventually('the second sighting to be counted', drift, (rows) => rows.some((row) => row.timesSeen >= 2));
      expect(again).toHaveLength(1);
      expect(again[0]).toMatchObject({ id: first!.id, followerValue: changed, timesSeen: 2 });
    });

    /** Orders the site confirmed long ago, that the ERP holds as confirmed too. */
    const confirmed = estate.orders.filter((order) => order.status === 'CONFIRMED' && order.updatedAt.getTime() < Date.now() - 86_400_000);

    it.each([
      { change: 'cancel' as const, status: 'CANCELLED', pick: 0 },
      { change: 'ship' as const, status: 'SHIPPED', pick: 1 },
    ])('an order the ERP changed later than the site ($status): the graph serves the ERP\'s, the site\'s version is kept as a conflict', async ({ change, status, pick }) => {
      // An ERP user ships what is in stock: Odoo asks about a backorder when it cannot reserve all of it.
      const shippable = confirmed.filter((one) => one.lines.every((line) => (estate.items.find((item) => item.sku === line.sku)?.available ?? 0) >= line.quantity));
      const order = (change === 'ship' ? shippable : confirmed)[pick]!;
      await changeInErp(order.id, change);

      // The first read serves the ERP's version: none of these orders was read before (nothing cached), so no wait for
      // a cache to expire could be what makes it pass.
      const answer = await data<{ order: { status: string; updatedAt: string } }>('query($id: ID!) { order(id: $id) { id status updatedAt } }', { id: order.id });
      expect(answer.order).toMatchObject({ id: order.id, status });

      const conflicts = () => em().find(ConflictEntity, { entity: 'Order', entityId: order.id });
      const [conflict] = await eventually('the conflict to be recorded', conflicts, (rows) => rows.length > 0);
      expect(conflict).toMatchObject({
        field: 'status',
        rule: 'latest-timestamp-wins',
        winnerSystem: 'erp',
        winnerValue: expect.objectContaining({ status }),
        loserSystem: 'store',
        loserValue: { status: 'CONFIRMED', updatedAt: order.updatedAt.toISOString() },
        loserTimestamp: order.updatedAt,
      });
      expect(conflict!.winnerTimestamp.getTime()).toBeGreaterThan(order.updatedAt.getTime());
      // Both settled fields come from the winner.
      expect(new Date(answer.order.updatedAt).getTime()).toBe(conflict!.winnerTimestamp.getTime());

      // The site follows the winner, so a second read finds no conflict left to record.
      expect((await em().findOneOrFail(OrderEntity, { id: order.id })).status).toBe(status);
      expect(await data('query($id: ID!) { order(id: $id) { id status } }', { id: order.id })).toEqual({ order: { id: order.id, status } });
      expect(await conflicts()).toHaveLength(1);
    });
  });

  describe('a matrix that breaks the rules stops the start, naming the place', () => {
    const dirs: string[] = [];
    afterAll(async () => {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    });

    it.each([
      {
        what: 'a field with two owners',
        edit: (text: string) => text.replace('email:         { owner: store, followers: [crm, erp]', 'email:         { owner: [store, crm], followers: [erp]'),
        names: ['entities.Customer.fields.email', 'owned twice (store, crm)'],
      },
      {
        what: 'a field written twice',
        edit: (text: string) =>
          text.replace('      segment:', '      email:         { owner: crm, followers: [], direction: owner-to-followers, conflict: owner-wins }\n      segment:'),
        names: ['entities.Customer.fields.email', 'written twice'],
      },
      {
        what: 'an unknown system',
        edit: (text: string) => text.replace('number:   { owner: store, followers: [erp, xero]', 'number:   { owner: store, followers: [warehouse, xero]'),
        names: ['entities.Order.fields.number.followers[0]', 'unknown system "warehouse"'],
      },
    ])('$what', async ({ edit, names }) => {
      const schemaDir = await schemaWithMatrix(edit);
      dirs.push(schemaDir);
      const started = startTestStack(env, { schemaDir });
      await expect(started).rejects.toBeInstanceOf(IntegrationMapError);
      const error = (await started.catch((failure: unknown) => failure)) as IntegrationMapError;
      expect(error.message).toContain(path.join(schemaDir, 'source-of-truth.yaml'));
      for (const name of names) expect(error.message).toContain(name);
    });
  });
});
