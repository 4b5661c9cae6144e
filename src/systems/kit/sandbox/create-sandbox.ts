import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { decideFault, faultSettingSchema, garble, NO_FAULT, type FaultSetting } from './faults';
import { RecordStore, RequestStats } from './records';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The vendor operation a route serves, for `/_sandbox/stats`; a function when the body names it (JSON-RPC). */
    operation?: string | ((request: FastifyRequest) => string);
  }
}

/** How a system says "slow down" or "I am broken", in its own words. */
export interface FailureBody {
  readonly contentType: string;
  readonly body: string;
}

/** A rate limit a test sets on a sandbox (`POST /_sandbox/rate-limit`): the vendor changing its limit, live. */
export interface SandboxRateLimit {
  /** Calls allowed per window. */
  readonly requests: number;
  /** The window, in seconds. */
  readonly perSeconds: number;
}

export const sandboxRateLimitSchema = z.strictObject({ requests: z.number().int().min(1).max(1_000_000), perSeconds: z.number().positive().max(86_400) });

/**
 * A change to the vendor's answers a test sets on a sandbox (`POST /_sandbox/answer-change`): the vendor changing its
 * contract without notice. Applied to every JSON answer after the sandbox made it (and held it against the vendor's
 * description), everywhere the key appears.
 */
export const answerChangeSchema = z.strictObject({
  /** A field renamed: `{ from: 'carrier_code', to: 'carrier' }`. */
  rename: z.strictObject({ from: z.string().min(1), to: z.string().min(1) }).optional(),
  /** A field's value replaced: a new enum value (`{ field: 'status', value: 'held_at_customs' }`), a string where a number was. */
  set: z.strictObject({ field: z.string().min(1), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).optional(),
});
export type AnswerChange = z.infer<typeof answerChangeSchema>;

/** The answer with the change made, wherever its keys appear; an answer that is not JSON is left alone. */
export function changedAnswer(payload: string, change: AnswerChange): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return payload;
  }
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]): [string, unknown] => {
      if (change.set && key === change.set.field) return [key, change.set.value];
      return [change.rename && key === change.rename.from ? change.rename.to : key, walk(item)];
    });
    return Object.fromEntries(entries);
  };
  return JSON.stringify(walk(parsed));
}

export interface SandboxContext {
  readonly name: string;
  readonly records: RecordStore;
  readonly stats: RequestStats;
  /**
   * The rate limit set through the sandbox's control, if one is: a sandbox that imitates its vendor's limit enforces
   * and announces this one (in its vendor's headers and 429s) instead of its own default, from its next request on.
   */
  rateLimit(): SandboxRateLimit | undefined;
}

export interface SandboxDefinition {
  /** The system's name in the integration map, e.g. "crm". */
  readonly name: string;
  /** Registers the vendor's routes, backed by `context.records`. */
  readonly routes: (app: FastifyInstance, context: SandboxContext) => void | Promise<void>;
  /** The system's own error body for a status and message (a 429, a 503). */
  readonly failureBody?: (status: number, message: string) => FailureBody;
  /** TLS options: the sandbox then serves HTTPS (mutual TLS when it asks for client certificates). */
  readonly https?: HttpsServerOptions;
  /** Parsers for bodies the vendor speaks beyond JSON (form-encoded, XML). */
  readonly contentTypes?: readonly string[];
}

export interface RunningSandbox extends AsyncDisposable {
  readonly name: string;
  readonly url: string;
  readonly records: RecordStore;
  readonly stats: RequestStats;
  setFault(setting: FaultSetting): void;
  /** Sets the rate limit the sandbox announces and enforces (undefined: its own default again). */
  setRateLimit(limit: SandboxRateLimit | undefined): void;
  close(): Promise<void>;
}

const jsonFailure = (status: number, message: string): FailureBody => ({
  contentType: 'application/json',
  body: JSON.stringify({ status, message }),
});

/**
 * Starts a sandbox: the vendor routes a definition gives, plus the window every sandbox has
 * (`/_sandbox/faults`, `/_sandbox/records/<collection>/<id>`, `/_sandbox/stats`) and the fault switch in front of
 * every vendor route.
 */
