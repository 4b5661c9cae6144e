/**
 * The benchmark's shop: users, products and reviews, generated deterministically so that every gateway is asked for
 * the same answer. Shaped like the public graphql-gateways-benchmark (accounts, inventory, products, reviews), written
 * here from its description.
 */

export interface BenchUser {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly birthday: string;
}

export interface BenchProduct {
  readonly upc: string;
  readonly name: string;
  /** Minor units. */
  readonly price: number;
  /** Grams. */
  readonly weight: number;
}

export interface BenchReview {
  readonly id: string;
  readonly body: string;
  readonly authorId: string;
  readonly upc: string;
}

export interface Catalogue {
  readonly users: readonly BenchUser[];
  readonly products: readonly BenchProduct[];
  readonly reviews: readonly BenchReview[];
  readonly inStock: ReadonlySet<string>;
}

const USERS = 10;
const PRODUCTS = 12;
const REVIEWS_PER_USER = 4;

export function createCatalogue(): Catalogue {
  const users = Array.from({ length: USERS }, (_, index) => ({
    id: `u${index + 1}`,
    name: `User Number ${index + 1}`,
    username: `user${index + 1}`,
    birthday: new Date(Date.UTC(1970 + index * 3, index % 12, 1 + index)).toISOString().slice(0, 10),
  }));
  const products = Array.from({ length: PRODUCTS }, (_, index) => ({
    upc: `upc-${String(index + 1).padStart(3, '0')}`,
    name: `Product ${index + 1}`,
    price: 499 + index * 250,
    weight: 100 + ((index * 137) % 900),
  }));
  // Every user reviews four products, spread so that every product has three or four reviews by different users.
  const reviews = users.flatMap((user, userIndex) =>
    Array.from({ length: REVIEWS_PER_USER }, (_, k) => {
      const product = products[(userIndex * REVIEWS_PER_USER + k * 3) % PRODUCTS]!;
      return { id: `r${userIndex * REVIEWS_PER_USER + k + 1}`, body: `Review ${k + 1} of ${product.name} by ${user.username}`, authorId: user.id, upc: product.upc };
    }),
  );
  const inStock = new Set(products.filter((_, index) => index % 3 !== 0).map((product) => product.upc));
  return { users, products, reviews, inStock };
}

/** What the inventory charges to ship: free above 1000 in price, else half a unit per gram. */
export function shippingEstimate(price: number, weight: number): number {
  return price > 1000 ? 0 : Math.round(weight * 0.5);
}
