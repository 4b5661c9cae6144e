import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openDatabase, parseDatabaseUrl, type Database, type DatabaseOptions } from '../../src/db';

/** A database the tests run on: SQLite always; PostgreSQL when it is configured, required (CI) or simply there. */
export interface TestDatabase {
  readonly label: string;
  /** The URL to open; SQLite runs in memory, so tests never touch the data folder. */
  readonly url: string | undefined;
}

const LOCAL_POSTGRES = 'postgresql://postgres@127.0.0.1:5432/test';
const SQLITE: TestDatabase = { label: 'SQLite', url: 'sqlite::memory:' };

let probed: boolean | undefined;

/**
 * The databases every database test runs on (use with describe.each):
 * - SQLite, in memory, always;
 * - PostgreSQL from DATABASE_URL when it is a postgres:// URL;
 * - else, with CI=true, the machine's PostgreSQL (postgresql://postgres@127.0.0.1:5432/test), which must be there:
 *   the tests then fail, never skip, when it is not (see {@link openTestDatabase});
 * - else the local PostgreSQL on 127.0.0.1:5432 if it answers a quick probe, and none if it does not.
 */
export function testDatabases(): TestDatabase[] {
  const configured = process.env.DATABASE_URL;
  if (configured && parseDatabaseUrl(configured).dialect === 'postgresql') return [SQLITE, postgres(configured)];
  if (process.env.CI === 'true') return [SQLITE, postgres(LOCAL_POSTGRES)];
  probed ??= answers('127.0.0.1', 5432);
  return probed ? [SQLITE, postgres(LOCAL_POSTGRES)] : [SQLITE];
}

function postgres(url: string): TestDatabase {
  const target = parseDatabaseUrl(url);
  return { label: target.dialect === 'postgresql' ? target.description : 'PostgreSQL', url };
}

/**
 * Opens a test database of its own: SQLite in memory, or a fresh PostgreSQL schema (so that parallel test files never
 * meet) which `close()` drops. Migrations are not run: call `migrate()`.
 */
export async function openTestDatabase(entry: TestDatabase, options: Omit<DatabaseOptions, 'schema'> = {}): Promise<Database> {
  const target = parseDatabaseUrl(entry.url);
  if (target.dialect === 'sqlite') return openDatabase(entry.url, options);

  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  let db: Database;
  try {
    db = await openDatabase(entry.url, { ...options, schema });
  } catch (error) {
    const required = process.env.CI === 'true' ? ' CI=true requires it: start PostgreSQL (or fix DATABASE_URL).' : '';
    throw new Error(`${target.description} is not reachable, so its tests cannot run.${required} ${(error as Error).message}`);
  }
  const close = async (): Promise<void> => {
    try {
      await db.orm.em.getConnection().execute(`drop schema if exists "${schema}" cascade`);
    } finally {
      await db.close();
    }
  };
  return { ...db, close, [Symbol.asyncDispose]: close };
}

/** A TCP probe in a child process: describe.each needs the list synchronously, at collection time. */
function answers(host: string, port: number): boolean {
  const script = `const s=require('node:net').connect(${port},${JSON.stringify(host)});` +
    `s.setTimeout(400,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));`;
  const result = spawnSync(process.execPath, ['-e', script], { timeout: 2_000, stdio: 'ignore' });
  return result.status === 0;
}
