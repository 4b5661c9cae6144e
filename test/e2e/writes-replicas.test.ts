import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { IdempotencyClaimEntity, MutationAuditEntity, OrderEntity, seedSiteStore } from '../../src/db';
import { environmentOf } from '../../src/estate/connections';
import { startSandboxes, type RunningEstate, type SandboxName } from '../../src/estate/start-sandboxes';
import { generateEstate } from '../../src/systems/kit/seed';
import { testDatabases } from '../support/databases';
import { eventually, scratchDatabase } from '../support/scratch-database';
import { startTestStack, type GraphQLBody, type TestStack } from '../support/stack';
import { bearer, mintTestToken } from '../support/tokens';

/**
 * Two replicas of the gateway and its write path over one PostgreSQL database and one estate, as a load balancer
 * runs them: a client's retry of a mutation can reach the other replica while the first is still applying it. The
 * systems must be asked once, and both answers must be the one receipt. (SQLite is the embedded default of one
 * process; replicas share a database server.)
 */
const servers = testDatabases().filter((database) => database.label !== 'SQLite');
const estateSeed = generateEstate();

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { status auditId order { id payment { status } } } }`;
type Placed = { status: string; auditId: string; order: { id: string; payment: { status: string } | null } | null };

(servers.length ? describe.each(servers) : describe.skip.each([{ label: 'PostgreSQL (none here: set DATABASE_URL or run it on 127.0.0.1:5432)', url: '' }]))(
  'placeOrder through two replicas on $label',
  (server) => {
    let estate: RunningEstate;
    let estateDir: string;
    let scratch: { url: string; drop: () => Promise<void> };
    let replicas: TestStack[] = [];

    beforeAll(async () => {
      estateDir = await mkdtemp(path.join(tmpdir(), 'plugboard-replicas-'));
      estate = await startSandboxes({ estate: estateSeed, dataDir: estateDir, ports: 'ephemeral' });
      scratch = await scratchDatabase(server.url!, 'replicas');
      const env = { ...environmentOf(estate.connections, path.join(estateDir, 'pki')), DATABASE_URL: scratch.url };
      // One after the other: the first migrates the database, the second finds it migrated.
      replicas.push(await startTestStack(env));
      replicas.push(await startTestStack(env));
      await seedSiteStore(replicas[0]!.db, estateSeed);
    }, 90_000);

    afterAll(async () => {
      for (const replica of replicas) await replica.close();
      replicas = [];
      await estate?.close();
      await scratch?.drop();
      if (estateDir) await rm(estateDir, { recursive: true, force: true });
    });

    const window = async (name: SandboxName, method: 'GET' | 'POST' | 'DELETE', route: string, body?: unknown) => {
      const response = await request(`${estate.sandboxes[name].url}${route}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return JSON.parse(await response.body.text()) as Record<string, unknown>;
    };

    it('a copy sent to the second replica while the first applies it is answered the first receipt: one order, one payment', async () => {
      const token = await mintTestToken({ subject: 'carol', scopes: ['orders:write'] });
      const key = `replicas-${randomBytes(4).toString('hex')}`;
      const input = { customerId: estateSeed.customers[40]!.id, lines: [{ sku: 'SKU-00011', quantity: 1 }] };
      const send = async (replica: TestStack) => {
        const response = await fetch(replica.gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(token), 'idempotency-key': key },
          body: JSON.stringify({ query: PLACE, variables: { input } }),
        });
        return (await response.json()) as GraphQLBody<{ placeOrder: Placed }>;
      };
      const orders = () => replicas[1]!.db.orm.em.fork().count(OrderEntity, { customer: input.customerId });
      const ordersBefore = await orders();
      await window('payments', 'DELETE', '/_sandbox/stats');
      // The payment gateway holds the first replica's payment: the copy is sent once it is held there, so it reaches
      // the other replica while the first is half-way (however slow the machine).
      await window('payments', 'POST', '/_sandbox/faults', { mode: 'slow', delayMs: 1_000 });
      try {
        const first = send(replicas[0]!);
        await eventually('the first payment to be held', async () => estate.sandboxes.payments.stats.snapshot().faultsInjected, (held) => held > 0);
        const [one, two] = await Promise.all([first, send(replicas[1]!)]);
        expect(one.errors).toBeUndefined();
        expect(two.errors).toBeUndefined();
        expect(one.data!.placeOrder.status).toBe('APPLIED');
        expect(two.data!.placeOrder.auditId).toBe(one.data!.placeOrder.auditId);
        expect(two.data!.placeOrder.order?.id).toBe(one.data!.placeOrder.order?.id);
      } finally {
        await window('payments', 'POST', '/_sandbox/faults', { mode: 'ok' });
      }
      const stats = (await window('payments', 'GET', '/_sandbox/stats')) as { byOperation: Record<string, number> };
      expect(stats.byOperation['payment_intents.create']).toBe(1);
      const em = replicas[1]!.db.orm.em.fork();
      expect(await em.count(MutationAuditEntity, { operation: 'placeOrder', idempotencyKey: key })).toBe(1);
      expect(await orders()).toBe(ordersBefore + 1);
      expect(await em.count(IdempotencyClaimEntity, {})).toBe(0);
    }, 30_000);
  },
);
