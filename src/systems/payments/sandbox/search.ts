import type { PaymentIntent } from './objects';
import { invalid } from './wire';

/**
 * Stripe's search query language, for the fields Stripe lets you search payment intents by: amount, created,
 * currency, customer, metadata['key'] and status. A query is clauses joined by AND (or a space) or by OR — never
 * both, and without parentheses, as Stripe has it; `-` negates a clause; `:` matches exactly, `~` by substring
 * (three characters at least), `>`, `<`, `>=`, `<=` compare numbers. Internal to the sandbox.
 */

type Operator = ':' | '~' | '>' | '<' | '>=' | '<=';

interface Clause {
  readonly negated: boolean;
  readonly field: string;
  /** For metadata clauses: the key inside the brackets. */
  readonly key?: string;
  readonly operator: Operator;
  readonly value: string | number | null;
}

export interface ParsedQuery {
  readonly clauses: readonly Clause[];
  readonly joiner: 'AND' | 'OR';
}

const STRING_FIELDS = ['currency', 'customer', 'status'];
const NUMBER_FIELDS = ['amount', 'created'];

const queryError = (message: string) => invalid(message, { param: 'query' });

export function parseSearchQuery(query: string, maxClauses: number): ParsedQuery {
  const scanner = new Scanner(query);
  const clauses: Clause[] = [];
  const joiners = new Set<'AND' | 'OR'>();
  scanner.skipSpace();
  while (!scanner.done()) {
    if (clauses.length > 0) {
      const word = scanner.peekWord().toUpperCase();
      if (word === 'AND' || word === 'OR') {
        scanner.take(word.length);
        joiners.add(word);
        if (!scanner.skipSpace()) throw queryError(`Invalid query: expected a space after ${word} at position ${scanner.at}.`);
      } else {
        joiners.add('AND');
      }
    }
    clauses.push(scanner.clause());
    scanner.skipSpace();
  }
  if (clauses.length === 0) throw queryError('The query must contain at least one clause.');
  if (joiners.size > 1) throw queryError('Invalid query: a query may not combine AND and OR.');
  if (clauses.length > maxClauses) {
    throw queryError(`Query contains ${clauses.length} clauses, but the maximum number of clauses is ${maxClauses}.`);
  }
  return { clauses, joiner: joiners.has('OR') ? 'OR' : 'AND' };
}

export function matchesQuery(intent: PaymentIntent, query: ParsedQuery): boolean {
  const test = (clause: Clause): boolean => matches(intent, clause) !== clause.negated;
  return query.joiner === 'OR' ? query.clauses.some(test) : query.clauses.every(test);
}

/**
 * The same test as {@link matchesQuery}, made once for a whole search: the exact, case-sensitive clauses of an OR
 * query (`metadata['order_id']:'o-1' OR ...`, as a batch read sends up to its clause limit) become one set lookup per
 * field instead of one comparison per clause, so a search costs the ledger's size, not its size times its clauses.
 */
export function queryMatcher(query: ParsedQuery): (intent: PaymentIntent) => boolean {
  if (query.joiner !== 'OR') return (intent) => matchesQuery(intent, query);
  const exact = new Map<string, { clause: Clause; values: Set<string> }>();
  const others: Clause[] = [];
  for (const clause of query.clauses) {
    const setLike = !clause.negated && clause.operator === ':' && typeof clause.value === 'string' && (clause.field === 'customer' || clause.field === 'metadata');
    if (!setLike) {
      others.push(clause);
      continue;
    }
    const group = `${clause.field}\n${clause.key ?? ''}`;
    const known = exact.get(group) ?? { clause, values: new Set<string>() };
    known.values.add(clause.value as string);
    exact.set(group, known);
  }
  const groups = [...exact.values()];
  const rest: ParsedQuery = { clauses: others, joiner: 'OR' };
  return (intent) =>
    groups.some(({ clause, values }) => {
      const actual = clause.field === 'metadata' ? intent.metadata[clause.key ?? ''] : intent.customer;
      return typeof actual === 'string' && values.has(actual);
    }) || (others.length > 0 && matchesQuery(intent, rest));
}

