import type { ZodType } from 'zod';
import type Stripe from 'stripe';
import { IntegrationError, type CallOptions, type PaymentCustomer } from '../../../domain';
import { customerListSchema, customerSchema } from './schema';

/** Internal to the adapter: one validated SDK call, as the adapter makes it. */
export type StripeCall = <T>(operation: string, options: CallOptions | undefined, schema: ZodType<T>, run: () => Promise<unknown>) => Promise<T>;

/** Stripe's customer ids: `cus_` and letters and digits. */
const CUSTOMER_ID = /^cus_[A-Za-z0-9]{1,250}$/;

/**
 * The Stripe customer a payment is made under: the one we kept for this customer, else the one whose
 * `metadata.customer_id` is ours among those with the customer's e-mail (a list by e-mail reads what was just written;
 * Stripe's customer search can lag a minute), else a new one, created under an idempotency key derived from the
 * payment's so that a retried payment makes no second customer. A customer with the same e-mail but another (or no)
 * `customer_id` is not ours to adopt: a new one is made.
 */
export async function gatewayCustomerFor(
  deps: { readonly system: string; readonly stripe: Stripe; readonly call: StripeCall },
  customer: PaymentCustomer,
  idempotencyKey: string,
  options: CallOptions | undefined,
): Promise<string> {
  const { system, stripe, call } = deps;
  const kept = customer.gatewayCustomerId;
  if (kept) {
    if (!CUSTOMER_ID.test(kept)) {
      const reason = `not a Stripe customer id (cus_…): ${JSON.stringify(kept.slice(0, 40))}`;
      throw new IntegrationError('UPSTREAM_REJECTED', `${system} createPayment: ${reason}`, { system, operation: 'createPayment', reason });
    }
    return kept;
  }
  const listed = await call('findCustomer', options, customerListSchema, () => stripe.customers.list({ email: customer.email, limit: 100 }));
  const ours = listed.data.find((found) => found.metadata['customer_id'] === customer.id);
  if (ours) return ours.id;
  const created = await call('createCustomer', options, customerSchema, () =>
    stripe.customers.create(
      { email: customer.email, name: customer.name, metadata: { customer_id: customer.id } },
      { idempotencyKey: `${idempotencyKey}:customer` },
    ),
  );
  return created.id;
}
