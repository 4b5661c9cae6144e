import { createHash } from 'node:crypto';

/**
 * What an idempotency key remembers of the request it was first sent with, as payment gateways' idempotency keys do: a SHA-256 over the
 * operation, the caller's subject and the input in a canonical form (object keys sorted, absent fields left out), so
 * that the same request sent again matches, whatever order its fields came in, and any other request does not.
 */
export function fingerprintOf(operation: string, subject: string, input: unknown): string {
  return createHash('sha256').update(JSON.stringify([operation, subject, canonical(input)]), 'utf8').digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}
