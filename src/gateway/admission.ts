import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { ERROR_CODES, type ErrorCode } from '../domain/error-codes';

/** How much work the gateway takes on at once, and how long a request may take. */
export interface AdmissionSettings {
  /** Off: every request is let in at once, however many there are (the bench compares both). @default true */
  readonly enabled: boolean;
  /** GraphQL requests served at once; the next ones wait in a short queue. @default 64 */
  readonly maxConcurrent: number;
  /** GraphQL requests that may wait for a place; past it, 503 OVERLOADED with Retry-After at once. @default 64 */
  readonly maxQueue: number;
  /** Longest a request waits in the queue before it is answered 503 OVERLOADED. @default 1000 */
  readonly maxQueueWaitMs: number;
  /**
   * Longest a GraphQL request may take, from its arrival; past it the client gets 503 DEADLINE_EXCEEDED, never a
   * hang. @default 9000 (the default system timeout + 1 s)
   */
  readonly deadlineMs: number;
  /** Longest the gateway waits for a whole request, headers and body (Node's requestTimeout): a slow body is dropped. @default 10000 */
  readonly bodyTimeoutMs: number;
  /** Longest the gateway waits for a request's headers (Node's headersTimeout). @default 5000 */
  readonly headersTimeoutMs: number;
}

export const DEFAULT_ADMISSION: AdmissionSettings = {
  enabled: true,
  maxConcurrent: 64,
  maxQueue: 64,
  maxQueueWaitMs: 1_000,
  deadlineMs: 9_000,
  bodyTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
};

/** The HTTP server options that bound slow clients: passed to Fastify as they are. */
export function serverTimeouts(settings: AdmissionSettings): { requestTimeout: number; http: { headersTimeout: number; connectionsCheckingInterval: number } } {
  return {
    requestTimeout: settings.bodyTimeoutMs,
    // Node checks these timeouts every connectionsCheckingInterval (30 s by default): a check every second keeps
    // a slow client's hold close to the setting.
    http: { headersTimeout: Math.min(settings.headersTimeoutMs, settings.bodyTimeoutMs), connectionsCheckingInterval: 1_000 },
  };
}

/** A place in the gate: give it back once the request is answered (or its client gone). */
type Leave = () => void;

export interface AdmissionGate {
  /** A place at once, a place after a short wait, or 'shed' when the queue is full or the wait ran out. */
  enter(): Promise<Leave | 'shed'>;
  readonly active: number;
  readonly queued: number;
}

/** The concurrency limit with its FIFO queue, apart from HTTP (unit-testable with a fake clock). */
export function createAdmissionGate(settings: Pick<AdmissionSettings, 'maxConcurrent' | 'maxQueue' | 'maxQueueWaitMs'>): AdmissionGate {
  let active = 0;
  const queue: Array<(leave: Leave) => void> = [];
  const leaver = (): Leave => {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = queue.shift();
      if (next) next(leaver());
      else active -= 1;
    };
  };
  return {
    get active() {
      return active;
    },
    get queued() {
      return queue.length;
    },
    enter() {
      if (active < settings.maxConcurrent) {
        active += 1;
        return Promise.resolve(leaver());
      }
      if (queue.length >= settings.maxQueue) return Promise.resolve('shed');
      return new Promise((resolve) => {
        const admit = (leave: Leave) => {
          clearTimeout(timer);
          resolve(leave);
        };
        const timer = setTimeout(() => {
          queue.splice(queue.indexOf(admit), 1);
          resolve('shed');
        }, settings.maxQueueWaitMs);
        queue.push(admit);
      });
    },
  };
}

/** How long a shed client should wait before trying again, in whole seconds. */
const RETRY_AFTER_SECONDS = 1;

function refuse(request: FastifyRequest, reply: FastifyReply, code: Extract<ErrorCode, 'OVERLOADED' | 'DEADLINE_EXCEEDED'>, message: string): FastifyReply {
  return reply
    .code(ERROR_CODES[code].status)
    .header('retry-after', String(RETRY_AFTER_SECONDS))
    .type('application/json; charset=utf-8')
    .send({ errors: [{ message, extensions: { code, requestId: request.id } }] });
}

/**
 * Admission control for the GraphQL route (health, metrics and admin are never shed): at most maxConcurrent requests
 * at once, a short queue, 503 OVERLOADED with Retry-After past it, and a deadline per request. Returns the route's
 * onRequest hook, which runs before the body is read, so a shed request costs almost nothing.
 */
export function useAdmission(settings: AdmissionSettings, onShed?: (code: 'OVERLOADED' | 'DEADLINE_EXCEEDED') => void) {
  const gate = createAdmissionGate(settings);
  const onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const arrived = Date.now();
    if (settings.enabled) {
      let gone = false;
      const onGone = () => (gone = true);
      reply.raw.once('close', onGone);
      const place = await gate.enter();
      reply.raw.off('close', onGone);
      if (place === 'shed') {
        onShed?.('OVERLOADED');
        await refuse(request, reply, 'OVERLOADED', 'the gateway is at capacity: try again after the Retry-After delay');
        return;
      }
      // A client that left while it waited gives its place back at once, and its request is not run.
      if (gone) {
        place();
        await refuse(request, reply, 'OVERLOADED', 'the client left while it waited');
        return;
      }
      reply.raw.once('close', place);
    }
    const timer = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return;
      onShed?.('DEADLINE_EXCEEDED');
      void refuse(request, reply, 'DEADLINE_EXCEEDED', `no complete answer within ${settings.deadlineMs} ms: try again after the Retry-After delay`);
    }, Math.max(0, settings.deadlineMs - (Date.now() - arrived)));
    reply.raw.once('close', () => clearTimeout(timer));
  };
  return { onRequest, gate };
}

/** The admission settings from the configuration. */
export function admissionFrom(config: Config): AdmissionSettings {
  return {
    enabled: config.PLUGBOARD_ADMISSION === 'on',
    maxConcurrent: config.PLUGBOARD_MAX_REQUESTS,
    maxQueue: config.PLUGBOARD_REQUEST_QUEUE,
    maxQueueWaitMs: config.PLUGBOARD_REQUEST_QUEUE_WAIT_MS,
    deadlineMs: config.PLUGBOARD_REQUEST_DEADLINE_MS ?? config.PLUGBOARD_TIMEOUT_MS + 1_000,
    bodyTimeoutMs: config.PLUGBOARD_BODY_TIMEOUT_MS,
    headersTimeoutMs: config.PLUGBOARD_HEADERS_TIMEOUT_MS,
  };
}
