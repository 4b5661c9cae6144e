import { createAnswerStore } from '../../src/gateway/response-cache/answer-store';
import { stringifyAnswer } from '../../src/gateway/response-cache/use-response-cache';

/**
 * The response cache's store on its own, on a clock the test moves: how long an answer lives (the shortest lifetime
 * of the systems it read), what ends it early (a change to one of them, or to everything), what is never kept, and
 * its byte budget.
 */

const LIFETIMES = { crm: 30_000, erp: 5_000, payments: 5_000, 'courier-a': 15_000, 'no-cache': 0 };

function storeOn(options: { maxBytes?: number; defaultTtlMs?: number } = {}) {
  const clock = { now: 1_000_000 };
  const store = createAnswerStore({ lifetimes: LIFETIMES, now: () => clock.now, ...options });
  const keep = (key: string, systems: readonly string[], data: unknown = { key }) => {
    const flight = store.begin();
    for (const system of systems) flight.systems.add(system);
    return store.keep(key, flight, data);
  };
  return { clock, store, keep };
}

it('keeps an answer for the shortest lifetime of the systems it read, and no one can change it', () => {
  const { clock, store, keep } = storeOn();
  expect(keep('page', ['crm', 'courier-a'], { orders: [1, 2] })).toBe(true);
  const first = store.get('page');
  expect(first).toEqual({ data: { orders: [1, 2] }, ageSeconds: 0 });
  expect(() => (first!.data as { orders: number[] }).orders.push(3)).toThrow(TypeError);
  clock.now += 14_999;
  expect(store.get('page')).toEqual({ data: { orders: [1, 2] }, ageSeconds: 14 });
  clock.now += 1;
  expect(store.get('page')).toBeUndefined();
});

it('keeps the answer as its JSON only: the request\'s own objects are neither held nor frozen, and a hit is made from the JSON', () => {
  const { store, keep } = storeOn();
  const page = { orders: [{ id: 'o-1' }] };
  expect(keep('page', ['crm'], page)).toBe(true);
  expect(Object.isFrozen(page)).toBe(false);
  // The request that kept it sends the same JSON, not a second serialisation.
  const stringify = jest.spyOn(JSON, 'stringify');
  try {
    expect(stringifyAnswer({ data: page })).toBe('{"data":{"orders":[{"id":"o-1"}]}}\n');
    expect(stringify).not.toHaveBeenCalled();
  } finally {
    stringify.mockRestore();
  }
  const hit = store.get('page')!;
  expect(hit.data).not.toBe(page);
  expect(hit.data).toEqual({ orders: [{ id: 'o-1' }] });
  expect(Object.isFrozen((hit.data as typeof page).orders[0])).toBe(true);
  // Made once, then shared by every hit.
  expect(store.get('page')!.data).toBe(hit.data);
});

it('gives a system without a lifetime of its own (the store) the shortest one of the estate, or the one given', () => {
  const { clock, store, keep } = storeOn();
  keep('customers', ['store']);
  clock.now += 4_999;
  expect(store.get('customers')).toBeDefined();
  clock.now += 1;
  expect(store.get('customers')).toBeUndefined();

  const given = storeOn({ defaultTtlMs: 1_000 });
  given.keep('segments', ['store', 'crm']);
  given.clock.now += 1_000;
  expect(given.store.get('segments')).toBeUndefined();
});

it('never keeps an answer that read a system with no cache lifetime, one that read no system, or a spoiled request', () => {
  const { store, keep } = storeOn();
  expect(keep('live', ['crm', 'no-cache'])).toBe(false);
  // A receipt is read from our own tables, which the outbox worker changes without a mutation.
  expect(keep('receipt', [])).toBe(false);
  expect(store.get('receipt')).toBeUndefined();
  const flight = store.begin();
  flight.systems.add('crm');
  flight.spoiled = true;
  expect(store.keep('failed', flight, {})).toBe(false);
  expect(store.get('live')).toBeUndefined();
  expect(store.get('failed')).toBeUndefined();
});

it('ends the answers that read a system when it changes, and no other', () => {
  const { store, keep } = storeOn();
  keep('segments', ['store', 'crm']);
  keep('payments', ['store', 'payments']);
  store.systemChanged('crm');
  expect(store.get('segments')).toBeUndefined();
  expect(store.get('payments')).toBeDefined();
  store.everythingChanged();
  expect(store.get('payments')).toBeUndefined();
});

it('does not keep what a request read while a system it read changed', () => {
  const { store } = storeOn();
  const flight = store.begin();
  flight.systems.add('erp');
  store.systemChanged('erp');
  expect(store.keep('items', flight, {})).toBe(false);

  const untouched = store.begin();
  untouched.systems.add('crm');
  store.systemChanged('erp');
  expect(store.keep('segments', untouched, {})).toBe(true);

  const during = store.begin();
  during.systems.add('crm');
  store.everythingChanged();
  expect(store.keep('late', during, {})).toBe(false);
});

it('stays within its byte budget, the least recently used answers going first', () => {
  const big = { text: 'x'.repeat(1_000) };
  const { store, keep } = storeOn({ maxBytes: 8_000 });
  keep('a', ['crm'], big);
  keep('b', ['crm'], big);
  expect(store.get('a')).toBeDefined();
  keep('c', ['crm'], big);
  expect(store.get('b')).toBeUndefined();
  expect(store.get('a')).toBeDefined();
  expect(store.get('c')).toBeDefined();
  expect(store.size().bytes).toBeLessThanOrEqual(8_000);
  // An answer larger than the whole budget is not kept at all.
  expect(keep('huge', ['crm'], { text: 'x'.repeat(3_000) })).toBe(false);
});

it('sends a hit as the JSON made when its answer was kept, byte for byte what Apollo would write', () => {
  const { store, keep } = storeOn();
  const page = { orders: [{ id: 'o-1', total: { amount: '12.50', currency: 'EUR' }, note: 'é "quoted"', none: null }] };
  keep('page', ['crm'], page);
  const hit = store.get('page')!;
  const expected = `${JSON.stringify({ data: page })}\n`;
  const stringify = jest.spyOn(JSON, 'stringify');
  try {
    expect(stringifyAnswer({ data: hit.data })).toBe(expected);
    expect(stringify).not.toHaveBeenCalled();
  } finally {
    stringify.mockRestore();
  }
  // Anything else, or the same data with errors or extensions beside it, is serialised as Apollo does.
  expect(stringifyAnswer({ data: { fresh: true } })).toBe('{"data":{"fresh":true}}\n');
  expect(stringifyAnswer({ data: hit.data, extensions: { stale: [] } })).toBe(`${JSON.stringify({ data: page, extensions: { stale: [] } })}\n`);
});
