import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  GraphQLError,
  Kind,
  isListType,
  isNonNullType,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { LRUCache } from 'lru-cache';
import { FrontDoorRejection } from './rejection';

/** How much one operation may ask for. Defaults a real frontend never reaches; each is configurable. */
export interface OperationLimits {
  /** Nesting of selections (fragments flattened; introspection's own nesting is not counted). */
  readonly maxDepth: number;
  readonly maxAliases: number;
  /** Fields selected at the root of one operation. */
  readonly maxRootFields: number;
  /** Estimated cost: each field's weight, lists multiplied by their `first` (or {@link listSizeWithoutFirst}). */
  readonly maxCost: number;
  /** Lexical tokens of a document: bounds the parser's work before anything else runs. */
  readonly maxTokens: number;
  /** What a list without a `first` argument (e.g. an order's lines) counts as. */
  readonly listSizeWithoutFirst: number;
  /** Extra weight of a field by `Type.field`: fields served by an external system cost more than the store's. */
  readonly weights: Readonly<Record<string, number>>;
}

/**
 * Fields whose answer needs another system (each may be a call per batch): a frontend asking for many of them in
 * long lists is what the cost limit is for.
 */
export const SYSTEM_FIELD_WEIGHTS: Readonly<Record<string, number>> = {
  'Customer.segment': 2,
  'Customer.lifetimeValue': 2,
  'Customer.legacy': 3,
  'Order.payment': 3,
  'Order.shipments': 3,
  'Order.legacy': 3,
  'OrderLine.item': 2,
  'Query.inventoryItem': 2,
};

/** What a connection without `first` answers (the graph's documented default page size). */
const DEFAULT_PAGE_SIZE = 20;

export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 15,
  maxCost: 100_000,
  maxTokens: 5_000,
  listSizeWithoutFirst: 10,
  weights: SYSTEM_FIELD_WEIGHTS,
};

/** A document as the guard keeps it: checked once per distinct text. */
interface Checked {
  /** Kept only when the cost depends on variables, or to resolve which operation runs (several in one document). */
  readonly document: DocumentNode | undefined;
  readonly operations: readonly CheckedOperation[];
  /** Whether the cost depends on variables (a `first: $n`): then it is estimated per request. */
  readonly costNeedsVariables: boolean;
  readonly cost: number | undefined;
  /**
   * When the cost needs variables: the costs already estimated, by operation name and variables (a page asked again
   * with the same `first` is not walked again: that walk was a tenth of a response-cache hit's CPU).
   */
  readonly costs?: Map<string, number | undefined>;
}

/** Variable sets whose cost is kept per document, at most (the first ones seen). */
const COSTS_KEPT_PER_DOCUMENT = 64;
/** Longer variable sets (as JSON) are estimated every time: the kept ones stay small beside the document cache's budget. */
const COST_KEY_MAX_LENGTH = 512;

/** One operation of a document: its name, and how many mutation fields it selects at its root. */
interface CheckedOperation {
  readonly name: string | undefined;
  readonly mutationFields: number;
}

/** What the guard found of one operation within the limits. */
export interface OperationMeasure {
  /** Its estimated cost; 0 when it cannot be estimated (not valid GraphQL: Apollo refuses it with its own code). */
  readonly cost: number;
  /** Mutation fields at its root (what an Idempotency-Key would cover). */
  readonly mutationFields: number;
}

export interface OperationGuard {
  /**
   * Checks one operation before anything runs. Throws a {@link FrontDoorRejection} with a stable code when it asks
   * too much (depth, aliases, root fields, tokens, or a cost over the limit on its own); answers its measure when it
   * is within the limits, or when it is not valid GraphQL at all (Apollo then answers with its own code, as the
   * GraphQL-over-HTTP spec wants). The cost of a whole HTTP request is the front door's to sum.
   */
  check(query: string, variables: Record<string, unknown> | undefined, operationName: string | undefined): OperationMeasure;
}

