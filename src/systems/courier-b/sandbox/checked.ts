import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RecordStore } from '../../kit/sandbox';
import { loadShipEngineSpec } from './spec';

/** Internal to courier B's sandbox: holding it to ShipEngine's description, and ShipEngine's error body. */

/** Where the sandbox writes each difference from ShipEngine's description it saw: `records.collection(...)`. */
export const SPEC_VIOLATIONS = 'spec-violations';

/** What the sandbox saw outside ShipEngine's description: a request refused, or (a sandbox defect) an answer it would send. */
export interface SpecViolation {
  readonly side: 'request' | 'answer';
  readonly operation: string;
  readonly problems: readonly string[];
}

/**
 * Every request (after its API key) and every answer checked against ShipEngine's description, whole (the sandbox
 * adds nothing to ShipEngine's objects): a request outside it is refused with ShipEngine's 400, an answer outside it
 * (a sandbox defect) becomes a 500; both are written down.
 */
export function checkedAgainstDescription(api: FastifyInstance, records: RecordStore): void {
  const spec = loadShipEngineSpec();
  // Compiled at the sandbox's start, not in the first request of each operation (a first placeOrder reads and books
  // through five of them).
  spec.warm();
  const violations = records.collection<SpecViolation>(SPEC_VIOLATIONS);
  const violation = (entry: SpecViolation): void => {
    violations.set(String(violations.size + 1), entry);
  };
  const pathOf = (request: FastifyRequest): string => request.url.split('?')[0] ?? request.url;
  api.addHook('preHandler', async (request, reply) => {
    const path = pathOf(request);
    const problems = spec
      .checkRequest({ method: request.method, path, query: request.query as Record<string, unknown>, body: request.body })
      .map((difference) => difference.message);
    if (problems.length === 0) return undefined;
    violation({ side: 'request', operation: `${request.method} ${path}`, problems });
    return reply.code(400).send(errorBody('invalid_field_value', 'validation', problems.join('; ')));
  });
  api.addHook('preSerialization', async (request, reply, payload: unknown) => {
    const path = pathOf(request);
    const problems = spec.checkAnswer(request.method, path, reply.statusCode, payload).map((difference) => difference.message);
    if (problems.length === 0) return payload;
    violation({ side: 'answer', operation: `${request.method} ${path}`, problems });
    reply.code(500);
    return { sandboxDefect: `the ShipEngine sandbox's answer is outside ShipEngine's description: ${problems.join('; ')}` };
  });
}

/** ShipEngine's error body. */
export function errorBody(code: string, type: string, message: string) {
  return {
    request_id: randomUUID(),
    errors: [{ error_source: 'shipengine', error_type: type, error_code: code, message }],
  };
}
