import { z } from 'zod';
import { ORDER_STATUSES } from '../domain';
import { WriteRejection } from './saga';

/**
 * An id a client names: no control characters (a NUL reaches no database) and no lone surrogate halves (no system
 * could store or echo them), so a hostile id is refused as BAD_USER_INPUT, never met by a driver.
 */
const UNSTORABLE_IN_ID = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const entityId = z
  .string()
  .min(1)
  .max(64)
  .refine((id) => !UNSTORABLE_IN_ID.test(id), { message: 'an id holds no control characters and only whole Unicode characters' });

/** What clients may send, checked before any system is called. */
export const updateCustomerInput = z
  .object({
    id: entityId,
    email: z.string().trim().toLowerCase().email().max(320).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    phone: z.string().trim().max(64).nullable().optional(),
  })
  .refine((input) => input.email !== undefined || input.name !== undefined || input.phone !== undefined, {
    message: 'give at least one of email, name, phone',
  });

export const placeOrderInput = z.object({
  customerId: entityId,
  lines: z
    .array(z.object({ sku: entityId, quantity: z.number().int().min(1).max(1_000) }))
    .min(1)
    .max(50)
    .refine((lines) => new Set(lines.map((line) => line.sku)).size === lines.length, { message: 'each SKU once per order' }),
});

export const orderStatusInput = z.object({ id: entityId, status: z.enum(ORDER_STATUSES) });
export const orderIdInput = z.object({ id: entityId });

export const adjustInventoryInput = z.object({
  sku: entityId,
  delta: z.number().int().min(-100_000).max(100_000).refine((delta) => delta !== 0, { message: 'delta must not be 0' }),
  reason: z.string().trim().min(1).max(200),
});

export const idempotencyKeyInput = z.string().min(8).max(200).regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only');

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
