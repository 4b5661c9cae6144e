import { randomUUID } from 'node:crypto';
import { requestScoped } from '../resilience/request-scope';

/** The header a request id travels in: from the client (or made by the gateway), to every subgraph, back in the answer. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What a client may send as its request id: 1 to 128 characters of letters, digits and `._:-` (a UUID, a trace id,
 * a load balancer's id). Anything else (too long, spaces, control characters that could forge log lines) is replaced.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id a header value gives, when it is sane; undefined otherwise (the caller makes one). */
export function saneRequestId(value: unknown): string | undefined {
  const given = Array.isArray(value) ? value[0] : value;
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : undefined;
}

/** The header's id when it is sane, else a new one. */
export function requestIdFrom(value: unknown): string {
  return saneRequestId(value) ?? randomUUID();
}

// In the one async context the request-scoped values share (see requestScoped).
const scope = requestScoped<string>('request id');

/** The id of the request being served, when the code runs inside {@link runWithRequestId}. */
export function currentRequestId(): string | undefined {
  return scope.get();
}

/**
 * Runs `work` as part of a request: everything it starts (resolvers, DataLoader batches, system calls, their log lines
 * and integration log rows) finds the id with {@link currentRequestId}, without anyone threading it through.
 */
export function runWithRequestId<T>(requestId: string, work: () => T): T {
  return scope.run(requestId, work);
}
