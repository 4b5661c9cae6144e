import { randomUUID } from 'node:crypto';
import type { FailureBody } from '../../kit/sandbox';

/** Internal to the CRM sandbox: answers and HubSpot's error bodies. */

/** A status and a JSON body, decided before anything is sent (so that an idempotent write can store it). */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** HubSpot's standard error body: `{status: 'error', message, correlationId, category, ...}`. */
export function hubSpotError(
  status: number,
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): Answer {
  return { status, body: { status: 'error', message, correlationId: randomUUID(), category, ...extra } };
}

/** The sandbox kit's 429 and 503, in HubSpot's words. */
export function crmFailureBody(status: number, message: string): FailureBody {
  const body =
    status === 429 ?
      {
        status: 'error',
        message: 'You have reached your secondly limit.',
        errorType: 'RATE_LIMIT',
        correlationId: randomUUID(),
        policyName: 'SECONDLY',
        groupName: 'publicapi:oauth:plugboard-sandbox:secondly',
        category: 'RATE_LIMITS',
      }
    : { status: 'error', message, correlationId: randomUUID() };
  return { contentType: 'application/json;charset=utf-8', body: JSON.stringify(body) };
}
