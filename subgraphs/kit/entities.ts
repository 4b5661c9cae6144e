/**
 * Entities whose record is loaded as the gateway names them, so that their fields are plain reads.
 *
 * The gateway sends a subgraph an entity only to ask for the fields it owns, and every one of those fields reads the
 * same record from the same per-request loader. If each field awaits the loader itself, graphql-js makes a promise per
 * field and more per object to gather them. On a page of 100 orders that was several thousand promises, and each one
 * also pays Node 20's AsyncLocalStorage hooks. Loading in `__resolveReference` costs one promise per entity. The
 * fields then answer at once: the value, or the load's error thrown at the field as before (issue 19, docs/benchmark.md).
 */

/** A field's answer: the value at once, or its promise. */
export type Awaitable<T> = T | Promise<T>;

type Held = { readonly record: unknown } | { readonly failed: unknown };

// Keyed by the entity object itself: type-graphql's classes keep only their GraphQL fields.
const held = new WeakMap<object, Held>();

/**
 * A `__resolveReference` that loads the entity's record with it: `make` builds the entity from the gateway's
 * reference, `load` reads its record (a per-request DataLoader's `load`). A failed load does not fail the entity:
 * each field that reads the record throws the error, as when every field loaded it.
 */
export function loadingReference<Reference, Context, Entity extends object, Record>(
  make: (reference: Reference) => Entity,
  load: (reference: Reference, context: Context) => Promise<Record>,
): (reference: Reference, context: Context) => Promise<Entity> {
  return (reference, context) => {
    const entity = make(reference);
    return load(reference, context).then(
      (record) => {
        held.set(entity, { record });
        return entity;
      },
      (failed: unknown) => {
        held.set(entity, { failed });
        return entity;
      },
    );
  };
}

/**
 * A field of the entity's record: read at once when the record was loaded with the entity (see
 * {@link loadingReference}), else loaded now (an entity a query made, not the gateway).
 */
export function fieldOf<Record, Value>(entity: object, load: () => Promise<Record>, pick: (record: Record) => Value): Value | Promise<Value> {
  const got = held.get(entity);
  if (!got) return load().then(pick);
  if ('failed' in got) throw got.failed;
  return pick(got.record as Record);
}
