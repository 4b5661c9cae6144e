import type { PaymentStatus } from '../../../domain';
import type { EstateSeed } from '../../kit/seed';
import type { PaymentsLedger } from './ledger';
import { newCharge, newCustomer, newPaymentIntent, newRefund, type IntentStatus } from './objects';
import { stableId } from './wire';

/** The Stripe customer id of one of our customers in the seeded estate (stable across starts). */
export function seededCustomerId(customerId: string): string {
  return stableId('cus', `customer:${customerId}`, 14);
}

const STATUS: Readonly<Record<PaymentStatus, IntentStatus>> = {
  REQUIRES_PAYMENT_METHOD: 'requires_payment_method',
  REQUIRES_CONFIRMATION: 'requires_confirmation',
  REQUIRES_ACTION: 'requires_action',
  PROCESSING: 'processing',
  REQUIRES_CAPTURE: 'requires_capture',
  SUCCEEDED: 'succeeded',
  CANCELED: 'canceled',
};

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * Projects the estate into Stripe's vocabulary: a customer per estate customer (metadata.customer_id = our id), and
 * a payment intent per estate payment, with the charge (and refund) its status implies. Intents are authorised and
 * captured separately (capture_method manual), as the shop takes payments.
 */
export function seedLedger(ledger: PaymentsLedger, estate: EstateSeed): void {
  for (const customer of estate.customers) {
    ledger.addCustomer(
      newCustomer({
        id: seededCustomerId(customer.id),
        created: seconds(customer.createdAt),
        email: customer.email,
        name: customer.name,
        phone: customer.phone,
        metadata: { customer_id: customer.id },
      }),
    );
  }
  const customerOfOrder = new Map(estate.orders.map((order) => [order.id, order.customerId]));
  for (const payment of estate.payments) {
    const customerId = customerOfOrder.get(payment.orderId);
    const created = seconds(payment.createdAt);
    const status = STATUS[payment.status];
    const authorised = status === 'requires_capture' || status === 'succeeded';
    const intent = newPaymentIntent({
      id: payment.id,
      amount: payment.amount.minor,
      currency: payment.amount.currency.toLowerCase(),
      created,
      customer: customerId ? seededCustomerId(customerId) : null,
      metadata: { order_id: payment.orderId, ...(customerId ? { customer_id: customerId } : {}) },
      payment_method: status === 'requires_payment_method' ? null : stableId('pm', `pm:${payment.id}`),
      payment_method_types: ['card'],
      capture_method: 'manual',
      clientSecretSuffix: stableId('x', `secret:${payment.id}`, 25).slice(2),
    });
    intent.status = status;
    if (authorised) {
      const charge = newCharge(intent, {
        id: `ch_${payment.id.replace(/^pi_/, '')}`,
        created,
        captured: status === 'succeeded',
      });
      ledger.addCharge(charge);
      intent.latest_charge = charge.id;
      if (status === 'succeeded') {
        intent.amount_received = intent.amount;
        if (payment.refunded.minor > 0) {
          const refund = newRefund(charge, {
            id: `re_${payment.id.replace(/^pi_/, '')}`,
            amount: payment.refunded.minor,
            created: created + 86_400,
            reason: 'requested_by_customer',
          });
          ledger.addRefund(refund);
          charge.amount_refunded = refund.amount;
          charge.refunded = refund.amount >= charge.amount_captured;
        }
      } else {
        intent.amount_capturable = intent.amount;
      }
    }
    if (status === 'canceled') {
      intent.canceled_at = created + 3_600;
      intent.cancellation_reason = 'requested_by_customer';
    }
    ledger.addIntent(intent);
  }
}
