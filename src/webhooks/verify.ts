import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { WebhookRefusal } from './errors';

/** The pieces of a vendor's signature check that several vendors share; each system's webhook says which it uses. */

/** A header's one value ('' when absent or sent twice). */
export function headerOf(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : '';
}

/** Base64 of the HMAC-SHA256 of `data` with `secret`. */
export function hmacBase64(secret: string, data: string | Buffer): string {
  return createHmac('sha256', secret).update(data).digest('base64');
}

/** Whether a base64 signature is the one expected, compared in constant time. */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Refuses a signing time further than `toleranceSeconds` from our clock, either way (an old capture sent again, or a
 * clock gone wrong): WEBHOOK_TOO_OLD or WEBHOOK_FROM_THE_FUTURE. Checked only once the signature holds.
 */
export function checkSignedAt(signedAtMs: number, receivedAt: Date, toleranceSeconds: number): void {
  if (!Number.isFinite(signedAtMs)) throw new WebhookRefusal('WEBHOOK_SIGNATURE_INVALID', 'the signing time is not a time');
  const skew = Math.round((receivedAt.getTime() - signedAtMs) / 1000);
  if (skew > toleranceSeconds) throw new WebhookRefusal('WEBHOOK_TOO_OLD', `signed ${skew} s ago; signatures older than ${toleranceSeconds} s are refused`);
  if (-skew > toleranceSeconds) throw new WebhookRefusal('WEBHOOK_FROM_THE_FUTURE', `signed ${-skew} s ahead of our clock; more than ${toleranceSeconds} s ahead is refused`);
}

/** The delivery's body as JSON, or WEBHOOK_MALFORMED (the signature held: it is the sender's bytes, just unreadable). */
export function jsonOf(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (error) {
    throw new WebhookRefusal('WEBHOOK_MALFORMED', 'the signature holds but the body is not JSON', { cause: error });
  }
}

/** Reads a verified body with a zod-like schema, or WEBHOOK_MALFORMED naming the first field that does not fit. */
export function shapeOf<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.map(String).join('.') : '(the whole body)';
  throw new WebhookRefusal('WEBHOOK_MALFORMED', `signed, but not an event we can read: field ${where}: ${issue?.message ?? 'invalid'}`);
}
