import { getMetadataStorage } from 'type-graphql';

type Resolve = (root: unknown, args: unknown, context: unknown, info: unknown) => unknown;
type Metadata = ReturnType<typeof getMetadataStorage>;
type FieldResolverMetadata = Metadata['fieldResolvers'][number];
type ObjectTypeMetadata = Metadata['objectTypes'][number];
type ParamMetadata = NonNullable<FieldResolverMetadata['params']>[number];
type Class = new () => object;

/**
 * Replaces, in a resolver map made by type-graphql's `createResolversMap`, the resolvers of object types' fields by
 * ones that do what type-graphql's do here without its per-call machinery. type-graphql wraps every field, a plain
 * property too, in a resolver that builds a `resolverData` object and runs the middleware chain, and every field
 * resolver sorts its parameters' metadata, maps them to a new array and finds its class's instance in a list, on each
 * call: on a page of 100 orders, tens of thousands of calls (docs/benchmark.md, issue 19).
 *
 * What each becomes:
 * - a plain field: reads its property from the object, as type-graphql's basic resolver does;
 * - a field resolver whose parameters are only `@Root()`, `@Ctx()` and `@Info()`: calls its method with them, on one
 *   instance of its resolver class (type-graphql's default container also keeps one per class; ours are stateless).
 *   A root that type-graphql would convert into its class (an object that is not already an instance of it) goes to
 *   type-graphql's own resolver, which converts it.
 *
 * Anything else keeps type-graphql's resolver: arguments (converted and validated by type-graphql), middlewares,
 * `@Authorized` roles, fields whose metadata is ambiguous. `buildSubgraph` builds with no global middleware and no auth
 * checker, so neither is lost here.
 */
export function leanResolvers(map: Record<string, Record<string, unknown>>, resolverClasses: readonly Function[]): void {
  const storage = getMetadataStorage();
  const typeNameOf = new Map<Function, string>(storage.objectTypes.map((type) => [type.target, type.name]));
  // As type-graphql chooses them: those declared in the object type itself, and those of this schema's resolvers.
  const fieldResolvers = storage.fieldResolvers.filter((resolver) => resolver.kind === 'internal' || resolverClasses.includes(resolver.target));
  const instances = new Map<Function, object>();
  for (const [typeName, fields] of Object.entries(map)) {
    const classes = storage.objectTypes.filter((type) => type.name === typeName);
    if (classes.length === 0) continue;
    for (const [fieldName, original] of Object.entries(fields)) {
      if (typeof original !== 'function') continue;
      const resolvers = fieldResolvers.filter((resolver) => resolver.schemaName === fieldName && resolver.getObjectType && typeNameOf.get(resolver.getObjectType()) === typeName);
      const lean =
        resolvers.length === 0
          ? propertyReader(classes, fieldName)
          : resolvers.length === 1
            ? fieldResolver(resolvers[0]!, original as Resolve, instances)
            : undefined;
      if (lean) fields[fieldName] = lean;
    }
  }
}

/** A plain field's resolver: its property, named alike in every class of that GraphQL name. */
function propertyReader(classes: readonly ObjectTypeMetadata[], fieldName: string): Resolve | undefined {
  const fields = classes.flatMap((type) => type.fields ?? []).filter((field) => field.schemaName === fieldName);
  if (fields.length === 0 || fields.some((field) => field.middlewares?.length || field.roles)) return undefined;
  const names = new Set(fields.map((field) => field.name));
  if (names.size !== 1) return undefined;
  const [name] = names as Set<string>;
  return (root) => (root as Record<string, unknown>)[name!];
}

/** A value a parameter takes, or `NOT_AS_IS` when type-graphql would convert the root first. */
type Getter = (root: unknown, context: unknown, info: unknown) => unknown;
const NOT_AS_IS = Symbol('converted by type-graphql');

function paramGetter(param: ParamMetadata): Getter | undefined {
  switch (param.kind) {
    case 'root': {
      const { propertyName, getType } = param;
      let target: unknown;
      return (root) => {
        const value = propertyName ? (root as Record<string, unknown>)[propertyName] : root;
        if (value === null || value === undefined || !getType) return value;
        target ??= getType();
        return typeof target === 'function' && value instanceof target ? value : NOT_AS_IS;
      };
    }
    case 'context': {
      const { propertyName } = param;
      return propertyName ? (_root, context) => (context as Record<string, unknown>)[propertyName] : (_root, context) => context;
    }
    case 'info':
      return (_root, _context, info) => info;
    default:
      return undefined;
  }
}

function fieldResolver(resolver: FieldResolverMetadata, original: Resolve, instances: Map<Function, object>): Resolve | undefined {
  if (resolver.middlewares?.length || resolver.roles) return undefined;
  const getters = [...(resolver.params ?? [])].sort((a, b) => a.index - b.index).map(paramGetter);
  if (getters.some((getter) => getter === undefined)) return undefined;
  const values = (root: unknown, context: unknown, info: unknown): unknown[] | undefined => {
    const list = new Array<unknown>(getters.length);
    for (let index = 0; index < getters.length; index += 1) {
      const value = getters[index]!(root, context, info);
      if (value === NOT_AS_IS) return undefined;
      list[index] = value;
    }
    return list;
  };
  const { methodName } = resolver;
  if (resolver.kind === 'internal') {
    // A method (or getter) of the object type itself, called on the root when it is already of that class.
    const objectType = resolver.getObjectType!() as Class;
    return (root, args, context, info) => {
      if (!(root instanceof objectType)) return original(root, args, context, info);
      const member = (root as Record<string, unknown>)[methodName];
      if (typeof member !== 'function') return member;
      const list = values(root, context, info);
      return list ? (member as (...params: unknown[]) => unknown).apply(root, list) : original(root, args, context, info);
    };
  }
  const target = resolver.target as Class;
  const method = target.prototype[methodName as keyof object] as unknown as (...params: unknown[]) => unknown;
  if (typeof method !== 'function') return undefined;
  return (root, args, context, info) => {
    const list = values(root, context, info);
    if (!list) return original(root, args, context, info);
    let instance = instances.get(target);
    if (!instance) instances.set(target, (instance = new target()));
    return method.apply(instance, list);
  };
}
