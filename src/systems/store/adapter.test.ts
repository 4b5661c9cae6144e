import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createStoreAdapter } from './adapter';
import { MIGRATIONS_DIR, openDatabase, parseDatabaseUrl, seedSiteStore, type Database } from '../../db';
import { orderCursor } from '../../domain';
import { generateEstate } from '../kit/seed';
import { describeSiteStoreContract } from '../../../test/contracts/site-store.contract';
import { openTestDatabase, testDatabases } from '../../../test/support/databases';
import { failureOf } from '../../../test/support/failures';

const estate = generateEstate();

describe.each(testDatabases())('site store on $label', (database) => {
  describeSiteStoreContract(`store adapter on ${database.label}`, async () => {
    let statements = 0;
    const db = await openTestDatabase(database, { onQuery: () => (statements += 1) });
    await db.migrate();
    await seedSiteStore(db, estate);
    return {
      store: createStoreAdapter({ db }),
      system: 'store',
      estate,
      statements: () => statements,
      close: () => db.close(),
    };
  });

  describe('reads in one statement', () => {
    let db: Database;
    let statements: string[];
    beforeAll(async () => {
      statements = [];
      db = await openTestDatabase(database, { onQuery: (sql) => statements.push(sql) });
      await db.migrate();
      await seedSiteStore(db, estate);
    });
    afterAll(() => db?.close());

    const counted = async <T>(call: () => Promise<T>): Promise<{ result: T; sent: number }> => {
      const before = statements.length;
      const result = await call();
      return { result, sent: statements.length - before };
    };
    const newestFirst = [...estate.orders].sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime() || (a.id < b.id ? 1 : -1));

    it('answers a page of orders with their lines and the total count in one statement', async () => {
      const { result, sent } = await counted(() => createStoreAdapter({ db }).listOrders({ first: 100 }));
      expect(sent).toBe(1);
      expect(result.items).toEqual(newestFirst.slice(0, 100));
      expect(result.totalCount).toBe(estate.orders.length);
    });

    it('still counts every order when a page after the last order is empty', async () => {
      const store = createStoreAdapter({ db });
      const last = await store.listOrders({ first: 5, after: orderCursor(newestFirst[newestFirst.length - 2]!) });
      expect(last.items).toEqual([newestFirst[newestFirst.length - 1]]);
      const { result, sent } = await counted(() => store.listOrders({ first: 5, after: last.endCursor }));
      expect(result).toEqual({ items: [], cursors: [], endCursor: null, hasNextPage: false, totalCount: estate.orders.length });
      expect(sent).toBe(2);
    });

    it("counts a customer's orders when none is left after the cursor", async () => {
      const customer = estate.orders[0]!.customerId;
      const mine = newestFirst.filter((order) => order.customerId === customer);
      const pages = await createStoreAdapter({ db }).listOrdersByCustomerIds({
        customerIds: [customer],
        first: 3,
        after: orderCursor(mine[mine.length - 1]!),
      });
      expect(pages.get(customer)).toEqual({ items: [], cursors: [], endCursor: null, hasNextPage: false, totalCount: mine.length });
    });
  });

  describe('rows no migration allows', () => {
    let db: Database;
    beforeEach(async () => {
      db = await openTestDatabase(database);
      await db.migrate();
      await seedSiteStore(db, estate);
    });
    afterEach(() => db?.close());

    it('answers UPSTREAM_BAD_RESPONSE naming the column for an order in a status we do not know', async () => {
      const newest = [...estate.orders].sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime())[0]!;
      await db.orm.em.getConnection().execute('update orders set status = ? where id = ?', ['LOST', newest.id]);
      const error = await failureOf(createStoreAdapter({ db }).listOrders({ first: 10 }));
      expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(error.operation).toBe('listOrders');
      expect(error.message).toMatch(/orders: column status should be one of PENDING, .*, but was "LOST"/);
    });

    it('answers UPSTREAM_BAD_RESPONSE for a line whose currency is not a code, without showing the value', async () => {
      const order = estate.orders[3]!;
      await db.orm.em.getConnection().execute('update order_lines set currency = ? where order_id = ?', ['E', order.id]);
      const error = await failureOf(createStoreAdapter({ db }).findOrdersByIds([order.id]));
      expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(error.message).toMatch(/order_lines: column currency should be a three-letter currency code, but was text of 1 characters/);
    });

    // SQLite keeps text in a datetime column; PostgreSQL's timestamptz holds nothing but a time.
    (parseDatabaseUrl(database.url).dialect === 'sqlite' ? it : it.skip)('answers UPSTREAM_BAD_RESPONSE for a customer whose creation time is not a date', async () => {
      const customer = estate.customers[5]!;
      await db.orm.em.getConnection().execute('update customers set created_at = ? where id = ?', ['yesterday', customer.id]);
      const error = await failureOf(createStoreAdapter({ db }).findCustomersByIds([customer.id]));
      expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(error.message).toMatch(/customers: column created_at should be a date, but was text of 9 characters/);
      expect(error.message).not.toContain('yesterday');
    });
  });

  describe('migrations and seed', () => {
    it('migrates an empty database to every table, once', async () => {
      await using db = await openTestDatabase(database);
      const ran = await db.migrate();
      // Every committed migration runs from empty, in order, the initial one first.
      const committed = readdirSync(MIGRATIONS_DIR).filter((file) => /^migration-\d{14}-.+\.ts$/.test(file)).map((file) => file.replace(/\.ts$/, '')).sort();
      expect(ran).toEqual(committed);
      expect(ran[0]).toMatch(/^migration-\d{14}-initial-site-store$/);
      expect(await db.migrate()).toEqual([]);
      const connection = db.orm.em.getConnection();
      for (const table of ['customers', 'orders', 'order_lines']) {
        const [row] = await connection.execute(`select count(*) as n from ${table}`);
        expect(Number(row.n)).toBe(0);
      }
    });

    it('seeds the estate once, in well under five seconds, and leaves a seeded store alone', async () => {
      await using db = await openTestDatabase(database);
      await db.migrate();
      const started = performance.now();
      const seeded = await seedSiteStore(db, estate);
      expect(performance.now() - started).toBeLessThan(5_000);
      const lines = estate.orders.reduce((sum, order) => sum + order.lines.length, 0);
      expect(seeded).toEqual({ seeded: true, customers: 240, orders: 1200, lines });
      expect(await seedSiteStore(db, estate)).toEqual({ seeded: false, customers: 0, orders: 0, lines: 0 });
      const [row] = await db.orm.em.getConnection().execute('select count(*) as n from order_lines');
      expect(Number(row.n)).toBe(lines);
    });

    it('refuses a second customer with the same e-mail', async () => {
      await using db = await openTestDatabase(database);
      await db.migrate();
      const connection = db.orm.em.getConnection();
      const insert = `insert into customers (id, email, name, phone, created_at, updated_at) values (?, ?, ?, ?, ?, ?)`;
      const now = db.orm.em.getPlatform().processDateProperty(new Date());
      await connection.execute(insert, ['cus-1', 'same@example.com', 'One', null, now, now]);
      await expect(connection.execute(insert, ['cus-2', 'same@example.com', 'Two', null, now, now])).rejects.toThrow();
    });
  });

  describe('when the database goes away', () => {
    it('answers UPSTREAM_UNAVAILABLE from the store system', async () => {
      const db = await openTestDatabase(database);
      await db.migrate();
      const store = createStoreAdapter({ db });
      await db.close();
      const error = await failureOf(store.findCustomersByIds(['cus-00001']));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.system).toBe('store');
      expect(error.operation).toBe('findCustomersByIds');
      expect(error.message).toMatch(/connection is closed/);
    });

    it('names the schema problem when the migrations have not run', async () => {
      await using db = await openTestDatabase(database);
      const error = await failureOf(createStoreAdapter({ db, system: 'site' }).listCustomers({ first: 5 }));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.system).toBe('site');
      expect(error.message).toMatch(/run the migrations/);
    });
  });
});