export async function startSandbox(
  definition: SandboxDefinition,
  options: { port?: number; host?: string; records?: RecordStore } = {},
): Promise<RunningSandbox> {
  const records = options.records ?? new RecordStore();
  const stats = new RequestStats();
  const failureBody = definition.failureBody ?? jsonFailure;
  let fault: FaultSetting = NO_FAULT;
  let rateLimit: SandboxRateLimit | undefined;
  let answerChange: AnswerChange | undefined;
  let garbled = 0;
  const garbling = new WeakMap<FastifyRequest, Extract<ReturnType<typeof decideFault>, { kind: 'garble' }>>();

  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    bodyLimit: 5 * 1024 * 1024,
    ...(definition.https ? { https: definition.https } : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  for (const type of definition.contentTypes ?? []) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  }

  const sendFailure = (reply: FastifyReply, status: number, message: string): FastifyReply => {
    const failure = failureBody(status, message);
    return reply.code(status).header('content-type', failure.contentType).send(failure.body);
  };

  // What each request was (its operation) and how long a fault held it back, for the timed record of its answer.
  const timing = new WeakMap<FastifyRequest, { operation: string; heldMs: number }>();
  app.addHook('preHandler', async (request, reply) => {
    if (request.url.startsWith('/_sandbox/')) return;
    const named = request.routeOptions.config.operation;
    const operation = typeof named === 'function' ? named(request) : (named ?? request.routeOptions.url ?? request.url);
    stats.received(operation);
    const timed = { operation, heldMs: 0 };
    timing.set(request, timed);
    const decision = decideFault(fault);
    if (decision.kind !== 'pass') stats.faultInjected();
    switch (decision.kind) {
      case 'pass':
        return;
      case 'reset':
        request.raw.socket.destroy();
        return reply.hijack();
      case 'delay': {
        // The wait ends early when the client hangs up; the listener goes with the wait, since a keep-alive socket
        // carries many requests.
        const gone = new AbortController();
        const hangUp = () => gone.abort();
        const socket = request.raw.socket;
        socket.once('close', hangUp);
        const heldFrom = performance.now();
        await sleep(decision.ms, undefined, { signal: gone.signal }).catch(() => undefined);
        timed.heldMs = performance.now() - heldFrom;
        socket.off('close', hangUp);
        return;
      }
      case 'garble':
        garbling.set(request, decision);
        return;
      case 'rate-limit':
        reply.header('retry-after', String(decision.retryAfterSeconds));
        return sendFailure(reply, 429, 'Too many requests: slow down and retry after the time given');
      case 'unavailable':
        return sendFailure(reply, 503, 'Service temporarily unavailable');
      default: {
        const unreachable: never = decision;
        throw new Error(`unhandled fault ${JSON.stringify(unreachable)}`);
      }
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const timed = timing.get(request);
    if (!timed) return;
    const answeredAt = performance.timeOrigin + performance.now();
    stats.answer({ operation: timed.operation, receivedAt: answeredAt - reply.elapsedTime, answeredAt, heldMs: timed.heldMs });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const decision = garbling.get(request);
    if (answerChange && !decision && typeof payload === 'string' && !request.url.startsWith('/_sandbox/')) return changedAnswer(payload, answerChange);
    if (!decision || typeof payload !== 'string') return payload;
    garbled += 1;
    return garble(payload, String(reply.getHeader('content-type') ?? ''), garbled, decision.variant, decision.sizeBytes);
  });

  app.post('/_sandbox/faults', async (request, reply) => {
    const parsed = faultSettingSchema.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({ error: 'invalid fault setting', issues: parsed.error.issues });
    }
    fault = parsed.data;
    return fault;
  });
  app.get('/_sandbox/faults', async () => fault);
  // The vendor moving its rate limit (issue 20: "a sandbox that halves its rate limit"); DELETE gives back the default.
  app.post('/_sandbox/rate-limit', async (request, reply) => {
    const parsed = sandboxRateLimitSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid rate limit: { requests, perSeconds }', issues: parsed.error.issues });
    rateLimit = parsed.data;
    return rateLimit;
  });
  app.get('/_sandbox/rate-limit', async () => rateLimit ?? { default: true });
  // The vendor changing its answers (issue 20: "a renamed field, a new enum value, a string where a number was").
  app.post('/_sandbox/answer-change', async (request, reply) => {
    const parsed = answerChangeSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid answer change: { rename: { from, to } } or { set: { field, value } }', issues: parsed.error.issues });
    answerChange = parsed.data;
    return answerChange;
  });
  app.delete('/_sandbox/answer-change', async () => {
    answerChange = undefined;
    return {};
  });
  app.delete('/_sandbox/rate-limit', async () => {
    rateLimit = undefined;
    return { default: true };
  });
  app.get('/_sandbox/stats', async () => stats.snapshot());
  app.delete('/_sandbox/stats', async () => {
    stats.reset();
    return stats.snapshot();
  });
  app.get('/_sandbox/records', async () => ({ collections: records.names() }));
  app.get<{ Params: { collection: string; id: string } }>(
    '/_sandbox/records/:collection/:id',
    async (request, reply) => {
      const record = records.get(request.params.collection, request.params.id);
      if (record === undefined) {
        return reply.code(404).send({ error: `no ${request.params.collection} record ${request.params.id}` });
      }
      return record;
    },
  );

  await definition.routes(app, { name: definition.name, records, stats, rateLimit: () => rateLimit });
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `${definition.https ? 'https' : 'http'}://127.0.0.1:${port}`;

  const close = async (): Promise<void> => {
    await app.close();
  };
  return {
    name: definition.name,
    url,
    records,
    stats,
    setFault(setting) {
      fault = faultSettingSchema.parse(setting);
    },
    setRateLimit(limit) {
      rateLimit = limit === undefined ? undefined : sandboxRateLimitSchema.parse(limit);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
