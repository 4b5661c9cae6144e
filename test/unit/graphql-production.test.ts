import { GraphQLScalarType, isScalarType } from 'graphql';
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