describe('PostgreSQL that refuses connections', () => {
  const url = 'postgresql://postgres:s3cret-pw@127.0.0.1:1/test';

  it('fails to open, naming the server but not the password', async () => {
    const error = await openDatabase(url).then(
      () => new Error('expected openDatabase to fail'),
      (caught: unknown) => caught as Error,
    );
    expect(error.message).toMatch(/cannot open PostgreSQL 127\.0\.0\.1:1 database test/);
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('opened lazily, answers UPSTREAM_UNAVAILABLE (connection refused) on every call', async () => {
    await using db = await openDatabase(url, { lazy: true });
    const error = await failureOf(createStoreAdapter({ db }).findOrdersByIds(['ord-000001']));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.system).toBe('store');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});

describe('the embedded default', () => {
  it('creates its SQLite file in a fresh data folder and keeps what was written across a restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-db-'));
    try {
      const first = await openDatabase(undefined, { dataDir: path.join(dataDir, 'nested') });
      await first.migrate();
      await seedSiteStore(first, estate);
      await first.close();
      expect(existsSync(path.join(dataDir, 'nested', 'plugboard.db'))).toBe(true);

      await using again = await openDatabase(undefined, { dataDir: path.join(dataDir, 'nested') });
      expect(await again.migrate()).toEqual([]);
      const found = await createStoreAdapter({ db: again }).findCustomersByIds(['cus-00042']);
      expect(found.get('cus-00042')).toEqual(estate.customers[41]);
      // Written ahead to its log, each commit synced (docs/configuration.md).
      expect(await again.orm.em.getConnection().execute('pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await again.orm.em.getConnection().execute('pragma synchronous')).toEqual([{ synchronous: 2 }]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('database URLs', () => {
  it('reads SQLite and PostgreSQL URLs, and refuses others without echoing them', () => {
    expect(parseDatabaseUrl(undefined)).toEqual({ dialect: 'sqlite', file: '.plugboard/plugboard.db' });
    expect(parseDatabaseUrl('', 'data')).toEqual({ dialect: 'sqlite', file: 'data/plugboard.db' });
    expect(parseDatabaseUrl('file:./x/y.db')).toEqual({ dialect: 'sqlite', file: './x/y.db' });
    expect(parseDatabaseUrl('sqlite:///var/lib/p.db')).toEqual({ dialect: 'sqlite', file: '/var/lib/p.db' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', file: ':memory:' });
    expect(parseDatabaseUrl('postgres://u:pw@db.internal:6543/shop')).toMatchObject({
      dialect: 'postgresql',
      description: 'PostgreSQL db.internal:6543 database shop',
    });
    expect(() => parseDatabaseUrl('mysql://root:hunter2@db/shop')).toThrow(/unsupported scheme "mysql"/);
    expect(() => parseDatabaseUrl('mysql://root:hunter2@db/shop')).not.toThrow(/hunter2/);
  });
});
