import { generateEstate } from '../../src/systems/kit/seed';
import { createFakeSiteStore } from '../fakes/site-store';
import { describeSiteStoreContract } from './site-store.contract';

const estate = generateEstate();

describeSiteStoreContract('in-memory fake store', async () => {
  const fake = createFakeSiteStore({ customers: estate.customers, orders: estate.orders });
  // One "statement" per call: the fake answers every read in one go, as the store must (no N+1).
  return { store: fake.store, system: fake.system, estate, statements: () => fake.faults.count(), close: async () => undefined };
});
