import { ERROR_CODES, type ErrorCode } from '../../domain/error-codes';

/**
 * A request the front door refuses before anything runs: a stable code from the list of error codes, a message a
 * developer can act on, the HTTP status (the list's for the code), and the limit that was crossed when there is one.
 * Answered as a GraphQL error response.
 */
export class FrontDoorRejection extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, number | string>> = {},
    readonly status: number = ERROR_CODES[code].status,
  ) {
    super(message);
    this.name = 'FrontDoorRejection';
  }

  /** The body of the answer: the GraphQL-over-HTTP shape of a request error. */
  toBody(requestId: string | undefined): { errors: { message: string; extensions: Record<string, unknown> }[] } {
    return { errors: [{ message: this.message, extensions: { code: this.code, ...this.details, ...(requestId ? { requestId } : {}) } }] };
  }
}
