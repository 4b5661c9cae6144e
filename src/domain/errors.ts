/**
 * The closed set of things that can go wrong when we talk to a system. Adapters translate every vendor error
 * (HTTP status, JSON-RPC envelope, XML fault, SDK exception) into one of these at the boundary; nothing above an
 * adapter sees a status code or a vendor body.
 */
export const INTEGRATION_ERROR_CODES = [
  /** The system could not be reached, reset the connection or answered 5xx. */
  'UPSTREAM_UNAVAILABLE',
  /** The system did not answer within its timeout. */
  'UPSTREAM_TIMEOUT',
  /** The system asked us to slow down (429 or its equivalent). */
  'UPSTREAM_RATE_LIMITED',
  /** The system answered with something that is not what its contract says (wrong shape, malformed). */
  'UPSTREAM_BAD_RESPONSE',
  /** The system refused our credentials. */
  'UPSTREAM_AUTH_FAILED',
  /** The system understood the request and refused it (validation, business rule, unknown record). */
  'UPSTREAM_REJECTED',
  /** The breaker for this system and operation is open: the call was not attempted. */
  'CIRCUIT_OPEN',
  /** Our own bulkhead for this system was full: the call was not attempted (our saturation, not the system failing). */
  'SYSTEM_BUSY',
  /** We built a request larger than the system accepts (e.g. a URL past its limit, HTTP 414/431): our defect, not its refusal. */
  'REQUEST_TOO_LARGE_FOR_SYSTEM',
] as const;
export type IntegrationErrorCode = (typeof INTEGRATION_ERROR_CODES)[number];

export interface IntegrationErrorOptions {
  /** The system name from the integration map, e.g. "crm". */
  readonly system: string;
  /** The adapter operation, e.g. "findBySkus". */
  readonly operation?: string;
  /** Milliseconds the system asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs?: number;
  /** A reason a person can read; never a vendor's raw body or a credential. */
  readonly reason?: string;
  /** What the system sent, when it is the problem (a bad payload): the integration log keeps it, redacted. */
  readonly payload?: unknown;
  readonly cause?: unknown;
}

export class IntegrationError extends Error {
  override readonly name = 'IntegrationError';
  readonly system: string;
  readonly operation: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly reason: string | undefined;
  readonly payload: unknown;

  constructor(
    readonly code: IntegrationErrorCode,
    message: string,
    options: IntegrationErrorOptions,
  ) {
    super(message, { cause: options.cause });
    this.system = options.system;
    this.operation = options.operation;
    this.retryAfterMs = options.retryAfterMs;
    this.reason = options.reason;
    this.payload = options.payload;
  }

  /** Failures that say nothing about the system's health (it answered, and said no) must not trip a breaker. */
  get countsAgainstHealth(): boolean {
    return this.code !== 'UPSTREAM_REJECTED' && this.code !== 'CIRCUIT_OPEN' && this.code !== 'SYSTEM_BUSY' && this.code !== 'REQUEST_TOO_LARGE_FOR_SYSTEM';
  }
}

export function isIntegrationError(error: unknown): error is IntegrationError {
  return error instanceof IntegrationError;
}
