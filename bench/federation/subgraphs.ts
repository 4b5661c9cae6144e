import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse, type GraphQLSchema } from 'graphql';
import { createCatalogue, shippingEstimate, type BenchProduct, type BenchReview } from './catalogue';

/** One of the benchmark's four subgraphs: its SDL (for composition) and its executable schema. */
export interface BenchSubgraph {
  readonly name: BenchSubgraphName;
  readonly sdl: string;
  readonly schema: GraphQLSchema;
}

export const BENCH_SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type BenchSubgraphName = (typeof BENCH_SUBGRAPH_NAMES)[number];

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@shareable"])';

const SDL: Record<BenchSubgraphName, string> = {
  accounts: `${LINK}
    type Query {
      me: User
      user(id: ID!): User
      users: [User!]!
    }
    type User @key(fields: "id") {
      id: ID!
      name: String!
      # @shareable: the reviews subgraph provides it too, beside its reviews' authors.
      username: String! @shareable
      birthday: String!
    }`,
  inventory: `${LINK}
    type Product @key(fields: "upc") {
      upc: String!
      price: Int! @external
      weight: Int! @external
      inStock: Boolean!
      shippingEstimate: Int! @requires(fields: "price weight")
    }`,
  products: `${LINK}
    type Query {
      topProducts(first: Int = 5): [Product!]!
    }
    type Product @key(fields: "upc") {
      upc: String!
      name: String!
      price: Int!
      weight: Int!
    }`,
  reviews: `${LINK}
    type Review @key(fields: "id") {
      id: ID!
      body: String!
      author: User @provides(fields: "username")
      product: Product
    }
    type User @key(fields: "id") {
      id: ID!
      username: String! @external
      reviews: [Review!]!
    }
    type Product @key(fields: "upc") {
      upc: String!
      reviews: [Review!]!
    }`,
};

/** The four subgraphs over one deterministic catalogue. */
export function createBenchSubgraphs(): Record<BenchSubgraphName, BenchSubgraph> {
  const catalogue = createCatalogue();
  const userById = new Map(catalogue.users.map((user) => [user.id, user]));
  const productByUpc = new Map(catalogue.products.map((product) => [product.upc, product]));
  const reviewById = new Map(catalogue.reviews.map((review) => [review.id, review]));
  const reviewsBy = (key: 'authorId' | 'upc') => {
    const index = new Map<string, BenchReview[]>();
    for (const review of catalogue.reviews) index.set(review[key], [...(index.get(review[key]) ?? []), review]);
    return (id: string) => index.get(id) ?? [];
  };
  const reviewsOfAuthor = reviewsBy('authorId');
  const reviewsOfProduct = reviewsBy('upc');

  const resolvers: Record<BenchSubgraphName, GraphQLResolverMap<unknown>> = {
    accounts: {
      Query: {
        me: () => catalogue.users[0],
        user: (_: unknown, { id }: { id: string }) => userById.get(id) ?? null,
        users: () => catalogue.users,
      },
      User: { __resolveReference: ({ id }: { id: string }) => userById.get(id) ?? null },
    },
    inventory: {
      Product: {
        __resolveReference: (reference: Pick<BenchProduct, 'upc' | 'price' | 'weight'>) => reference,
        inStock: ({ upc }: BenchProduct) => catalogue.inStock.has(upc),
        shippingEstimate: ({ price, weight }: BenchProduct) => shippingEstimate(price, weight),
      },
    },
    products: {
      Query: { topProducts: (_: unknown, { first }: { first: number }) => catalogue.products.slice(0, first) },
      Product: { __resolveReference: ({ upc }: { upc: string }) => productByUpc.get(upc) ?? null },
    },
    reviews: {
      Review: {
        __resolveReference: ({ id }: { id: string }) => reviewById.get(id) ?? null,
        // @provides: the reviews subgraph hands out the author's username itself, saving a fetch to accounts.
        author: (review: BenchReview) => {
          const user = userById.get(review.authorId);
          return user ? { id: user.id, username: user.username } : null;
        },
        product: (review: BenchReview) => ({ upc: review.upc }),
      },
      User: {
        __resolveReference: ({ id }: { id: string }) => ({ id }),
        reviews: ({ id }: { id: string }) => reviewsOfAuthor(id),
      },
      Product: {
        __resolveReference: ({ upc }: { upc: string }) => ({ upc }),
        reviews: ({ upc }: { upc: string }) => reviewsOfProduct(upc),
      },
    },
  };

  return Object.fromEntries(
    BENCH_SUBGRAPH_NAMES.map((name) => [
      name,
      { name, sdl: SDL[name], schema: buildSubgraphSchema([{ typeDefs: parse(SDL[name]), resolvers: resolvers[name] }]) },
    ]),
  ) as Record<BenchSubgraphName, BenchSubgraph>;
}
