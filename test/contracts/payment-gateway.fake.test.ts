import { generateEstate } from '../../src/systems/kit/seed';
import { createFakePaymentGateway } from '../fakes/payment-gateway';
import { describePaymentGatewayContract, type PaymentGatewayContractSubject } from './payment-gateway.contract';

const estate = generateEstate();

describePaymentGatewayContract('in-memory fake payment gateway', async () => {
  const fake = createFakePaymentGateway({ payments: estate.payments });
  // This suite's subject is typed on a running sandbox (it reads `stats.snapshot()` and calls `setFault`); the fake
  // stands in for exactly those two, and has no URL or records window to give.
  const sandbox = {
    name: fake.system,
    stats: { snapshot: () => ({ total: fake.faults.count(), byOperation: { search: fake.faults.count('search') }, faultsInjected: 0 }) },
    setFault: (setting: Parameters<PaymentGatewayContractSubject['sandbox']['setFault']>[0]) => fake.faults.set(setting),
    close: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  } as unknown as PaymentGatewayContractSubject['sandbox'];
  return {
    gateway: fake.gateway,
    sandbox,
    seeded: estate.payments,
    batchReadOperation: 'search',
    async heldPayment(paymentId) {
      const payment = fake.payments.get(paymentId);
      return (
        payment && {
          orderId: payment.orderId,
          status: payment.status,
          amountMinor: payment.amount.minor,
          currency: payment.amount.currency,
          refundedMinor: payment.refunded.minor,
        }
      );
    },
    paymentCountForOrder: async (orderId) => [...fake.payments.values()].filter((payment) => payment.orderId === orderId).length,
    close: async () => undefined,
  };
});
