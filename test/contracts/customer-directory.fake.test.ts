import { generateEstate } from '../../src/systems/kit/seed';
import { createFakeCustomerDirectory } from '../fakes/customer-directory';
import { describeCustomerDirectoryContract } from './customer-directory.contract';

const estate = generateEstate();

describeCustomerDirectoryContract('in-memory fake CRM', async () => {
  const fake = createFakeCustomerDirectory({ customers: estate.customers, facts: estate.crm, currency: estate.currency });
  return {
    directory: fake.directory,
    system: fake.system,
    estate,
    setFault: async (setting) => fake.faults.set(setting),
    batchReadCalls: async () => fake.faults.count('batchRead'),
    async stored(customerId) {
      const profile = fake.profiles.get(customerId);
      return profile && { crmId: profile.crmId, email: profile.email, name: profile.name, phone: profile.phone, segment: profile.segment };
    },
    close: async () => undefined,
  };
});
