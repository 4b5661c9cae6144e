import { generateEstate } from '../../src/systems/kit/seed';
import { createFakeCourier } from '../fakes/courier';
import { describeCourierContract } from './courier.contract';

const estate = generateEstate();

for (const carrier of ['courier-a', 'courier-b']) {
  describeCourierContract(`in-memory fake courier as ${carrier}`, async () => {
    const fake = createFakeCourier({ carrier, shipments: estate.shipments });
    return {
      courier: fake.courier,
      system: fake.system,
      estate,
      unknownShipmentId: `${carrier}:NEVER-ISSUED`,
      setFault: async (setting) => fake.faults.set(setting),
      batchReadCalls: async () => fake.faults.count('findByOrderIds'),
      totalCalls: async () => fake.faults.count(),
      async stored(shipmentId) {
        const shipment = fake.shipments.get(shipmentId);
        return shipment && { orderId: shipment.orderId, trackingNumber: shipment.trackingNumber, status: shipment.status };
      },
      storedForOrder: async (orderId) => [...fake.shipments.values()].filter((shipment) => shipment.orderId === orderId).length,
      close: async () => undefined,
    };
  });
}
