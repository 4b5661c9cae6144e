import { newId, unixNow } from './wire';

/**
 * The Stripe objects the sandbox holds, with Stripe's field names (API version 2026-10). Only what this estate uses
 * is modelled; fields Stripe always sends but that the estate never sets are present with Stripe's empty values, so
 * that the official SDK and anything typed against it read them as it reads Stripe. Internal to the sandbox.
 */

export const INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

export const CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'] as const;
export type CaptureMethod = (typeof CAPTURE_METHODS)[number];

export const CANCELLATION_REASONS = ['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer'] as const;
export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

/** Statuses from which Stripe lets an intent be canceled. */
export const CANCELABLE: readonly IntentStatus[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

export interface LastPaymentError {
  type: 'card_error';
  code: string;
  decline_code: string;
  message: string;
  charge: string;
  payment_method: DeclinedPaymentMethod;
}

/** The payment method a decline names, with the fields Stripe's `payment_method` object always carries. */
export interface DeclinedPaymentMethod {
  id: string;
  object: 'payment_method';
  billing_details: { address: null; email: null; name: null; phone: null };
  created: number;
  customer: string | null;
  livemode: false;
  metadata: Record<string, string>;
  type: 'card';
}

/** What Stripe.js must do for an intent in requires_action: here, always 3-D Secure through Stripe's own SDK. */
export interface NextAction {
  type: 'use_stripe_sdk';
  use_stripe_sdk: { type: 'three_d_secure_redirect'; stripe_js: string; source: string };
}

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  allowed_payment_method_types: string[] | null;
  amount: number;
  amount_capturable: number;
  amount_details: { tip: Record<string, never> };
  amount_received: number;
  application: null;
  application_fee_amount: null;
  automatic_payment_methods: { enabled: boolean } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: CaptureMethod;
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  excluded_payment_method_types: null;
  last_payment_error: LastPaymentError | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  next_action: NextAction | null;
  on_behalf_of: null;
  payment_method: string | null;
  payment_method_configuration_details: null;
  payment_method_options: Record<string, never>;
  payment_method_types: string[];
  processing: null;
  receipt_email: string | null;
  review: null;
  setup_future_usage: null;
  shipping: null;
  statement_descriptor: null;
  statement_descriptor_suffix: null;
  status: IntentStatus;
  transfer_data: null;
  transfer_group: null;
}

export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  application: null;
  application_fee: null;
  application_fee_amount: null;
  balance_transaction: null;
  billing_details: { address: null; email: null; name: null; phone: null };
  captured: boolean;
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  disputed: false;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Record<string, string>;
  outcome: { network_status: string; reason: string | null; risk_level: 'normal'; seller_message: string; type: string };
  paid: boolean;
  payment_intent: string;
  payment_method: string | null;
  receipt_email: string | null;
  refunded: boolean;
  status: 'succeeded' | 'failed';
}

export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: null;
  charge: string;
  created: number;
  currency: string;
  /** Stripe's description has it as an optional, non-null string: a refund made without one leaves it out. */
  description?: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  receipt_number: null;
  source_transfer_reversal: null;
  status: 'succeeded';
  transfer_reversal: null;
}

export interface Customer {
  id: string;
  object: 'customer';
  address: null;
  balance: number;
  created: number;
  currency: string | null;
  default_source: null;
  delinquent: boolean;
  description: string | null;
  discount: null;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: { custom_fields: null; default_payment_method: null; footer: null; rendering_options: null };
  livemode: false;
  metadata: Record<string, string>;
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: null;
  tax_exempt: 'none';
  test_clock: null;
}

export function newPaymentIntent(fields: {
  id?: string;
  amount: number;
  currency: string;
  created?: number;
  customer?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
  payment_method?: string | null;
  /** `allowed_payment_method_types` (API 2026) or `payment_method_types` (earlier versions). */
  payment_method_types?: string[];
  capture_method?: CaptureMethod;
  receipt_email?: string | null;
  clientSecretSuffix?: string;
}): PaymentIntent {
  const id = fields.id ?? newId('pi');
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: fields.payment_method_types ?? null,
    amount: fields.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: fields.payment_method_types ? null : { enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: fields.capture_method ?? 'automatic_async',
    client_secret: `${id}_secret_${fields.clientSecretSuffix ?? newId('x', 25).slice(2)}`,
    confirmation_method: 'automatic',
    created: fields.created ?? unixNow(),
    currency: fields.currency,
    customer: fields.customer ?? null,
    description: fields.description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: fields.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: fields.payment_method ?? null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: fields.payment_method_types ?? ['card'],
    processing: null,
    receipt_email: fields.receipt_email ?? null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: fields.payment_method ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
}

/** The charge a confirmation creates: an authorisation (uncaptured) for manual capture, a payment otherwise. */
export function newCharge(
  intent: PaymentIntent,
  fields: { id?: string; created?: number; captured: boolean; declined?: { code: string; message: string } },
): Charge {
  const declined = fields.declined;
  return {
    id: fields.id ?? newId('ch'),
    object: 'charge',
    amount: intent.amount,
    amount_captured: fields.captured && !declined ? intent.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: null, email: null, name: null, phone: null },
    captured: fields.captured && !declined,
    created: fields.created ?? unixNow(),
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    disputed: false,
    failure_code: declined?.code ?? null,
    failure_message: declined?.message ?? null,
    livemode: false,
    metadata: { ...intent.metadata },
    outcome: declined
      ? {
          network_status: 'declined_by_network',
          reason: 'generic_decline',
          risk_level: 'normal',
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined',
        }
      : {
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          seller_message: 'Payment complete.',
          type: 'authorized',
        },
    paid: !declined,
    payment_intent: intent.id,
    payment_method: intent.payment_method,
    receipt_email: intent.receipt_email,
    refunded: false,
    status: declined ? 'failed' : 'succeeded',
  };
}

export function newRefund(
  charge: Charge,
  fields: { id?: string; amount: number; created?: number; reason?: string | null; metadata?: Record<string, string> },
): Refund {
  return {
    id: fields.id ?? newId('re'),
    object: 'refund',
    amount: fields.amount,
    balance_transaction: null,
    charge: charge.id,
    created: fields.created ?? unixNow(),
    currency: charge.currency,
    metadata: fields.metadata ?? {},
    payment_intent: charge.payment_intent,
    reason: fields.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

export function newCustomer(fields: {
  id?: string;
  created?: number;
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
}): Customer {
  const id = fields.id ?? newId('cus', 14);
  return {
    id,
    object: 'customer',
    address: null,
    balance: 0,
    created: fields.created ?? unixNow(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: fields.description ?? null,
    discount: null,
    email: fields.email ?? null,
    invoice_prefix: id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: fields.metadata ?? {},
    name: fields.name ?? null,
    next_invoice_sequence: 1,
    phone: fields.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}
