/** The two operations of the federation benchmark. */
export interface BenchQuery {
  readonly name: 'nested' | 'one-fetch';
  readonly title: string;
  readonly query: string;
}

const PRODUCT = 'upc name price weight inStock shippingEstimate';

/**
 * Every subgraph, several times over: the user's reviews, their products (name and price from products, stock and
 * shipping from inventory, which @requires price and weight), those products' reviews and their authors' reviews
 * (authors' usernames @provided by reviews), and the top products likewise.
 */
export const NESTED: BenchQuery = {
  name: 'nested',
  title: 'nested (4 subgraphs, @requires/@provides)',
  query: `query Nested {
  me {
    id name username
    reviews { id body product { ${PRODUCT} reviews { id body author { id username name reviews { id body product { ${PRODUCT} } } } } } }
  }
  topProducts(first: 5) {
    ${PRODUCT}
    reviews { id body author { id username reviews { id body product { upc name inStock } } } }
  }
}`,
};

/** One fetch to one subgraph: what the gateway costs by itself. */
export const ONE_FETCH: BenchQuery = {
  name: 'one-fetch',
  title: 'one fetch (products)',
  query: 'query OneFetch { topProducts(first: 5) { upc name price weight } }',
};

export const BENCH_QUERIES: readonly BenchQuery[] = [NESTED, ONE_FETCH];
