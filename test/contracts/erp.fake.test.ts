import { generateEstate } from '../../src/systems/kit/seed';
import { createFakeErp } from '../fakes/erp';
import { describeErpContract } from './erp.contract';

const estate = generateEstate();

describeErpContract('in-memory fake ERP', async () => {
  const fake = createFakeErp({ items: estate.items, customers: estate.customers, orders: estate.orders });
  return {
    erp: fake.erp,
    systemName: fake.system,
    estate,
    system: {
      setFault: async (setting) => fake.faults.set(setting),
      requestCount: async () => fake.faults.count(),
      async stockOf(sku) {
        const held = fake.stock.get(sku);
        return held && { onHand: held.item.onHand, reserved: held.reserved };
      },
      async partnerOf(customerId) {
        const partner = fake.partners.get(customerId);
        return partner && { name: partner.name, email: partner.email, phone: partner.phone };
      },
      async orderOf(orderId) {
        const order = fake.orders.get(orderId);
        return order && { lineCount: order.lineCount };
      },
    },
    close: async () => undefined,
  };
});
