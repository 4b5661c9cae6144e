import { isObjectType, type GraphQLFieldResolver, type GraphQLObjectType } from 'graphql';

/**
 * Entities whose record is loaded as the gateway names them, so that their fields are plain reads.
 *
 * The gateway sends a subgraph an entity only to ask for the fields it owns, and every one of those fields reads the
 * same record from the same per-request loader. If each field awaits the loader itself, graphql-js makes a promise per
 * field and more per object to gather them. On a page of 100 orders that was several thousand promises, and each one
 * also pays Node 20's AsyncLocalStorage hooks. Loading in `__resolveReference` costs one promise per entity, and
 * {@link entitiesAtOnce} makes it one per `_entities` list. The fields then answer at once: the value, or the load's error thrown at the field as before (issue 19, docs/benchmark.md).
 */

/** A field's answer: the value at once, or its promise. */
export type Awaitable<T> = T | Promise<T>;

type Held = { readonly record: unknown } | { readonly failed: unknown };

// Keyed by the entity object itself: type-graphql's classes keep only their GraphQL fields.
const held = new WeakMap<object, Held>();

/** How a {@link loadingReference} makes its entity and loads its record, for {@link entitiesAtOnce}. */
interface ReferenceParts {
  readonly make: (reference: never) => object;
  readonly load: (reference: never, context: never) => Promise<unknown>;
}

const PARTS = Symbol('loading reference');

/**
 * A `__resolveReference` that loads the entity's record with it: `make` builds the entity from the gateway's
 * reference, `load` reads its record (a per-request DataLoader's `load`). A failed load does not fail the entity:
 * each field that reads the record throws the error, as when every field loaded it.
 */
export function loadingReference<Reference, Context, Entity extends object, Record>(
  make: (reference: Reference) => Entity,
  load: (reference: Reference, context: Context) => Promise<Record>,
): (reference: Reference, context: Context) => Promise<Entity> {
  const resolve = (reference: Reference, context: Context): Promise<Entity> => {
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
  const parts: ReferenceParts = { make, load } as unknown as ReferenceParts;
  return Object.assign(resolve, { [PARTS]: parts });
}

type EntitiesResolver = GraphQLFieldResolver<unknown, unknown, { representations: readonly { readonly __typename: string }[] }>;

/**
 * Wraps a subgraph's `_entities`: the entities of types resolved by a {@link loadingReference} are made at once and
 * their records loaded together, so the list is one promise of plain objects instead of several promises per entity
 * (@apollo/subgraph's resolver awaits each reference on its own). Any other representation is answered by `entities`,
 * one at a time, as before.
 */
export function entitiesAtOnce(entities: EntitiesResolver): EntitiesResolver {
  return (source, args, context, info) => {
    const answers: unknown[] = [];
    const loading: Promise<unknown>[] = [];
    const loaded: object[] = [];
    for (const reference of args.representations) {
      const type = info.schema.getType(reference.__typename);
      const parts = isObjectType(type) ? partsOf(type) : undefined;
      if (!parts) {
        answers.push((entities(source, { representations: [reference] }, context, info) as unknown[])[0]);
        continue;
      }
      const entity = parts.make(reference as never);
      Object.defineProperty(entity, '__typename', { value: reference.__typename });
      answers.push(entity);
      loaded.push(entity);
      loading.push(parts.load(reference as never, context as never));
    }
    if (loading.length === 0) return answers;
    return Promise.allSettled(loading).then((outcomes) => {
      outcomes.forEach((outcome, index) => {
        held.set(loaded[index]!, outcome.status === 'fulfilled' ? { record: outcome.value } : { failed: outcome.reason });
      });
      return answers;
    });
  };
}

function partsOf(type: GraphQLObjectType): ReferenceParts | undefined {
  const resolve = (type.extensions as { apollo?: { subgraph?: { resolveReference?: { [PARTS]?: ReferenceParts } } } }).apollo?.subgraph?.resolveReference;
  return resolve?.[PARTS];
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
