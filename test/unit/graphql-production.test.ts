import { buildSchema, execute, graphql, GraphQLScalarType, isScalarType, parse, validate } from 'graphql';
import '../../src/serve/graphql-production';

/**
 * graphql's type checks are a plain `instanceof` where the product executes (see src/serve/graphql-production.ts):
 * outside production mode graphql looks, on every miss, for a class of the same name from another copy of graphql, and
 * throws when it finds one.
 */
it('answers a type check with instanceof alone, as graphql does in production', () => {
  const lookalike = { [Symbol.toStringTag]: 'GraphQLScalarType' };
  expect(isScalarType(lookalike)).toBe(false);
  expect(isScalarType(new GraphQLScalarType({ name: 'Money' }))).toBe(true);
});

/** A field that declares no argument gets an empty object of arguments without graphql's coercion; the others are coerced as ever. */
describe('the arguments of each field', () => {
  const schema = buildSchema('type Query { plain: String  page(first: Int = 10, after: String): String }');
  const seen: Record<string, unknown>[] = [];
  const rootValue = {
    plain: (args: Record<string, unknown>) => (seen.push(args), 'plain'),
    page: (args: Record<string, unknown>) => (seen.push(args), `page ${JSON.stringify(args)}`),
  };

  beforeEach(() => void (seen.length = 0));

  it('coerces declared arguments, with their defaults and variables, as graphql does', async () => {
    const result = await graphql({ schema, rootValue, source: 'query($after: String) { page(after: $after) }', variableValues: { after: 'c1' } });
    expect(result).toEqual({ data: { page: 'page {"first":10,"after":"c1"}' } });
  });

  it('gives a field without arguments a fresh empty object each time, and runs no coercion for it', async () => {
    const document = parse('{ a: plain b: plain }');
    expect(validate(schema, document)).toEqual([]);
    const keyMap = require('graphql/jsutils/keyMap.js') as { keyMap: (...args: unknown[]) => unknown };
    const spy = jest.spyOn(keyMap, 'keyMap');
    try {
      const result = await execute({ schema, rootValue, document });
      expect(result).toEqual({ data: { a: 'plain', b: 'plain' } });
      expect(seen).toEqual([{}, {}]);
      expect(seen[0]).not.toBe(seen[1]);
      expect(Object.getPrototypeOf(seen[0])).toBeNull();
      // graphql's coercion keys the written arguments of each field it coerces (graphql/execution/values.js); execution
      // has no other use for it.
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
