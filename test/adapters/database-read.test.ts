import type { Database } from '../../src/db';
import { openTestDatabase, testDatabases } from '../support/databases';

/**
 * Database.read (src/db/database.ts; on SQLite src/db/sqlite-reads.ts): a plain read with `?` placeholders, the same
 * rows on every dialect, every statement heard by `onQuery`, and on SQLite a statement prepared once per text and
 * used again with other values.
 */
describe.each(testDatabases())('Database.read on $label', (entry) => {
  let db: Database;
  const heard: string[] = [];
  beforeAll(async () => {
    db = await openTestDatabase(entry, { onQuery: (sql) => heard.push(sql) });
  });
  afterAll(() => db?.close());

  it('binds the values in order, again and again with the same text', async () => {
    const sql = 'select ? as "word", ? as "number", ? as "nothing"';
    heard.length = 0;
    const first = await db.read<{ word: string; number: number; nothing: null }>(sql, ['one', 1, null]);
    const second = await db.read<{ word: string; number: number; nothing: null }>(sql, ["it's", 2, null]);
    expect([...first, ...second].map((row) => [row.word, Number(row.number), row.nothing])).toEqual([
      ['one', 1, null],
      ["it's", 2, null],
    ]);
    expect(heard.filter((statement) => statement.includes('"word"'))).toHaveLength(2);
  });

  it('reads with a date as MikroORM does, and on SQLite binds it to a statement prepared once', async () => {
    const sql = 'select ? as "seen", ? < ? as "earlier"';
    const params = [new Date('2026-12-07T10:00:00.000Z'), new Date('2026-12-07T09:59:59.999Z'), new Date('2026-12-07T10:00:00.000Z')];
    // MikroORM's own path runs its statements through knex, which tells each one; the prepared path does not.
    const throughKnex: string[] = [];
    const knex = (db.orm.em.getConnection() as unknown as { getKnex(): { on(event: 'query', listener: (query: { sql: string }) => void): void; off(event: 'query', listener: (query: { sql: string }) => void): void } }).getKnex();
    const listener = (query: { sql: string }) => void throughKnex.push(query.sql);
    knex.on('query', listener);
    const rows = await db.read<{ seen: unknown; earlier: unknown }>(sql, params).finally(() => knex.off('query', listener));
    const orms = await db.orm.em.getConnection().execute<{ seen: unknown; earlier: unknown }[]>(sql, [...params], 'all');
    expect(rows).toEqual(orms);
    expect(Number(rows[0]!.earlier)).toBe(1);
    // On SQLite the date is bound to the prepared statement: nothing went through MikroORM's knex.
    expect(throughKnex).toHaveLength(entry.label === 'SQLite' ? 0 : 1);
  });

  it('reads on past more texts than it keeps prepared', async () => {
    for (let index = 0; index < 300; index += 1) {
      const [row] = await db.read<{ value: number }>(`select ? + ${index} as "value"`, [1]);
      expect(Number(row!.value)).toBe(index + 1);
    }
  });

  it('refuses a statement the database cannot run, as MikroORM does', async () => {
    await expect(db.read('select * from no_such_table where id = ?', ['x'])).rejects.toThrow(/no_such_table/);
  });
});
