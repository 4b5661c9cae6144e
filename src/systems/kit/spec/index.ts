/**
 * The spec kit: a vendor's published OpenAPI 3.0 description as the oracle of what passes between us and the vendor.
 * Neither an adapter nor a sandbox: both may import it (test/unit/architecture.test.ts).
 *
 * ```ts
 * const gateway = loadSpec(file, { vendor: 'the payment gateway', closedQuery: true, formats: { 'unix-time': true } });
 * gateway.checkRequest({ method: 'POST', path: '/v1/payment_intents', body: { amount: 'ten' }, contentType: 'application/x-www-form-urlencoded' });
 * // -> [{ part: 'body', path: ['amount'], rule: 'type', expected: 'integer', seen: '"ten"', message: 'request body/amount must be integer' }]
 * gateway.checkAnswer('GET', '/v1/payment_intents/pi_1', 200, body); // [] when the answer is what the description promises
 * gateway.strict().assertAnswer('GET', '/v1/payment_intents/pi_1', 200, body); // throws SpecDifferenceError otherwise
 * ```
 *
 * - A sandbox checks every request it receives (refusing it in the vendor's words) and every answer it sends (a
 *   difference there is a sandbox defect).
 * - An adapter may check what a live system answers, to notice the vendor's contract drifting (issue 20).
 * - Tests use `strict()`, which throws a {@link SpecDifferenceError} naming each field.
 *
 * A description is compiled once (`loadSpec` keeps one per file per process); each operation's validators compile on
 * first use and are kept, so a check is one ajv call. What the translation from OpenAPI 3.0 to JSON Schema keeps and
 * rewrites is written in ./translate.ts.
 */
export { compileSpec, loadSpec } from './check';
export type { SpecCheck, SpecCheckOptions, SpecRequest, StrictSpecCheck } from './check';
export { describeDifference, SpecDifferenceError } from './differences';
export type { SpecDifference, SpecPart } from './differences';
export { recordViolation, SPEC_VIOLATIONS } from './violations';
export type { SpecViolation } from './violations';
