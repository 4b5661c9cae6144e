import type { Connection } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';

/** What this file needs of libsql's connection and statement (the driver under MikroORM's SQLite dialect). */
interface LibsqlConnection {
  prepare(sql: string): { all(params: readonly unknown[]): unknown[] };
}
interface KnexClient {
  acquireConnection(): Promise<LibsqlConnection>;
  releaseConnection(connection: LibsqlConnection): Promise<unknown>;
}

/** Statements kept prepared per connection, the least recently used dropped past this many. */
const KEPT = 256;

/**
 * Plain reads on SQLite with each statement's text prepared once and its values bound: the store's page, its
 * customers, the booking ledger. MikroORM's `execute` writes every value into the text it sends (`formatQuery`), so
 * SQLite parsed and planned each read anew: on an uncached page of 100 orders, preparing was about 1.4 ms of CPU and
 * the text's making and knex's runner about as much again (docs/benchmark.md). The connection is the pool's own,
 * acquired and released as knex does for its queries, so a read waits for a transaction holding it, as before.
 * A date is bound as the milliseconds since 1970 that MikroORM writes into the text for it on SQLite (its platform's
 * `quoteValue`), and that its datetime columns hold: a page of orders after a cursor compares `placed_at` with one.
 * Other values but text, numbers and null go through MikroORM (`read` answers undefined). `onQuery` hears each
 * statement, as MikroORM's hook of the same name does (the database's `onQuery` option).
 */
export function createSqliteReads(connection: Connection, onQuery?: (sql: string) => void): { read<Row extends object>(sql: string, params: readonly unknown[]): Promise<Row[]> | undefined } {
  const client = (connection as AbstractSqlConnection).getKnex().client as unknown as KnexClient;
  const prepared = new WeakMap<LibsqlConnection, Map<string, ReturnType<LibsqlConnection['prepare']>>>();
  const statementOf = (raw: LibsqlConnection, sql: string): ReturnType<LibsqlConnection['prepare']> => {
    let statements = prepared.get(raw);
    if (!statements) prepared.set(raw, (statements = new Map()));
    let statement = statements.get(sql);
    if (statement) {
      // Most recently used last: a Map keeps its insertion order.
      statements.delete(sql);
    } else {
      statement = raw.prepare(sql);
      if (statements.size >= KEPT) statements.delete(statements.keys().next().value!);
    }
    statements.set(sql, statement);
    return statement;
  };
  return {
    read<Row extends object>(sql: string, params: readonly unknown[]): Promise<Row[]> | undefined {
      if (!params.every(bindable)) return undefined;
      const values = params.some((value) => value instanceof Date) ? params.map((value) => (value instanceof Date ? value.getTime() : value)) : params;
      return (async () => {
        const raw = await client.acquireConnection();
        try {
          onQuery?.(sql);
          return statementOf(raw, sql).all(values) as Row[];
        } finally {
          await client.releaseConnection(raw);
        }
      })();
    },
  };
}

const bindable = (value: unknown): boolean =>
  value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || (value instanceof Date && Number.isFinite(value.getTime()));
