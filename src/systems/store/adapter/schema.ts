import type { Platform } from '@mikro-orm/core';
import { ORDER_STATUSES, type OrderStatus } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import { corrupt } from './errors';

/** One row of a store statement (sql.ts), as the driver answers it: its columns by alias. */
export type Row = Readonly<Record<string, unknown>>;

const STATUSES: ReadonlySet<string> = new Set(ORDER_STATUSES);

/**
 * What our database answers, checked column by column as it is read. The tables are ours and migrated, so this is not
 * a parse of a vendor's payload: each check costs a typeof or two (a zod schema per row cost more than the statement
 * itself), but a value no migration allows (a status we do not know, a date that is not one, a total that is not a
 * whole number, lines that are not what sql.ts folds) still becomes UPSTREAM_BAD_RESPONSE naming the table and column,
 * not a crash or a wrong answer further up. The reason never carries the value (it can be customer data).
 *
 * What the drivers answer: libsql gives SQLite's integers as numbers and our datetimes as epoch milliseconds;
 * PostgreSQL (through MikroORM's pg settings) gives timestamptz as text, bigint and count(*) as text, JSON parsed.
 */
export class RowCheck {
  constructor(
    private readonly site: CallSite,
    private readonly platform: Platform,
  ) {}

  text(table: string, row: Row, column: string): string {
    const value = row[column];
    if (typeof value === 'string') return value;
    throw this.wrong(table, column, 'text', kindOf(value));
  }

  nullableText(table: string, row: Row, column: string): string | null {
    const value = row[column];
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return value;
    throw this.wrong(table, column, 'text or null', kindOf(value));
  }

  /** A whole number, from a number or (PostgreSQL's bigint and count) the digits of one. */
  whole(table: string, row: Row, column: string): number {
    return this.wholeOf(table, column, row[column]);
  }

  wholeOf(table: string, column: string, value: unknown): number {
    const number = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
    if (typeof number === 'number' && Number.isSafeInteger(number)) return number;
    throw this.wrong(table, column, 'a whole number', kindOf(value));
  }

  date(table: string, row: Row, column: string): Date {
    const value = row[column];
    const date =
      value instanceof Date ? value : typeof value === 'number' ? new Date(value) : typeof value === 'string' ? this.platform.parseDate(value) : value;
    if (date instanceof Date && !Number.isNaN(date.getTime())) return date;
    throw this.wrong(table, column, 'a date', kindOf(value));
  }

  status(table: string, row: Row, column: string): OrderStatus {
    const value = row[column];
    if (typeof value === 'string' && STATUSES.has(value)) return value as OrderStatus;
    // A status is a code, never customer data: the reason may show it.
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 20)) : kindOf(value);
    throw this.wrong(table, column, `one of ${ORDER_STATUSES.join(', ')}`, shown);
  }

  currencyOf(table: string, column: string, value: unknown): string {
    if (typeof value === 'string' && value.length === 3) return value;
    throw this.wrong(table, column, 'a three-letter currency code', kindOf(value));
  }

  textOf(table: string, column: string, value: unknown): string {
    if (typeof value === 'string') return value;
    throw this.wrong(table, column, 'text', kindOf(value));
  }

  /** A JSON array folded by the statement: text on SQLite, already parsed on PostgreSQL. */
  array(table: string, row: Row, column: string): readonly unknown[] {
    let value = row[column];
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        throw this.wrong(table, column, 'a JSON array', 'malformed JSON');
      }
    }
    if (Array.isArray(value)) return value;
    throw this.wrong(table, column, 'a JSON array', kindOf(value));
  }

  wrong(table: string, column: string, expected: string, got: string): Error {
    return corrupt(this.site, `unexpected row in ${table}: column ${column} should be ${expected}, but was ${got}`);
  }
}

/** What a value is, without the value itself. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return `text of ${value.length} characters`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a number out of range' : 'a number with a fraction';
  return `a value of type ${typeof value}`;
}
