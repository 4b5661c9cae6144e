import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  isCompositeType,
  isEnumType,
  isListType,
  isNonNullType,
  operationFromDocument,
  possibleRuntimeTypes,
  Supergraph,
  type NamedType,
  type Operation,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import * as resultShaping from '@apollo/gateway/dist/resultShaping';
import { parse } from 'graphql';
import { compileShaper, shapeCompiled, shaperOf } from '../../src/gateway/compiled-shaping';
import { keptOperations } from '../../src/gateway/kept-operations';
import { seededRandom } from '../../src/systems/kit/seed/random';
import { gatewayOverOneCustomer, type OneCustomerGateway } from '../support/stand-ins';

/**
 * The gateway's result shaping walks a tree compiled once per operation (src/gateway/compiled-shaping.ts) instead of
 * Apollo's `computeResponse`. Held here against Apollo's own on the same operation and the same merged data: the
 * answer (its keys in order), every error's message and path, and what is thrown, over operations on our API and on
 * a schema with interfaces and unions, and seeded random data that is often wrong: nulls where the schema says none,
 * unknown and non-object `__typename`s, enum values that do not exist, numbers where strings belong, lists that are not.
 */

const root = path.join(__dirname, '..', '..');

/** Apollo's own walk: the gateway, loaded by this file too, puts ours in its place and keeps Apollo's as `original`. */
const installed = resultShaping.computeResponse as typeof resultShaping.computeResponse & { original?: typeof resultShaping.computeResponse };
const computeResponse = installed.original ?? installed;
const apiSchema = Supergraph.build(readFileSync(path.join(root, 'schema', 'supergraph.graphql'), 'utf8')).apiSchema();

const abstractSchema = buildSchema(`
  type Query { search(term: String): [Result!]! node(id: ID!): Node nodes: [Node]! tags: [[String!]]! }
  interface Node { id: ID! }
  interface Named { name: String }
  type Person implements Node & Named { id: ID! name: String age: Int! kind: Kind friends: [Person!] }
  type Place implements Node & Named { id: ID! name: String latitude: Float! }
  type Thing implements Node { id: ID! weight: Float flag: Boolean! }
  union Result = Person | Place | Thing
  enum Kind { HUMAN ROBOT }
`);

function dataFor(next: () => number) {
  const chance = (p: number) => next() < p;
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;

  const leaf = (type: NamedType): unknown => {
    if (chance(0.04)) return pick([1.5, 'text', true, 7, {}]);
    if (isEnumType(type)) return chance(0.9) ? pick(type.values.map((value) => value.name)) : 'NOT_A_VALUE';
    switch (type.name) {
      case 'Int':
        return Math.floor(next() * 100);
      case 'Float':
        return next() * 100;
      case 'Boolean':
        return chance(0.5);
      default:
        return `v${Math.floor(next() * 1000)}`;
    }
  };

  const value = (type: Type, selectionSet: SelectionSet | undefined, depth: number): unknown => {
    if (chance(0.06)) return null;
    if (isNonNullType(type)) return value(type.ofType, selectionSet, depth);
    if (isListType(type)) {
      if (chance(0.01)) return 'not a list';
      return Array.from({ length: Math.floor(next() * (depth > 3 ? 2 : 4)) }, () => value(type.ofType, selectionSet, depth + 1));
    }
    if (isCompositeType(type)) {
      const runtime = possibleRuntimeTypes(type);
      const object: Record<string, unknown> = {};
      const typename = chance(0.85) ? pick(runtime).name : pick([undefined, 'Nope', 'Kind', 'Query']);
      if (typename !== undefined || chance(0.5)) object['__typename'] = typename;
      fill(object, selectionSet!, depth + 1);
      return object;
    }
    return leaf(type as NamedType);
  };

  const fill = (object: Record<string, unknown>, selectionSet: SelectionSet, depth: number): void => {
    for (const selection of selectionSet.selections()) {
      if (selection.kind === 'FragmentSelection') {
        fill(object, selection.selectionSet, depth);
        continue;
      }
      const field = selection.element;
      if (field.name === '__typename') {
        if (chance(0.5)) object[field.responseName()] = chance(0.8) ? (object['__typename'] ?? 'Person') : pick(['Nope', 'Kind', null]);
        continue;
      }
      if (chance(0.02)) continue;
      object[field.responseName()] = value(field.definition.type!, selection.selectionSet, depth);
    }
  };
  return (operation: Operation) => {
    const data: Record<string, unknown> = {};
    fill(data, operation.selectionSet, 0);
    return data;
  };
}

