import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
import { createDatabaseConfig, parseDatabaseUrl, type DatabaseDialect, type DatabaseOptions } from './config';
import { createSqliteReads } from './sqlite-reads';

/** Our database, open: the ORM, the migrations and a clean way to close it. */
export interface Database extends AsyncDisposable {
  readonly orm: MikroORM<AbstractSqlDriver, SqlEntityManager>;
  readonly dialect: DatabaseDialect;
  /** PostgreSQL schema our tables live in, when one was asked for. */
  readonly schema: string | undefined;
  /**
   * A plain read: `sql` with `?` placeholders and its values, its rows as objects. On SQLite each text is prepared
   * once and its values bound (see sqlite-reads.ts); on PostgreSQL it goes through MikroORM's connection.
   */
  read<Row extends object>(sql: string, params: readonly unknown[]): Promise<Row[]>;
  /** Runs the committed migrations that have not run yet; answers the names of those it ran. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Opens the database a URL names (see {@link createDatabaseConfig}). Unless `lazy`, fails at once, with a message
 * naming the database (never its password), when it cannot be reached.
 */
export async function openDatabase(url: string | undefined, options: DatabaseOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(url, options.dataDir);
  const orm = (await MikroORM.init(createDatabaseConfig(url, options))) as unknown as MikroORM<
    AbstractSqlDriver,
    SqlEntityManager
  >;
  const where = target.dialect === 'sqlite' ? `SQLite ${target.file}` : target.description;
  if (!options.lazy) {
    const check = await orm.checkConnection();
    if (!check.ok) {
      await orm.close(true).catch(() => undefined);
      throw new Error(`cannot open ${where}: ${check.reason ?? 'no connection'}`, { cause: check.error });
    }
  }
  if (target.dialect === 'sqlite' && target.file !== ':memory:' && !options.lazy) {
    // Write-ahead logging: a commit appends to the -wal file and syncs it once (synchronous stays FULL, so a committed
    // write survives a power cut), where the default rollback journal writes, syncs and deletes a journal and syncs the
    // database too: a transaction of 15 integration-log rows 0.94 -> 0.26 ms (median of 200, libsql, this machine's
    // disk). Readers no longer wait for a writer either. The mode is kept in the file: every process opening it
    // afterwards (npm start, the CLIs) writes ahead too.
    await orm.em.getConnection().execute('pragma journal_mode = wal');
  }
  const schema = target.dialect === 'postgresql' ? options.schema : undefined;
  if (schema && !options.lazy) {
    await orm.em.getConnection().execute(`create schema if not exists "${schema}"`);
  }

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await orm.close(true);
  };
  const connection = orm.em.getConnection();
  const sqlite = target.dialect === 'sqlite' ? createSqliteReads(connection, options.onQuery) : undefined;
  return {
    orm,
    dialect: target.dialect,
    schema,
    read: <Row extends object>(sql: string, params: readonly unknown[]) =>
      sqlite?.read<Row>(sql, params) ?? connection.execute<Row[]>(sql, [...params], 'all'),
    async migrate() {
      if (schema) await orm.em.getConnection().execute(`create schema if not exists "${schema}"`);
      const ran = await orm.getMigrator().up();
      return ran.map((migration) => migration.name);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
