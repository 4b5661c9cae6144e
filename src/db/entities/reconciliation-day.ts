import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A row of `reconciliation_days`: the result of one day's reconciliation of one entity between the site's store and
 * the legacy shop; the cutover gate counts the clean ones. Reconciling a day again replaces its row.
 */
@Entity({ tableName: 'reconciliation_days' })
export class ReconciliationDayEntity {
  [OptionalProps]?: 'report';

  @PrimaryKey({ type: 'string', length: 64 })
  entity!: string;

  /** The business day, `yyyy-mm-dd` in the reconciliation's time zone. */
  @PrimaryKey({ type: 'string', length: 10 })
  day!: string;

  /** No mismatch and nothing missing on either side. */
  @Property({ type: 'boolean' })
  clean!: boolean;

  /** Records seen on either side. */
  @Property({ type: 'integer' })
  records!: number;

  @Property({ type: 'integer' })
  matches!: number;

  @Property({ type: 'integer' })
  mismatches!: number;

  @Property({ type: 'integer', fieldName: 'missing_in_store' })
  missingInStore!: number;

  @Property({ type: 'integer', fieldName: 'missing_in_legacy' })
  missingInLegacy!: number;

  /** Where the report was written (Markdown), when it was. */
  @Property({ type: 'string', length: 1000, nullable: true })
  report: string | null = null;

  @Property({ type: 'datetime', fieldName: 'reconciled_at' })
  reconciledAt!: Date;
}
