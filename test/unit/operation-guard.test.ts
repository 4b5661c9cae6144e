import { buildSchema } from 'graphql';
import { getComplexity } from 'graphql-query-complexity';
import { createOperationGuard, DEFAULT_LIMITS } from '../../src/gateway/front-door/limits';
import { FrontDoorRejection } from '../../src/gateway/front-door/rejection';

/**
 * The front door's operation guard keeps what it learnt of a document: a cost that depends on variables is estimated
 * once per operation name and variables, and the limit still holds for every request.
 */

jest.mock('graphql-query-complexity', () => {
  const actual = jest.requireActual<typeof import('graphql-query-complexity')>('graphql-query-complexity');
  return { ...actual, getComplexity: jest.fn(actual.getComplexity) };
});

const schema = buildSchema(`
  type Order { id: ID! lines(first: Int): [Line!]! }
  type Line { sku: String! }
  type Query { orders(first: Int): [Order!]! }
`);
const PAGE = 'query Page($first: Int) { orders(first: $first) { id lines(first: 50) { sku } } }';

it('estimates a cost with variables once per variables, and refuses one over the limit every time', () => {
  const guard = createOperationGuard(schema, { ...DEFAULT_LIMITS, maxCost: 10_000 });
  const estimated = getComplexity as jest.MockedFunction<typeof getComplexity>;
  estimated.mockClear();
  const first = guard.check(PAGE, { first: 100 }, 'Page');
  expect(guard.check(PAGE, { first: 100 }, 'Page')).toEqual(first);
  expect(guard.check(PAGE, { first: 100 }, undefined)).toEqual(first);
  expect(estimated).toHaveBeenCalledTimes(2); // named and unnamed are two keys; the repeat costs nothing
  expect(first.cost).toBeGreaterThan(100);

  const small = guard.check(PAGE, { first: 2 }, 'Page');
  expect(small.cost).toBeLessThan(first.cost);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    expect(() => guard.check(PAGE, { first: 500 }, 'Page')).toThrow(FrontDoorRejection);
  }
  expect(estimated).toHaveBeenCalledTimes(4);
});