/** The operation limits over one API schema, with a bounded cache of the documents already checked. */
export function createOperationGuard(schema: GraphQLSchema, limits: OperationLimits = DEFAULT_LIMITS): OperationGuard {
  // Keyed by the document's text; bounded by total text size, so that a flood of distinct large documents cannot
  // grow it past a few megabytes.
  // A parsed document weighs about twenty times its text: it is kept only when its cost needs the variables.
  const checked = new LRUCache<string, Checked | FrontDoorRejection | 'not-graphql'>({
    maxSize: 8 * 1024 * 1024,
    sizeCalculation: (value, query) => query.length * (typeof value === 'object' && 'document' in value && value.document ? 20 : 1) + 64,
  });
  const rules = {
    DEPTH_LIMIT_EXCEEDED: maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, exposeLimits: true }),
    ALIAS_LIMIT_EXCEEDED: maxAliasesRule({ n: limits.maxAliases, exposeLimits: true }),
  } as const;

  const costOf = (document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): number | undefined => {
    try {
      return getComplexity({
        schema,
        query: document,
        variables: variables ?? {},
        ...(operationName ? { operationName } : {}),
        estimators: [(args: ComplexityEstimatorArgs) => fieldCost(args, limits)],
      });
    } catch {
      // Unknown fields or wrong variables: Apollo's validation answers those, with its own code.
      return undefined;
    }
  };

  const costWithVariables = (entry: Checked, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined) => {
    let key: string | undefined;
    try {
      key = JSON.stringify([operationName ?? null, variables ?? null]);
    } catch {
      key = undefined; // variables nested past what JSON.stringify walks: estimated, not kept
    }
    if (key !== undefined && entry.costs?.has(key)) return entry.costs.get(key);
    const cost = costOf(document, variables, operationName);
    if (key !== undefined && key.length <= COST_KEY_MAX_LENGTH && entry.costs && entry.costs.size < COSTS_KEPT_PER_DOCUMENT) entry.costs.set(key, cost);
    return cost;
  };

  /** What does not depend on variables: tokens, depth, aliases, root fields, and the cost when it has no variables. */
  const structure = (query: string): Checked | FrontDoorRejection | 'not-graphql' => {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: limits.maxTokens });
    } catch (error) {
      if (error instanceof GraphQLError && /contains more th\w+ \d+ tokens/.test(error.message)) {
        return new FrontDoorRejection('TOKEN_LIMIT_EXCEEDED', `The document has more than ${limits.maxTokens} tokens.`, { limit: limits.maxTokens });
      }
      return 'not-graphql'; // a syntax error: Apollo answers GRAPHQL_PARSE_FAILED
    }
    for (const code of Object.keys(rules) as (keyof typeof rules)[]) {
      const rule = rules[code];
      let error: Error | undefined;
      try {
        [error] = validate(schema, document, [rule]);
      } catch (thrown) {
        // graphql-armor's rules throw their rejection rather than report it.
        error = thrown instanceof Error ? thrown : new Error(String(thrown));
      }
      if (error) return new FrontDoorRejection(code, error.message.replace(/^Syntax Error: /, ''), limitOf(code, limits));
    }
    const fragments = fragmentsOf(document);
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const roots = countRootFields(definition.selectionSet, fragments, new Set());
      if (roots > limits.maxRootFields) {
        return new FrontDoorRejection('ROOT_FIELD_LIMIT_EXCEEDED', `The operation selects ${roots} root fields; at most ${limits.maxRootFields} are allowed.`, {
          limit: limits.maxRootFields,
        });
      }
    }
    const costNeedsVariables = document.definitions.some(
      (definition) => definition.kind === Kind.OPERATION_DEFINITION && (definition.variableDefinitions?.length ?? 0) > 0,
    );
    const operations = document.definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION
        ? [{ name: definition.name?.value, mutationFields: definition.operation === 'mutation' ? countRootFields(definition.selectionSet, fragments, new Set()) : 0 }]
        : [],
    );
    return costNeedsVariables
      ? { document, operations, costNeedsVariables, cost: undefined, costs: new Map() }
      : { document: undefined, operations, costNeedsVariables, cost: costOf(document, undefined, undefined) };
  };

  return {
    check(query, variables, operationName) {
      let entry = checked.get(query);
      if (entry === undefined) {
        entry = structure(query);
        checked.set(query, entry);
      }
      if (entry instanceof FrontDoorRejection) throw entry;
      if (entry === 'not-graphql') return { cost: 0, mutationFields: 0 };
      // Which operation to run must be clear before the gateway plans it (it answers 500 to a name it cannot find).
      const operation = operationName === undefined ? (entry.operations.length === 1 ? entry.operations[0] : undefined) : entry.operations.find((found) => found.name === operationName);
      if (!operation) {
        throw new FrontDoorRejection(
          'OPERATION_RESOLUTION_FAILURE',
          operationName === undefined ? 'The document holds several operations: name the one to run (operationName).' : `The document has no operation named "${operationName}".`,
        );
      }
      const cost = entry.document ? costWithVariables(entry, entry.document, variables, operationName) : entry.cost;
      if (cost !== undefined && cost > limits.maxCost) {
        throw new FrontDoorRejection(
          'COST_LIMIT_EXCEEDED',
          `The operation's estimated cost is ${cost}; at most ${limits.maxCost} is allowed. Ask for fewer items (first) or fewer fields.`,
          { limit: limits.maxCost, cost },
        );
      }
      return { cost: cost ?? 0, mutationFields: operation.mutationFields };
    },
  };
}

function limitOf(code: string, limits: OperationLimits): Record<string, number> {
  return { limit: code === 'DEPTH_LIMIT_EXCEEDED' ? limits.maxDepth : limits.maxAliases };
}

/**
 * A field's weight (1, or more when another system serves it) plus its children, times the list size for lists:
 * a connection counts its `first` (its default page size without one), and the lists inside it (nodes, edges) once.
 */
function fieldCost({ type, field, args, childComplexity }: ComplexityEstimatorArgs, limits: OperationLimits): number {
  const weight = limits.weights[`${type.name}.${field.name}`] ?? (field.name.startsWith('__') ? 0 : 1);
  return weight + sizeOf(type.name, field, args, limits) * childComplexity;
}

function sizeOf(parent: string, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, limits: OperationLimits): number {
  const first = args['first'];
  if (typeof first === 'number' && Number.isFinite(first) && first >= 0) return first;
  if (field.args.some((arg) => arg.name === 'first')) return DEFAULT_PAGE_SIZE;
  if (parent.endsWith('Connection')) return 1;
  let type: GraphQLOutputType = field.type;
  if (isNonNullType(type)) type = type.ofType;
  return isListType(type) ? limits.listSizeWithoutFirst : 1;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(
    document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
}

function countRootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value.startsWith('__') ? 0 : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += countRootFields(selection.selectionSet, fragments, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) count += countRootFields(fragment.selectionSet, fragments, seen);
    }
  }
  return count;
}
