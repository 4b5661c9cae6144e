import path from 'node:path';
import { PROJECT_ROOT } from '../../../project-root';
import { loadSpec, type SpecCheck, type SpecDifference } from '../../kit/spec';

/**
 * Stripe's own description of its API (trimmed to what Plugboard uses: see the file's `x-plugboard-trimmed`), compiled
 * by the spec kit: the sandbox checks every request it receives (form or query parameters, decoded with `qs` as Stripe
 * decodes them), every answer it sends and every webhook event it raises against it, so that the sandbox and the
 * adapter can never agree with each other and not with Stripe. What is Stripe's own here is the wording of a refusal.
 * Internal to the sandbox.
 */
export const STRIPE_SPEC_FILE = path.join(PROJECT_ROOT, 'src/systems/payments/stripe.trimmed.json');

/** One refusal, in the terms Stripe's own refusals use (the parameter and what is wrong with it). */
export interface SpecProblem {
  readonly message: string;
  /** The parameter at fault (`metadata[order_id]`), when one is. */
  readonly param?: string;
  /** Stripe's error code for it: parameter_unknown, parameter_missing, parameter_invalid_integer ... */
  readonly code: string;
}

export interface StripeSpec {
  /**
   * What is wrong with a request, empty when Stripe's description allows it. `path` is the request's path
   * (`/v1/payment_intents/pi_123`); `params` the decoded query (GET) or form body (POST).
   */
  checkRequest(method: string, path: string, params: Record<string, unknown>): SpecProblem[];
  /** What is wrong with an answer the sandbox is about to send; empty when it is what the description promises. */
  checkAnswer(method: string, path: string, status: number, body: unknown): string[];
  /** What is wrong with a webhook event the sandbox is about to send (the description's `event` schema). */
  checkEvent(event: unknown): string[];
  /**
   * Compiles every check now. Stripe's objects reach some 500 schemas, seconds of work: done at the sandbox's start,
   * it never lands on a first request (and its caller's timeout). Once per process.
   */
  warm(): void;
}

/** The description as the spec kit compiles it, for Stripe's own formats and its refusal of unknown parameters. */
export function loadStripeDescription(): SpecCheck {
  return loadSpec(STRIPE_SPEC_FILE, { vendor: 'Stripe', closedQuery: true, formats: { 'unix-time': true, decimal: true } });
}

let warmed = false;
/** The description's checks in Stripe's words. */
export function loadStripeSpec(): StripeSpec {
  const spec = loadStripeDescription();
  const messages = (differences: readonly SpecDifference[]): string[] => differences.map((difference) => difference.message);
  return {
    checkRequest(method, at, params) {
      const request = method === 'GET' ? { method, path: at, query: params } : { method, path: at, body: params, contentType: 'application/x-www-form-urlencoded' };
      return spec.checkRequest(request).map(problemOf);
    },
    checkAnswer: (method, at, status, body) => messages(spec.checkAnswer(method, at, status, body)),
    checkEvent: (event) => messages(spec.checkValue('/components/schemas/event', event, 'event')),
    warm() {
      if (warmed) return;
      spec.warm();
      spec.checkValue('/components/schemas/event', {});
      warmed = true;
    },
  };
}

/** A fastify route (`/v1/payment_intents/:intent`) as the description names it (`/v1/payment_intents/{intent}`). */
export function specRoute(fastifyRoute: string): string {
  return fastifyRoute.replace(/:(\w+)/g, '{$1}');
}

/** A difference in Stripe's words: `Received unknown parameter: x`, `Missing required param: x.`, `Invalid integer: x`. */
function problemOf(difference: SpecDifference): SpecProblem {
  if (difference.rule === 'operation') return { message: difference.message, code: 'resource_missing' };
  // Stripe names a nested parameter as its form does: metadata[order_id].
  const named = difference.path.length === 0 ? undefined : difference.path.slice(1).reduce((name, segment) => `${name}[${segment}]`, difference.path[0]!);
  const param = named ? { param: named } : {};
  switch (difference.rule) {
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return { message: `Received unknown parameter: ${named}`, ...param, code: 'parameter_unknown' };
    case 'required':
      return { message: `Missing required param: ${named}.`, ...param, code: 'parameter_missing' };
    case 'type': {
      const type = difference.expected;
      const code = /integer|number/.test(type) ? 'parameter_invalid_integer' : type === 'boolean' ? 'parameter_invalid_boolean' : type === 'array' ? 'parameter_invalid_array' : type === 'object' ? 'parameter_invalid_object' : 'parameter_invalid_string';
      return { message: `Invalid ${type}: ${named ?? 'the request'}`, ...param, code };
    }
    case 'enum':
      return { message: `Invalid ${named ?? 'value'}: must be one of ${(difference.allowed ?? []).join(', ')}`, ...param, code: 'parameter_invalid_string' };
    default:
      return { message: `Invalid ${named ?? 'request'}: ${difference.expected}`, ...param, code: 'parameter_invalid' };
  }
}
