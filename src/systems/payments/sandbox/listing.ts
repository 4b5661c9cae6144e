import { integerParam, invalid, stringParam, type Params } from './wire';

/** Stripe's list envelope, cursor pagination and `expand[]`. Internal to the sandbox. */

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

interface Listed {
  readonly id: string;
  readonly created: number;
}

/** Newest first, as Stripe lists: by `created`, later-added first among equals. */
export function newestFirst<T extends Listed>(items: Iterable<T>): T[] {
  return [...items].reverse().sort((a, b) => b.created - a.created);
}

export function limitParam(params: Params): number {
  const limit = integerParam(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalid('This value must be between 1 and 100 (inclusive).', { code: 'parameter_invalid_integer', param: 'limit' });
  }
  return limit;
}

/** Filters on `created`: a unix time, or `created[gt|gte|lt|lte]`. */
export function createdFilter(params: Params): (created: number) => boolean {
  const value = params.created;
  if (value === undefined) return () => true;
  if (typeof value === 'string') {
    const exact = integerParam(params, 'created');
    return (created) => created === exact;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('Invalid object', { code: 'parameter_invalid_object', param: 'created' });
  }
  const bounds = value as Params;
  const bound = (name: string): number | undefined => {
    const parsed = integerParam(bounds, name);
    if (bounds[name] !== undefined && parsed === undefined) throw invalid('Invalid integer', { param: `created[${name}]` });
    return parsed;
  };
  const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
  return (created) =>
    (gt === undefined || created > gt) && (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) && (lte === undefined || created <= lte);
}

/**
 * One page of a newest-first list: `starting_after` pages towards older objects, `ending_before` towards newer
 * ones (the page nearest the cursor), as Stripe does.
 */
export function paginate<T extends Listed>(
  items: readonly T[],
  params: Params,
  url: string,
  kind: string,
): StripeList<T> {
  const limit = limitParam(params);
  const after = stringParam(params, 'starting_after');
  const before = stringParam(params, 'ending_before');
  if (after !== undefined && before !== undefined) {
    throw invalid('You may only specify one of these parameters: starting_after, ending_before.', { param: 'starting_after' });
  }
  const cursorIndex = (id: string, param: string): number => {
    const index = items.findIndex((item) => item.id === id);
    if (index === -1) throw invalid(`No such ${kind}: '${id}'`, { code: 'resource_missing', param });
    return index;
  };
  if (before !== undefined) {
    const end = cursorIndex(before, 'ending_before');
    const start = Math.max(0, end - limit);
    return { object: 'list', data: items.slice(start, end), has_more: start > 0, url };
  }
  const start = after !== undefined ? cursorIndex(after, 'starting_after') + 1 : 0;
  return { object: 'list', data: items.slice(start, start + limit), has_more: start + limit < items.length, url };
}

/** How an expandable field's id is looked up; `undefined` when the id is unknown. */
export type Lookups = Readonly<Record<string, (id: string) => object | undefined>>;

/**
 * Applies `expand[]` paths (`latest_charge`, `data.latest_charge`, `payment_intent.latest_charge`) to an answer.
 * `value` must already be a copy: expansion replaces ids with copies of the objects they name.
 */
export function expand(value: object, paths: readonly string[] | undefined, lookups: Lookups): object {
  for (const path of paths ?? []) {
    const segments = path.split('.');
    if (segments.length > 4) throw invalid(`You cannot expand more than 4 levels of a property (${path}).`, { param: 'expand' });
    expandPath(value, segments, path, lookups);
  }
  return value;
}

function expandPath(target: unknown, segments: readonly string[], path: string, lookups: Lookups): void {
  if (target === null || typeof target !== 'object' || segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  const record = target as Record<string, unknown>;
  if (head === 'data' && (record.object === 'list' || record.object === 'search_result') && Array.isArray(record.data)) {
    for (const item of record.data) expandPath(item, rest, path, lookups);
    return;
  }
  const lookup = lookups[head];
  if (!lookup || !(head in record)) throw invalid(`This property cannot be expanded (${path}).`, { param: 'expand' });
  const current = record[head];
  if (typeof current === 'string') {
    const found = lookup(current);
    if (found) record[head] = structuredClone(found);
  }
  expandPath(record[head], rest, path, lookups);
}
