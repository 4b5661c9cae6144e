import { Migration } from '@mikro-orm/migrations';
import { BaseSqlitePlatform } from '@mikro-orm/knex';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';
import type { DatabaseDialect } from './config';

/** The statements of one migration, per dialect, as MikroORM's schema diff generated them. */
export type DialectStatements = Readonly<
  Record<DatabaseDialect, { readonly up: readonly string[]; readonly down: readonly string[] }>
>;

/**
 * A migration that runs on SQLite and on PostgreSQL. MikroORM generates dialect-specific DDL (column types, check
 * constraints, index syntax differ), so create-migration.ts diffs the entities against a migrated database of each
 * dialect and commits both statement lists; the migration picks the list of the database it runs on.
 */
export abstract class PortableMigration extends Migration {
  protected abstract readonly statements: DialectStatements;

  override up(): void {
    for (const sql of this.statements[this.dialect()].up) this.addSql(sql);
  }

  override down(): void {
    for (const sql of this.statements[this.dialect()].down) this.addSql(sql);
  }

  private dialect(): DatabaseDialect {
    const platform = this.driver.getPlatform();
    if (platform instanceof PostgreSqlPlatform) return 'postgresql';
    if (platform instanceof BaseSqlitePlatform) return 'sqlite';
    throw new Error(`migration ${this.constructor.name}: no statements for ${platform.constructor.name}`);
  }
}
