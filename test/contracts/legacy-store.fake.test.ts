import { generateEstate } from '../../src/systems/kit/seed';
import { createFakeLegacyStore } from '../fakes/legacy-store';
import { describeLegacyStoreContract } from './legacy-store.contract';

const estate = generateEstate();

describeLegacyStoreContract('in-memory fake legacy shop', async () => {
  const fake = createFakeLegacyStore({ customers: estate.customers, orders: estate.orders });
  return {
    legacy: fake.legacy,
    system: fake.system,
    estate,
    setFault: async (setting) => fake.faults.set(setting),
    calls: async (kind) => fake.faults.count(kind),
    withWrongPassword: () => fake.withWrongPassword(),
    close: async () => undefined,
  };
});
