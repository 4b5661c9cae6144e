import type { ModelSpec, OdooRecord } from './models';
import { valueError } from './odoo-error';

/**
 * Odoo search domains and `order` clauses, evaluated in memory. Internal to the ERP sandbox.
 *
 * A domain is a list in Polish notation: terms `[field, operator, value]` and the operators '&', '|', '!';
 * consecutive expressions are joined by an implicit '&', as Odoo does.
 */
export type Predicate = (record: OdooRecord) => boolean;

const OPERATORS = [
  '=', '!=', '<>', '<', '<=', '>', '>=', 'in', 'not in', 'like', 'not like', 'ilike', 'not ilike', '=like', '=ilike',
] as const;
type Operator = (typeof OPERATORS)[number];
const isOperator = (value: unknown): value is Operator => (OPERATORS as readonly unknown[]).includes(value);

export function compileDomain(model: ModelSpec, domain: unknown): Predicate {
  if (domain === undefined || domain === null || domain === false) return () => true;
  if (!Array.isArray(domain)) throw valueError(`Invalid domain: ${JSON.stringify(domain)}`);
  const tokens: readonly unknown[] = domain;
  let position = 0;
  const parse = (): Predicate => {
    if (position >= tokens.length) {
      throw valueError(`Invalid domain: an operator lacks its operands in ${JSON.stringify(domain)}`);
    }
    const token = tokens[position];
    position += 1;
    if (token === '&' || token === '|') {
      const left = parse();
      const right = parse();
      return token === '&' ? (record) => left(record) && right(record) : (record) => left(record) || right(record);
    }
    if (token === '!') {
      const inner = parse();
      return (record) => !inner(record);
    }
    return compileTerm(model, token);
  };
  const parts: Predicate[] = [];
  while (position < tokens.length) parts.push(parse());
  return (record) => parts.every((part) => part(record));
}

function compileTerm(model: ModelSpec, term: unknown): Predicate {
  if (!Array.isArray(term) || term.length !== 3 || typeof term[0] !== 'string') {
    throw valueError(`Invalid domain term ${JSON.stringify(term)}`);
  }
  const [field, operator, operand] = term as [string, unknown, unknown];
  const spec = model.fields[field];
  if (!spec) throw valueError(`Invalid field ${JSON.stringify(field)} on model ${JSON.stringify(model.name)}`);
  if (!isOperator(operator)) {
    throw valueError(`Invalid domain operator ${JSON.stringify(operator)} in ${JSON.stringify(term)}`);
  }
  if ((operator === 'in' || operator === 'not in') && !Array.isArray(operand)) {
    throw valueError(`The operator ${JSON.stringify(operator)} needs a list, got ${JSON.stringify(operand)}`);
  }
  const pattern = likePattern(operator, operand);
  return (record) => {
    const value = record[field];
    // A many2one compares by id against numbers and by display name against text; a one2many matches if any id does.
    const candidates: unknown[] =
      spec.type === 'one2many' ? (Array.isArray(value) ? value : [])
      : spec.type === 'many2one' ? [many2oneSide(value, operand)]
      : [value];
    const test = (candidate: unknown): boolean => matches(candidate, operator, operand, pattern);
    if (spec.type === 'one2many' && candidates.length === 0) return matches(false, operator, operand, pattern);
    return operator === '!=' || operator === '<>' || operator === 'not in' || operator.startsWith('not ')
      ? candidates.every(test)
      : candidates.some(test);
  };
}

function many2oneSide(value: unknown, operand: unknown): unknown {
  if (!Array.isArray(value)) return false;
  const sample = Array.isArray(operand) ? operand.find((item) => item !== false) : operand;
  return typeof sample === 'string' ? value[1] : value[0];
}

const isEmpty = (value: unknown): boolean => value === false || value === null || value === undefined || value === '';

function equal(value: unknown, operand: unknown): boolean {
  if (operand === false || operand === null) return isEmpty(value);
  return value === operand;
}

function matches(value: unknown, operator: Operator, operand: unknown, pattern: RegExp | null): boolean {
  switch (operator) {
    case '=':
      return equal(value, operand);
    case '!=':
    case '<>':
      return !equal(value, operand);
    case 'in':
      return (operand as unknown[]).some((item) => equal(value, item));
    case 'not in':
      return !(operand as unknown[]).some((item) => equal(value, item));
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compareOrdered(value, operator, operand);
    case 'like':
    case 'ilike':
    case '=like':
    case '=ilike':
      return typeof value === 'string' && pattern !== null && pattern.test(value);
    case 'not like':
    case 'not ilike':
      return !(typeof value === 'string' && pattern !== null && pattern.test(value));
    default: {
      const unreachable: never = operator;
      throw valueError(`Invalid domain operator ${String(unreachable)}`);
    }
  }
}

function compareOrdered(value: unknown, operator: '<' | '<=' | '>' | '>=', operand: unknown): boolean {
  const comparable =
    (typeof value === 'number' && typeof operand === 'number') ||
    (typeof value === 'string' && typeof operand === 'string');
  if (!comparable) return false;
  const a = value as number | string;
  const b = operand as number | string;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** SQL LIKE as Odoo sends it: `%` and `_` are wildcards; like/ilike match anywhere, =like/=ilike the whole value. */
function likePattern(operator: Operator, operand: unknown): RegExp | null {
  if (!operator.includes('like')) return null;
  if (typeof operand !== 'string') {
    throw valueError(`The operator ${JSON.stringify(operator)} needs text, got ${JSON.stringify(operand)}`);
  }
  const body = operand
    .split('')
    .map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const anchored = operator.startsWith('=') ? `^${body}$` : body;
  return new RegExp(anchored, operator.includes('ilike') ? 'is' : 's');
}

/** Compiles an `order` clause ("date_order desc, id desc") into a comparator. */
export function compileOrder(model: ModelSpec, order: unknown): (a: OdooRecord, b: OdooRecord) => number {
  const clause = order === undefined || order === null || order === false || order === '' ? model.defaultOrder : order;
  if (typeof clause !== 'string') throw valueError(`Invalid "order" specification: ${JSON.stringify(order)}`);
  const keys = clause.split(',').map((part) => {
    const [field = '', direction = 'asc', ...rest] = part.trim().split(/\s+/);
    if (!model.fields[field] || rest.length > 0 || !/^(asc|desc)$/i.test(direction)) {
      throw valueError(`Invalid "order" specification ${JSON.stringify(clause)} for model ${model.name}`);
    }
    return { field, sign: direction.toLowerCase() === 'desc' ? -1 : 1 };
  });
  return (a, b) => {
    for (const { field, sign } of keys) {
      const result = compareValues(sortable(a[field]), sortable(b[field]));
      if (result !== 0) return result * sign;
    }
    return 0;
  };
}

const sortable = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);

function compareValues(a: unknown, b: unknown): number {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) === isEmpty(b) ? 0 : isEmpty(a) ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
