import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { fieldsAsked } from '../../subgraphs/kit';

/** subgraphs/kit/selection.ts: what a request asks of a list's items, as a list resolver reads it to load ahead. */
describe('fieldsAsked', () => {
  const schema = buildSchema(`
    type Query { orders: OrderConnection }
    type OrderConnection { nodes: [Order] edges: [OrderEdge] totalCount: Int }
    type OrderEdge { cursor: String node: Order }
    type Order { id: ID status: String customer: Customer }
    type Customer { id: ID }
  `);

  const askedBy = async (source: string): Promise<{ nodes: string[]; edges: string[] }> => {
    let seen: { nodes: string[]; edges: string[] } | undefined;
    const result = await graphql({
      schema,
      source,
      rootValue: {
        orders: (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
          seen = { nodes: [...fieldsAsked(info, ['nodes'])].sort(), edges: [...fieldsAsked(info, ['edges', 'node'])].sort() };
          return { nodes: [], edges: [], totalCount: 0 };
        },
      },
    });
    expect(result.errors).toBeUndefined();
    return seen!;
  };

  it('reads the fields asked of the nodes and of the edges’ nodes', async () => {
    expect(await askedBy('{ orders { totalCount nodes { id status } edges { cursor node { customer { id } } } } }')).toEqual({
      nodes: ['id', 'status'],
      edges: ['customer'],
    });
  });

  it('follows inline fragments and named ones, as the gateway and clients write them', async () => {
    const source = `
      query { orders { ... on OrderConnection { nodes { ...Settled ... on Order { customer { id } } } } } }
      fragment Settled on Order { status }`;
    expect(await askedBy(source)).toEqual({ nodes: ['customer', 'status'], edges: [] });
  });

  it('answers nothing for a path the request does not ask', async () => {
    expect(await askedBy('{ orders { totalCount } }')).toEqual({ nodes: [], edges: [] });
  });
});
