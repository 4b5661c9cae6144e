import type { StripeApi } from './api';
import type { PaymentsLedger } from './ledger';
import { createdFilter, expand, newestFirst, paginate, type Lookups } from './listing';
import { newCustomer, REFUND_REASONS, type PaymentIntent } from './objects';
import {
  arrayParam,
  enumParam,
  integerParam,
  invalid,
  metadataParam,
  noSuch,
  onlyKnown,
  stringParam,
} from './wire';

/** `/v1/refunds`, `/v1/customers` and `/v1/charges/:id`. Internal to the sandbox. */
export function registerRefundAndCustomerRoutes(api: StripeApi, ledger: PaymentsLedger, lookups: Lookups): void {
  api.post('/refunds', 'refunds.create', ({ params, events }) => {
    onlyKnown(params, ['amount', 'charge', 'payment_intent', 'reason', 'metadata', 'expand']);
    const intentId = stringParam(params, 'payment_intent');
    const chargeId = stringParam(params, 'charge');
    if (!intentId && !chargeId) {
      throw invalid('One of the following params should be provided for this request: payment_intent or charge.', {
        code: 'parameter_missing',
        param: 'payment_intent',
      });
    }
    let intent: PaymentIntent | undefined;
    if (chargeId) {
      const charge = ledger.charges.get(chargeId);
      if (!charge) throw invalid(`No such charge: '${chargeId}'`, { code: 'resource_missing', param: 'charge' });
      intent = ledger.intents.get(charge.payment_intent);
      if (intentId && intentId !== charge.payment_intent) {
        throw invalid(`Charge ${chargeId} does not belong to PaymentIntent ${intentId}.`, { param: 'charge' });
      }
    } else if (intentId) {
      intent = ledger.intents.get(intentId);
    }
    if (!intent) {
      throw invalid(`No such payment_intent: '${intentId ?? ''}'`, { code: 'resource_missing', param: 'payment_intent' });
    }
    const amount = integerParam(params, 'amount');
    const reason = enumParam(params, 'reason', REFUND_REASONS);
    const metadata = metadataParam(params);
    const refund = ledger.refund(
      intent,
      {
        ...(amount !== undefined ? { amount } : {}),
        ...(reason !== undefined ? { reason } : {}),
        ...(metadata !== undefined ? { metadata } : {}),
      },
      events,
    );
    return { body: expand(structuredClone(refund), arrayParam(params, 'expand'), lookups) };
  });

  api.get('/refunds', 'refunds.list', ({ params }) => {
    onlyKnown(params, ['limit', 'starting_after', 'ending_before', 'payment_intent', 'charge', 'created', 'expand']);
    const intentId = stringParam(params, 'payment_intent');
    const chargeId = stringParam(params, 'charge');
    const inWindow = createdFilter(params);
    const items = newestFirst(ledger.refunds.values()).filter(
      (refund) =>
        (intentId === undefined || refund.payment_intent === intentId) &&
        (chargeId === undefined || refund.charge === chargeId) &&
        inWindow(refund.created),
    );
    const page = paginate(items, params, '/v1/refunds', 'refund');
    return { body: expand(structuredClone(page), arrayParam(params, 'expand'), lookups) };
  });

  api.get('/refunds/:refund', 'refunds.retrieve', ({ params, path }) => {
    onlyKnown(params, ['expand']);
    const refund = path.refund ? ledger.refunds.get(path.refund) : undefined;
    if (!refund) throw noSuch('refund', path.refund ?? '', 'id');
    return { body: expand(structuredClone(refund), arrayParam(params, 'expand'), lookups) };
  });

  api.get('/charges/:charge', 'charges.retrieve', ({ params, path }) => {
    onlyKnown(params, ['expand']);
    const charge = path.charge ? ledger.charges.get(path.charge) : undefined;
    if (!charge) throw noSuch('charge', path.charge ?? '', 'id');
    return { body: expand(structuredClone(charge), arrayParam(params, 'expand'), lookups) };
  });

  api.post('/customers', 'customers.create', ({ params, events }) => {
    onlyKnown(params, ['email', 'name', 'phone', 'description', 'metadata', 'expand']);
    const email = stringParam(params, 'email');
    if (email !== undefined && email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw invalid(`Invalid email address: ${email}`, { code: 'email_invalid', param: 'email' });
    }
    const name = stringParam(params, 'name');
    const phone = stringParam(params, 'phone');
    const description = stringParam(params, 'description');
    const metadata = metadataParam(params);
    const customer = newCustomer({
      email: email || null,
      name: name || null,
      phone: phone || null,
      description: description || null,
      ...(metadata !== undefined ? { metadata } : {}),
    });
    ledger.addCustomer(customer);
    events.push({ type: 'customer.created', object: customer });
    return { body: expand(structuredClone(customer), arrayParam(params, 'expand'), lookups) };
  });

  api.get('/customers', 'customers.list', ({ params }) => {
    onlyKnown(params, ['limit', 'starting_after', 'ending_before', 'email', 'created', 'expand']);
    const email = stringParam(params, 'email');
    const inWindow = createdFilter(params);
    const items = newestFirst(ledger.customers.values()).filter(
      (customer) => (email === undefined || customer.email === email) && inWindow(customer.created),
    );
    const page = paginate(items, params, '/v1/customers', 'customer');
    return { body: expand(structuredClone(page), arrayParam(params, 'expand'), lookups) };
  });

  api.get('/customers/:customer', 'customers.retrieve', ({ params, path }) => {
    onlyKnown(params, ['expand']);
    const customer = path.customer ? ledger.customers.get(path.customer) : undefined;
    if (!customer) throw noSuch('customer', path.customer ?? '', 'id');
    return { body: expand(structuredClone(customer), arrayParam(params, 'expand'), lookups) };
  });
}