function matches(intent: PaymentIntent, clause: Clause): boolean {
  const actual: string | number | null =
    clause.field === 'metadata' ? (intent.metadata[clause.key ?? ''] ?? null)
    : clause.field === 'amount' ? intent.amount
    : clause.field === 'created' ? intent.created
    : clause.field === 'currency' ? intent.currency
    : clause.field === 'customer' ? intent.customer
    : intent.status;
  const expected = clause.value;
  if (expected === null) return actual === null;
  if (actual === null) return false;
  if (typeof expected === 'number') {
    const value = Number(actual);
    switch (clause.operator) {
      case ':':
        return value === expected;
      case '>':
        return value > expected;
      case '<':
        return value < expected;
      case '>=':
        return value >= expected;
      case '<=':
        return value <= expected;
      case '~':
        return false;
      default: {
        const unreachable: never = clause.operator;
        throw new Error(`unknown operator ${String(unreachable)}`);
      }
    }
  }
  const text = String(actual);
  const caseless = clause.field === 'status' || clause.field === 'currency';
  if (clause.operator === '~') return text.toLowerCase().includes(expected.toLowerCase());
  return caseless ? text.toLowerCase() === expected.toLowerCase() : text === expected;
}

class Scanner {
  at = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  skipSpace(): boolean {
    const start = this.at;
    while (!this.done() && /\s/.test(this.text[this.at]!)) this.at += 1;
    return this.at > start;
  }

  peekWord(): string {
    return /^[A-Za-z]+/.exec(this.text.slice(this.at))?.[0] ?? '';
  }

  take(count: number): string {
    const taken = this.text.slice(this.at, this.at + count);
    this.at += count;
    return taken;
  }

  clause(): Clause {
    const negated = this.text[this.at] === '-';
    if (negated) this.at += 1;
    const field = this.peekWord();
    if (!field) throw queryError(`Invalid query: expected a field name at position ${this.at}.`);
    this.take(field.length);
    let key: string | undefined;
    if (field === 'metadata') {
      if (this.text[this.at] !== '[') throw queryError("Invalid query: metadata must name a key, as in metadata['key'].");
      this.at += 1;
      key = this.quoted();
      if (this.text[this.at] !== ']') throw queryError(`Invalid query: expected ] at position ${this.at}.`);
      this.at += 1;
    } else if (!STRING_FIELDS.includes(field) && !NUMBER_FIELDS.includes(field)) {
      throw queryError(`Field '${field}' is an unsupported search field for payment_intents.`);
    }
    const operator = (['>=', '<=', ':', '~', '>', '<'] as const).find((op) => this.text.startsWith(op, this.at));
    if (!operator) throw queryError(`Invalid query: expected an operator after ${field} at position ${this.at}.`);
    this.take(operator.length);
    const numeric = NUMBER_FIELDS.includes(field);
    if (numeric && operator === '~') throw queryError(`Field '${field}' does not support substring matching.`);
    if (!numeric && operator !== ':' && operator !== '~') {
      throw queryError(`Field '${field}' does not support the ${operator} operator.`);
    }
    let value: string | number | null;
    if (this.text[this.at] === "'" || this.text[this.at] === '"') {
      value = this.quoted();
      if (numeric) {
        if (!/^-?\d+$/.test(value)) throw queryError(`Invalid query: ${field} must be compared to a number.`);
        value = Number(value);
      }
    } else {
      const bare = /^[^\s]+/.exec(this.text.slice(this.at))?.[0] ?? '';
      this.take(bare.length);
      if (bare === 'null' && operator === ':') value = null;
      else if (numeric && /^-?\d+$/.test(bare)) value = Number(bare);
      else throw queryError(`Invalid query: the value for ${field} must be in quotes.`);
    }
    if (operator === '~' && typeof value === 'string' && value.length < 3) {
      throw queryError('Substring matching needs a value of at least 3 characters.');
    }
    return { negated, field, operator, value, ...(key !== undefined ? { key } : {}) };
  }

  /** A quoted string: single or double quotes, a backslash escapes the next character. */
  private quoted(): string {
    const quote = this.text[this.at];
    if (quote !== "'" && quote !== '"') throw queryError(`Invalid query: expected a quoted value at position ${this.at}.`);
    this.at += 1;
    let value = '';
    while (!this.done()) {
      const char = this.text[this.at]!;
      if (char === '\\' && this.at + 1 < this.text.length) {
        value += this.text[this.at + 1];
        this.at += 2;
      } else if (char === quote) {
        this.at += 1;
        return value;
      } else {
        value += char;
        this.at += 1;
      }
    }
    throw queryError('Invalid query: a quoted value is not closed.');
  }
}
