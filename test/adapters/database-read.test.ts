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

  it('answers a read whose values SQLite cannot bind as they are (a date) through MikroORM', async () => {
    const rows = await db.read<{ seen: unknown }>('select ? as "seen"', [new Date('2026-12-07T10:00:00.000Z')]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.seen).not.toBeUndefined();
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
