import { ERROR_CODE_NAMES, ERROR_CODES, type IntegrationErrorCode } from './error-codes';
import type { BatchAnswer } from './ports';

/**
 * The closed set of things that can go wrong when we talk to a system. Adapters translate every vendor error
 * (HTTP status, JSON-RPC envelope, XML fault, SDK exception) into one of these at the boundary; nothing above an
 * adapter sees a status code or a vendor body. Each code's meaning, status and wording are in ./error-codes.ts
 * (the entries with `system`).
 */
export const INTEGRATION_ERROR_CODES = ERROR_CODE_NAMES.filter(
  (code): code is IntegrationErrorCode => 'system' in ERROR_CODES[code],
) as readonly IntegrationErrorCode[];

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
  /**
   * What a failed batch read could still answer from the cache (its keys; the others failed), set by the resilience
   * layer: a caller may serve it and fail only the keys the system owed. @default undefined: nothing cached
   */
  cachedPart: BatchAnswer<unknown> | undefined;

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
    this.cachedPart = undefined;
  }

  /** The same error, carrying what the cache could still answer (see {@link cachedPart}). */
  withCachedPart(found: BatchAnswer<unknown>): this {
    this.cachedPart = found;
    return this;
  }

  /** Failures that say nothing about the system's health (it answered, and said no) must not trip a breaker. */
  get countsAgainstHealth(): boolean {
    return this.code !== 'UPSTREAM_REJECTED' && this.code !== 'CIRCUIT_OPEN' && this.code !== 'SYSTEM_BUSY' && this.code !== 'REQUEST_TOO_LARGE_FOR_SYSTEM';
  }
}

export function isIntegrationError(error: unknown): error is IntegrationError {
  return error instanceof IntegrationError;
}
