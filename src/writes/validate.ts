import { z } from 'zod';
import { ORDER_STATUSES } from '../domain';
import { phoneProblem, textProblem, type TextRules } from '../domain/text';
import { SYSTEM_REGISTRY } from '../systems';
import { WriteRejection } from './saga';

/**
 * Text as we keep it (src/domain/text.ts): no control characters (a NUL reaches no database; CR/LF splits headers and
 * log lines), only whole Unicode characters (no lone surrogate halves, which no system could store or echo), not
 * empty, not too long. So hostile text is refused as BAD_USER_INPUT, the same on SQLite and PostgreSQL, never met by a
 * driver.
 */
const text = (rules: TextRules) =>
  z.string().superRefine((value, context) => {
    const problem = textProblem(value, rules);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/** An id a client names (a customer, an order, a SKU). */
const entityId = text({ max: 64 });

/** A phone number: E.164-ish (src/domain/text.ts); null clears it, an empty string is refused. */
const phone = z.string().superRefine((value, context) => {
  const problem = phoneProblem(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** What clients may send, checked before any system is called. */
export const updateCustomerInput = z
  .object({
    id: entityId,
    email: text({ max: 320 }).pipe(z.string().trim().toLowerCase().email()).optional(),
    name: text({ max: 200 }).transform((name) => name.trim()).optional(),
    phone: phone.nullable().optional(),
  })
  .refine((input) => input.email !== undefined || input.name !== undefined || input.phone !== undefined, {
    message: 'give at least one of email, name, phone',
  });

/** Address text: clean (see {@link text}), trimmed. */
const addressText = (max: number, allowEmpty = false) => text({ max, allowEmpty }).transform((value) => value.trim());

/**
 * A delivery address, as carriers take it (the strictest limits we meet: lines of 1-100 characters).
 * The country is ISO 3166-1 alpha-2 in capitals; the region may be empty where the country has none.
 */
export const addressInput = z.object({
  name: addressText(100),
  phone: phone.nullish(),
  line1: addressText(100),
  line2: addressText(100, true).nullish(),
  city: addressText(60),
  region: addressText(60, true),
  postalCode: addressText(20).pipe(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$/, 'letters, digits, spaces and dashes only')),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals, e.g. "NL"'),
  residential: z.boolean().nullish(),
});

/** The rules the systems put on one input field (their `inputRules`), each a refusal naming the field. */
const withSystemRules = (field: string, schema: z.ZodString): z.ZodString =>
  SYSTEM_REGISTRY.flatMap((system) => (system.inputRules?.[field] ? [system.inputRules[field]] : [])).reduce(
    (checked, rule) => checked.regex(rule.pattern, rule.message),
    schema,
  );

/**
 * A payment method id, as the payment gateway's browser library hands it to the checkout: letters, digits or
 * underscores, and the shape the payment gateway's system declares (its `inputRules.paymentMethod`).
 */
export const paymentMethodInput = withSystemRules('paymentMethod', z.string().regex(/^[A-Za-z0-9_]{1,200}$/, 'must be a payment method id: letters, digits or underscores'));

export const placeOrderInput = z.object({
  customerId: entityId,
  /** Absent: the customer's address on file. */
  shipTo: addressInput.nullish(),
  /** Absent: the payment is created and waits for the client to give one. */
  paymentMethod: paymentMethodInput.nullish(),
  lines: z
    .array(z.object({ sku: entityId, quantity: z.number().int().min(1).max(1_000) }))
    .min(1)
    .max(50)
    .refine((lines) => new Set(lines.map((line) => line.sku)).size === lines.length, { message: 'each SKU once per order' }),
});

export const orderStatusInput = z.object({ id: entityId, status: z.enum(ORDER_STATUSES) });
export const orderIdInput = z.object({ id: entityId });

const delta = z.number().int().min(-100_000).max(100_000).refine((value) => value !== 0, { message: 'delta must not be 0' });
const reason = text({ max: 200 }).transform((value) => value.trim());

export const adjustInventoryInput = z.object({ sku: entityId, delta, reason });

export const idempotencyKeyInput = z.string().min(8).max(200).regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only');

/** A mutation's arguments as the graph names them, each with its rules: what the edge screens (see {@link screenArguments}). */
const key = idempotencyKeyInput.nullish();
export const MUTATION_ARGUMENTS = {
  updateCustomer: { input: updateCustomerInput, idempotencyKey: key },
  placeOrder: { input: placeOrderInput, idempotencyKey: key },
  updateOrderStatus: { id: entityId, status: z.enum(ORDER_STATUSES), idempotencyKey: key },
  cancelOrder: { id: entityId, idempotencyKey: key },
  adjustInventory: { sku: entityId, delta, reason, idempotencyKey: key },
} as const satisfies Record<string, Record<string, z.ZodType>>;

/** A refused argument, named as the client sent it: `argument` (e.g. "input") and the `field` within it ("input.phone"). */
export class InputRefusal extends WriteRejection {
  constructor(
    readonly argument: string,
    readonly field: string,
    message: string,
  ) {
    super('BAD_USER_INPUT', message);
  }
}

/**
 * Screens a mutation's arguments at the edge, before anything is claimed, applied or audited: the first argument that
 * breaks its rules is refused as an {@link InputRefusal} naming it.
 */
export function screenArguments(operation: keyof typeof MUTATION_ARGUMENTS, args: Readonly<Record<string, unknown>>): void {
  for (const [argument, schema] of Object.entries(MUTATION_ARGUMENTS[operation]) as [string, z.ZodType][]) {
    const parsed = schema.safeParse(args[argument]);
    if (parsed.success) continue;
    const issue = parsed.error.issues[0]!;
    const field = [argument, ...issue.path.map(String)].join('.');
    throw new InputRefusal(argument, field, `${field}: ${issue.message}`);
  }
}

export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const reason = parsed.error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`)
    .join('; ');
  throw new WriteRejection('BAD_USER_INPUT', reason);
}

/** Which status an order may move to from where it is. */
export const ORDER_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};