type Outcome = { readonly data: string; readonly errors: readonly { message: string; path: unknown }[] } | { readonly thrown: string };

function outcome(run: () => { data: unknown; errors: readonly { message: string; path?: unknown }[] }): Outcome {
  try {
    const { data, errors } = run();
    return { data: JSON.stringify(data), errors: errors.map((error) => ({ message: error.message, path: error.path })) };
  } catch (error) {
    return { thrown: (error as Error).message };
  }
}

function compare(schema: Schema, query: string, variables: Record<string, unknown>, seed: number, rounds = 150): { errors: number; thrown: number } {
  const operation = operationFromDocument(schema, parse(query), { validate: false });
  const shaper = compileShaper(operation)!;
  const make = dataFor(seededRandom(seed));
  const introspectionHandling = () => ({ introspected: true });
  let errors = 0;
  let thrown = 0;
  for (let round = 0; round < rounds; round += 1) {
    const input = make(operation);
    const apollo = outcome(() => computeResponse({ operation, variables, input, introspectionHandling }));
    const ours = outcome(() => shapeCompiled(shaper, operation, { variables, input, introspectionHandling }));
    expect(ours).toEqual(apollo);
    if ('thrown' in apollo) thrown += 1;
    else if (apollo.errors.length > 0) errors += 1;
  }
  return { errors, thrown };
}

describe("compiled result shaping answers as Apollo's", () => {
  it("is held against Apollo's own walk", () => {
    expect(computeResponse.toString()).toContain('applySelectionSet');
  });

  const operations = readdirSync(path.join(root, 'test', 'operations')).filter((file) => file.endsWith('.graphql'));

  it.each(operations)('test/operations/%s over random data', (file) => {
    const query = readFileSync(path.join(root, 'test', 'operations', file), 'utf8');
    const seen = compare(apiSchema, query, {}, file.length * 7919);
    // The data is wrong often enough that both walks report errors on many rounds: the error paths are compared too.
    expect(seen.errors).toBeGreaterThan(10);
  });

  it('aliases, __typename under an alias, @skip and @include by variable and by value, named and inline fragments', () => {
    const query = `
      query Q($withLines: Boolean!, $skipPayment: Boolean = true) {
        first: orders(first: 5) {
          nodes { ...OrderBits kind: __typename
            lines @include(if: $withLines) { sku item { sku n: name } }
            payment @skip(if: $skipPayment) { id status }
            again: status @include(if: true) gone: number @skip(if: true)
          }
          totalCount
        }
      }
      fragment OrderBits on Order { id number status customer { id segment __typename } }`;
    for (const variables of [{ withLines: true }, { withLines: false, skipPayment: false }, { withLines: true, skipPayment: true }]) {
      compare(apiSchema, query, variables, 17);
    }
  });

  it('a variable of @include that is not a boolean is thrown as Apollo throws it', () => {
    const query = 'query Q($on: Boolean) { orders(first: 1) { totalCount @include(if: $on) } }';
    const seen = compare(apiSchema, query, { on: 'yes' }, 3, 5);
    expect(seen.thrown).toBeGreaterThan(0);
  });

  it('interfaces and unions: type conditions decided by __typename, or by the parent type when there is none', () => {
    const query = `
      query Q($term: String) {
        search(term: $term) {
          __typename
          ... on Node { id }
          ... on Named { name }
          ... on Person { age kind friends { id name ... on Named { n: name } } }
          ... on Place { latitude }
          ... on Thing { weight flag t: __typename }
        }
        node(id: "1") { id ... on Person { age } ...P ... on Node { ... on Thing { weight } ... on Named { nested: name } } }
        nodes { __typename ... on Thing { flag } }
        tags
      }
      fragment P on Place { latitude name }`;
    const seen = compare(abstractSchema, query, { term: 'x' }, 99, 400);
    expect(seen.errors).toBeGreaterThan(50);
    expect(seen.thrown).toBeGreaterThan(0);
  });

  it('leaves an operation with the alias __proto__ to Apollo, whose null-prototype objects hold it', () => {
    const operation = operationFromDocument(apiSchema, parse('{ orders(first: 1) { __proto__: totalCount nodes { __proto__: customer { id } } } }'), { validate: false });
    expect(compileShaper(operation)).toBeUndefined();
    const input = { orders: { __proto__: 5, nodes: [{ __proto__: { id: 'cus-1' } }] } };
    Object.defineProperty(input.orders, '__proto__', { value: 5, enumerable: true });
    Object.defineProperty(input.orders.nodes[0]!, '__proto__', { value: { id: 'cus-1' }, enumerable: true });
    const args = { operation, variables: {}, input, introspectionHandling: () => null };
    const answer = installed(args);
    expect(answer).toEqual(computeResponse(args));
    expect(JSON.stringify(answer.data)).toBe('{"orders":{"__proto__":5,"nodes":[{"__proto__":{"id":"cus-1"}}]}}');
  });

  it('the same field asked twice, its selections merged into one object', () => {
    const query = `{ node(id: "1") { id ... on Person { friends { id } } ... on Person { friends { name age } } } search { ... on Person { friends { id } friends { kind } } } }`;
    compare(abstractSchema, query, {}, 5, 300);
  });
});

