/**
 * What a sandbox held to its vendor's description writes down when it meets a difference, so that a test can fail
 * on it: a request it refused, or (a sandbox defect) an answer or a webhook event it would have sent.
 */

/** The record collection a sandbox writes its differences to: `records.collection(SPEC_VIOLATIONS)`. */
export const SPEC_VIOLATIONS = 'spec-violations';

export interface SpecViolation {
  readonly side: 'request' | 'answer' | 'event';
  /** `POST /v1/payment_intents`, or an event's type. */
  readonly operation: string;
  /** Each difference's message, naming the field. */
  readonly problems: readonly string[];
}

/** Appends a violation to a sandbox's collection, numbered in the order met (1, 2, …). */
export function recordViolation(violations: Map<string, SpecViolation>, entry: SpecViolation): void {
  violations.set(String(violations.size + 1), entry);
}
