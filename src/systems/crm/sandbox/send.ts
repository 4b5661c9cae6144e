import type { FastifyReply } from 'fastify';
import type { SandboxContext } from '../../kit/sandbox';
import type { Answer } from './answers';
import { CRM_REFERENCE, problemsOf } from './reference';

/** Internal to the CRM sandbox: every answer leaves through here, held against HubSpot's reference first. */

/** Where the sandbox writes each difference from HubSpot's reference it saw: `records.collection(...)`. */
export const SPEC_VIOLATIONS = 'spec-violations';

/** A request outside HubSpot's reference (recorded; answered as HubSpot would), or an answer outside it (a defect). */
export interface SpecViolation {
  readonly side: 'request' | 'answer';
  readonly operation: string;
  readonly problems: readonly string[];
}

/** Sends an answer, once the request and the answer were held against HubSpot's reference. */
export function createAnswerSender(context: SandboxContext): (reply: FastifyReply, answer: Answer) => FastifyReply {
  const violations = context.records.collection<SpecViolation>(SPEC_VIOLATIONS);
  const violation = (entry: SpecViolation): void => {
    violations.set(String(violations.size + 1), entry);
  };
  return (reply, answer) => {
    const operation = String(reply.request.routeOptions.config.operation ?? '');
    const reference = CRM_REFERENCE[operation];
    if (reference) {
      const raw = reply.request.body;
      const asked = typeof raw === 'string' ? Object.fromEntries(new URLSearchParams(raw)) : raw;
      const refused = problemsOf(reference.request, asked);
      if (refused.length > 0) violation({ side: 'request', operation, problems: refused });
      const wrong = problemsOf(answer.status < 300 ? reference.ok : reference.error, answer.body);
      if (wrong.length > 0) {
        violation({ side: 'answer', operation, problems: wrong });
        const sandboxDefect = `the CRM sandbox's answer is outside HubSpot's reference: ${wrong.join('; ')}`;
        return reply.code(500).header('content-type', 'application/json;charset=utf-8').send(JSON.stringify({ sandboxDefect }));
      }
    }
    return reply.code(answer.status).header('content-type', 'application/json;charset=utf-8').send(JSON.stringify(answer.body));
  };
}