describe('the executor keeps the operation of a document it has seen', () => {
  const original = jest.fn(operationFromDocument);
  const kept = keptOperations(original);
  const document = parse('query Q { orders(first: 1) { totalCount } }');
  const asExecutor = () => ({ kind: document.kind, definitions: [...document.definitions] });

  it('builds the operation anew the first time, and keeps the second one with its compiled tree', () => {
    original.mockClear();
    const first = kept(apiSchema, asExecutor(), { validate: false });
    const second = kept(apiSchema, asExecutor(), { validate: false });
    const third = kept(apiSchema, asExecutor(), { validate: false });
    expect(first).not.toBe(second);
    expect(third).toBe(second);
    expect(original).toHaveBeenCalledTimes(2);
  });

  it("does not take another fragment set, another schema, or a call that is not the executor's, for the same", () => {
    const withFragment = parse('query Q { orders(first: 1) { ...F } } fragment F on OrderConnection { totalCount }');
    const [operationNode, fragment] = withFragment.definitions;
    const otherFragment = parse('fragment F on OrderConnection { totalCount }').definitions[0]!;
    const asked = (fragmentNode: typeof fragment) => kept(apiSchema, { kind: withFragment.kind, definitions: [operationNode!, fragmentNode!] }, { validate: false });
    asked(fragment);
    const keptOne = asked(fragment);
    expect(asked(fragment)).toBe(keptOne);
    expect(asked(otherFragment)).not.toBe(keptOne);

    expect(kept(apiSchema, asExecutor())).not.toBe(kept(apiSchema, asExecutor()));
    expect(kept(apiSchema, asExecutor(), { validate: false, operationName: 'Q' })).not.toBe(kept(apiSchema, asExecutor(), { validate: false, operationName: 'Q' }));

    const onApi = kept(apiSchema, asExecutor(), { validate: false });
    const otherSchema = Supergraph.build(readFileSync(path.join(root, 'schema', 'supergraph.graphql'), 'utf8')).apiSchema();
    kept(otherSchema, asExecutor(), { validate: false });
    const onOther = kept(otherSchema, asExecutor(), { validate: false });
    expect(kept(otherSchema, asExecutor(), { validate: false })).toBe(onOther);
    expect(onOther).not.toBe(onApi);
    expect(onOther.schema()).toBe(otherSchema);
  });
});

describe('in the gateway', () => {
  let served: OneCustomerGateway;

  beforeAll(async () => {
    served = await gatewayOverOneCustomer();
  });

  afterAll(async () => {
    await served?.close();
  });

  it('shapes the second request of a document with its compiled tree, and answers it as the first', async () => {
    const shaping = require('@apollo/gateway/dist/resultShaping') as { computeResponse: (args: { operation: Operation }) => unknown };
    const installed = shaping.computeResponse;
    const operations: Operation[] = [];
    shaping.computeResponse = (args) => {
      operations.push(args.operation);
      return installed(args);
    };
    try {
      const ask = async () => (await served.ask('{ customer(id: "cus-00001") { name id kind: __typename } }')).text;
      const answers = [await ask(), await ask(), await ask()];
      expect(answers[0]).toBe('{"data":{"customer":{"name":"Ada Lovelace","id":"cus-00001","kind":"Customer"}}}\n');
      expect(new Set(answers).size).toBe(1);
      expect(operations).toHaveLength(3);
      expect(shaperOf(operations[0]!)).toBeUndefined();
      expect(operations[2]).toBe(operations[1]);
      expect(shaperOf(operations[1]!)).toBeDefined();
    } finally {
      shaping.computeResponse = installed;
    }
  });
});
