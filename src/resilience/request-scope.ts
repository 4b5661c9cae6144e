import { AsyncLocalStorage } from 'node:async_hooks';

/** A value a request carries in its async context: what `run` gives `work`, everything it starts finds with `get`. */
export interface RequestScoped<T> {
  run<R>(value: T, work: () => R): R;
  get(): T | undefined;
}

/**
 * The one AsyncLocalStorage the request-scoped values share (the request id, a subgraph request's stale report, a
 * lineage request's read witness), each under a symbol of its own. On Node 20 each AsyncLocalStorage that has been
 * entered copies its store onto every promise the process makes, in a hook: one instance instead of one per value
 * costs every promise one copy, however many values there are. A `run` makes a new frame with the values around it.
 */
const scope = new AsyncLocalStorage<Readonly<Record<symbol, unknown>>>();

/** A new value carried by a request's async context, `name` only telling it apart in a debugger. */
export function requestScoped<T>(name: string): RequestScoped<T> {
  const slot = Symbol(name);
  return {
    run: (value, work) => scope.run({ ...scope.getStore(), [slot]: value }, work),
    get: () => scope.getStore()?.[slot] as T | undefined,
  };
}
