import { ERROR_CODES } from '../domain/error-codes';

/**
 * Why an inbound webhook was refused: a closed set of stable codes, each with the HTTP status the sender gets (both
 * from the list of error codes, src/domain/error-codes.ts).
 * A refused webhook changes nothing; every refusal is one `integration_logs` row (direction inbound) with the code.
 */
export const WEBHOOK_REFUSALS = {
  /** No signature header, one we cannot read, or a signature that does not match the body and our secret. */
  WEBHOOK_SIGNATURE_INVALID: ERROR_CODES.WEBHOOK_SIGNATURE_INVALID.status,
  /** The signature is good but its timestamp is older than the tolerance (PLUGBOARD_WEBHOOK_TOLERANCE_S). */
  WEBHOOK_TOO_OLD: ERROR_CODES.WEBHOOK_TOO_OLD.status,
  /** The signature is good but dated further in the future than the tolerance: a clock gone wrong, or a forged time. */
  WEBHOOK_FROM_THE_FUTURE: ERROR_CODES.WEBHOOK_FROM_THE_FUTURE.status,
  /** The exact delivery (same event, same signature) was accepted before: a captured request sent again. */
  WEBHOOK_REPLAYED: ERROR_CODES.WEBHOOK_REPLAYED.status,
  /** Signed, but not an event we can read (not JSON, or not the shape of an event). */
  WEBHOOK_MALFORMED: ERROR_CODES.WEBHOOK_MALFORMED.status,
  /** The body is larger than an event can be. */
  WEBHOOK_TOO_LARGE: ERROR_CODES.WEBHOOK_TOO_LARGE.status,
  /** Signed and readable, but we could not apply or remember it (our database or cache failed): send it again later. */
  WEBHOOK_NOT_APPLIED: ERROR_CODES.WEBHOOK_NOT_APPLIED.status,
} as const;

export type WebhookRefusalCode = keyof typeof WEBHOOK_REFUSALS;
export const WEBHOOK_REFUSAL_CODES = Object.keys(WEBHOOK_REFUSALS) as WebhookRefusalCode[];

/** A webhook we refuse: the code, the status it answers with and a reason a person can read (never a secret). */
export class WebhookRefusal extends Error {
  override readonly name = 'WebhookRefusal';
  readonly status: number;

  /** `options.status`: the status the vendor asks for this refusal instead of the code's own (a 401 where it asks for one). */
  constructor(
    readonly code: WebhookRefusalCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status ?? WEBHOOK_REFUSALS[code];
  }
}
