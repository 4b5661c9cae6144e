import { isObjectType, type GraphQLFieldResolver, type GraphQLObjectType } from 'graphql';

/**
 * Entities whose record is loaded as the gateway names them, so that their fields are plain reads.
 *
 * The gateway sends a subgraph an entity only to ask for the fields it owns, and every one of those fields reads the
 * same record from the same per-request loader. If each field awaits the loader itself, graphql-js makes a promise per
 * field and more per object to gather them. On a page of 100 orders that was several thousand promises, and each one
 * also pays Node 20's AsyncLocalStorage hooks. Loading in `__resolveReference` costs one promise per entity, and
 * {@link entitiesAtOnce} makes it one per `_entities` list. The fields then answer at once: the value, or the load's
 * error thrown at the field as before (issue 19, docs/benchmark.md).
 */

/** A field's answer: the value at once, or its promise. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Records loaded ahead for the objects whose fields read them: one kind of record per instance (an entity's own
 * record; an order's settled version, its customer). A field reads its object's record at once once it is loaded,
 * and throws the load's error when it failed, as it would have awaiting the load itself.
 */
export class Loaded<Record> {
  // Kept on the object itself, under a symbol of this kind's own: no GraphQL field sees it, and reading it is a
  // property load (a WeakMap's lookups were 0.3-0.4 ms of a page's 600 entities).
  private readonly slot = Symbol('loaded record');

  /** Keeps what `loading` settles to for `owner`; resolves once it has (never rejects). */
  keep(owner: object, loading: Promise<Record>): Promise<void> {
    return loading.then(
      (record) => this.hold(owner, { record }),
      (failed: unknown) => this.hold(owner, { failed }),
    );
  }

  /** Keeps a load's outcome for `owner`, as Promise.allSettled gives it. */
  settle(owner: object, outcome: PromiseSettledResult<Record>): void {
    this.hold(owner, outcome.status === 'fulfilled' ? { record: outcome.value } : { failed: outcome.reason });
  }

  /** A field of the owner's record: at once when it was loaded ahead, else from `load` (then nothing is kept). */
  read<Value>(owner: object, load: () => Promise<Record>, pick: (record: Record) => Value): Awaitable<Value> {
    const got = (owner as { [slot: symbol]: Held<Record> | undefined })[this.slot];
    if (!got) return load().then(pick);
    if ('failed' in got) throw got.failed;
    return pick(got.record);
  }

  private hold(owner: object, held: Held<Record>): void {
    // A symbol key: JSON, Object.keys and graphql-js's default resolver never see it.
    (owner as { [slot: symbol]: Held<Record> })[this.slot] = held;
  }
}

type Held<Record> = { readonly record: Record } | { readonly failed: unknown };

/** Each entity's own record, loaded by its {@link loadingReference}. */
const records = new Loaded<unknown>();

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
    return records.keep(entity, load(reference, context)).then(() => entity);
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
        records.settle(loaded[index]!, outcome);
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
export function fieldOf<Record, Value>(entity: object, load: () => Promise<Record>, pick: (record: Record) => Value): Awaitable<Value> {
  return (records as Loaded<Record>).read(entity, load, pick);
}
