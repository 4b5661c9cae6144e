import { createHash } from 'node:crypto';
import { lineageAsked } from '../lineage';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { currentRequestId } from '../../logging';
import type { GatewayContext } from '../create-gateway';
import { createAnswerStore, keptJsonOf, type AnswerStoreOptions, type Flight } from './answer-store';

export type ResponseCacheOptions = AnswerStoreOptions;

/** Requests followed at once at most; past it, a request is served without being kept. */
const MAX_FLIGHTS = 10_000;

/** How long a kept answer can still be taken back by a call its request starts late. */
const SETTLING_MS = 2_000;

/**
 * How long an identical request waits for the answer of the one already running, at most (a little over the systems'
 * default timeout, 8 s): past it, it runs on its own.
 */
const FOLLOW_MS = 10_000;

/** What a running request answered, for the identical requests that waited for it. */
interface SharedAnswer {
  /** The answer as it was sent, errors and extensions included. */
  readonly result: { readonly data?: unknown; readonly errors?: readonly unknown[]; readonly extensions?: Record<string, unknown> };
  /**
   * The key it was kept under, when it was (a hit for later requests too): a follower is served the kept data (frozen,
   * its JSON made) from the store, made only when a follower asks for it.
   */
  readonly keptAs?: string;
  /** Its HTTP status, when not 200 (an error's `http.status`). */
  readonly status?: number;
}

/** A request running that may be kept: identical requests that arrive meanwhile wait for its answer. */
interface Leader {
  /** Its answer; undefined when it had none to share (not one answer, or it never ended within FOLLOW_MS). */
  readonly answer: Promise<SharedAnswer | undefined>;
  settle(answer: SharedAnswer | undefined): void;
}

/** A system call as the response cache hears of it (the resilience layer's call record has these fields). */
export interface ObservedCall {
  readonly system: string;
  readonly outcome: 'ok' | 'cached' | 'error';
  /** A write changes what the system's answers say. @default 'read' */
  readonly kind?: 'read' | 'write';
}

export interface ResponseCache {
  /** Give it to the gateway's `apolloPlugins`. */
  readonly apolloPlugin: ApolloServerPlugin<GatewayContext>;
  /**
   * Told about every system call, in the call's async context (the resilience layer's `onCall`): a read is counted
   * against the request it was made for (its request id), a write ends the answers that read its system.
   */
  noteCall(call: ObservedCall): void;
  /**
   * Told as each system call starts, in its async context (the resilience layer's `onCallStart`): an answer sent while
   * a call made for it still runs (a follower's copy read for a drift check) is not kept, so that the check is made
   * again on the next read.
   */
  noteCallStart(kind: 'read' | 'write'): void;
  /** A system's cached reads were invalidated (our own write, a follower's sync, a webhook): answers that read it end. */
  systemChanged(system: string): void;
  /** Answers kept, and their bytes as counted against the budget. */
  size(): { readonly answers: number; readonly bytes: number };
}

/**
 * A response cache for whole query answers at the gateway, so that a page asked again within its systems' cache
 * lifetimes is a lookup, not a re-execution of the query plan over the subgraphs.
 *
 * Keyed by the checked document (its SHA-256), the operation name, the variables and the caller's Authorization
 * header (an answer may depend on who asks). An answer lives no longer than the shortest read-cache lifetime of the
 * systems it read (counted from the calls the request made, through its request id), and ends early when one of them
 * changes: a write to it, its reads invalidated (our writes, follower syncs, webhooks), or any mutation. Never kept:
 * mutations, answers with errors (SYSTEM_* ones included) or with stale copies in them (`extensions.stale`), answers
 * of a request whose id was already in flight (its calls could not be told apart). `Cache-Control: no-cache` on the
 * request skips the lookup (the fresh answer is kept); `no-store` skips the cache altogether. An identical request
 * that arrives while one runs waits for that one's answer and is served it, as if both had run at once (an answer
 * with errors or stale copies too: shared, never kept).
 *
 * It sees the system calls only where the subgraphs run in the gateway's process (the embedded mode of `npm start`),
 * and only its own process's changes: composed elsewhere, leave it out.
 */
export function useResponseCache(options: ResponseCacheOptions): ResponseCache {
  const store = createAnswerStore(options);
  // Requests that may be kept, by request id, while they run.
  const flights = new Map<string, Flight>();
  // Answers just kept, by the id of the request that made them, for a short while: a call that request starts after
  // its answer was sent (a background check that began a few ticks late) takes the answer back out.
  const settling = new Map<string, string>();
  const settle = (requestId: string, key: string) => {
    settling.set(requestId, key);
    setTimeout(() => {
      if (settling.get(requestId) === key) settling.delete(requestId);
    }, SETTLING_MS).unref();
  };

  // Requests that may be kept, by key, while they run: an identical request that arrives meanwhile waits for the answer
  // instead of running the plan again (200 clients asking the quick-start query at once ran it 200 times).
  const leaders = new Map<string, Leader>();
  const lead = (key: string): Leader => {
    let settle!: (answer: SharedAnswer | undefined) => void;
    const answer = new Promise<SharedAnswer | undefined>((resolve) => (settle = resolve));
    const leader: Leader = {
      answer,
      settle: (shared) => {
        clearTimeout(timer);
        if (leaders.get(key) === leader) leaders.delete(key);
        settle(shared);
      },
    };
    // A guard, not a limit met in use: a request that ends unseen by willSendResponse lets its followers go.
    const timer = setTimeout(() => leader.settle(undefined), FOLLOW_MS);
    timer.unref();
    leaders.set(key, leader);
    return leader;
  };

  // Something changed: a request arriving from now on must not be served the answer of one that began before (read
  // your own writes); those already waiting still are, as if they had run together.
  const changed = (change: () => void) => {
    change();
    leaders.clear();
  };

  const currentFlight = (): Flight | undefined => {
    const requestId = currentRequestId();
    return requestId === undefined ? undefined : flights.get(requestId);
  };

  const apolloPlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      let key: string | undefined;
      let leader: Leader | undefined;
      let flight: Flight | undefined;
      let requestId: string | undefined;
      let mutation = false;
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'mutation') return;
          mutation = true;
          changed(() => store.everythingChanged());
        },
        async responseForOperation(context) {
          if (context.operation.operation !== 'query') return null;
          const directives = cacheDirectives(context);
          // A request asking for lineage is answered from its systems, never from a kept answer (which has none).
          if (directives.has('no-store') || lineageAsked(context.contextValue.headers)) return null;
          key = keyOf(context);
          if (key === undefined) return null;
          if (!directives.has('no-cache')) {
            const hit = store.get(key);
            if (hit) {
              key = undefined;
              context.response.http.headers.set('age', String(hit.ageSeconds));
              return { http: context.response.http, body: { kind: 'single', singleResult: { data: hit.data as Record<string, unknown> } } };
            }
            // The same request already running: its answer is this one's too, as it would have been had both run at
            // once (errors and stale copies included, but then not kept); with none to share, this one runs.
            // With none to share, it follows the next one that runs, or runs itself: never all at once.
            for (let running = leaders.get(key); running; running = leaders.get(key)) {
              const shared = await running.answer;
              if (shared) {
                key = undefined;
                if (shared.keptAs !== undefined) context.response.http.headers.set('age', '0');
                if (shared.status !== undefined) context.response.http.status = shared.status;
                const { errors, extensions } = shared.result;
                const data = (shared.keptAs !== undefined ? store.get(shared.keptAs)?.data : undefined) ?? shared.result.data;
                const singleResult = { data: data as Record<string, unknown> | null | undefined, ...(errors ? { errors: errors as GraphQLFormattedError[] } : {}), ...(extensions ? { extensions: { ...extensions } } : {}) };
                return { http: context.response.http, body: { kind: 'single', singleResult } };
              }
            }
          }
          requestId = requestIdOf(context.contextValue);
          if (!requestId) return (key = undefined), null;
          // A guard, not a limit met in use: were a request ever to end unseen by willSendResponse, its flight stays.
          if (flights.size >= MAX_FLIGHTS) return (key = undefined), null;
          const already = flights.get(requestId);
          if (already) {
            // Two requests under one id (a client's own x-request-id, sent twice at once): neither is kept.
            already.spoiled = true;
            return (key = undefined), null;
          }
          flights.set(requestId, (flight = store.begin()));
          if (!leaders.has(key)) leader = lead(key);
          return null;
        },
        async willSendResponse({ response, contextValue }) {
          if (mutation) changed(() => store.everythingChanged());
          if (!flight || !requestId) return leader?.settle(undefined);
          flights.delete(requestId);
          if (!key || response.body.kind !== 'single') return leader?.settle(undefined);
          const result = response.body.singleResult;
          const status = response.http.status ?? 200;
          const failed = (result.errors?.length ?? 0) > 0 || status !== 200;
          if (failed || contextValue.staleNotices?.length || result.extensions?.['stale'] || !result.data) {
            return leader?.settle({ result, ...(status !== 200 ? { status } : {}) });
          }
          const kept = store.keep(key, flight, result.data);
          if (kept) settle(requestId, key);
          leader?.settle(kept ? { result: { data: result.data }, keptAs: key } : { result });
        },
      };
    },
  };

  return {
    apolloPlugin,
    noteCallStart(kind) {
      if (kind !== 'read') return;
      const requestId = currentRequestId();
      if (requestId === undefined) return;
      const flight = flights.get(requestId);
      if (flight) flight.running += 1;
      const kept = settling.get(requestId);
      if (kept !== undefined) {
        settling.delete(requestId);
        store.drop(kept);
      }
    },
    noteCall(call) {
      if (call.kind === 'write') return changed(() => store.systemChanged(call.system));
      const flight = currentFlight();
      if (!flight) return;
      flight.systems.add(call.system);
      if (call.outcome !== 'cached') flight.running -= 1;
      // A failed call alone does not keep the answer out: what the client sees does (an error, a stale copy). A
      // courier's 404 for an order it never carried is a failed call that the answer rightly shows as no shipment.
    },
    systemChanged: (system) => changed(() => store.systemChanged(system)),
    size: () => store.size(),
  };
}

/**
 * Apollo Server's `stringifyResult`: what it does by default (JSON and a newline), except for a hit's answer, whose
 * JSON was made once when it was kept and is sent as it is. Byte for byte what JSON.stringify would have written.
 */
export function stringifyAnswer(result: { readonly data?: unknown; readonly errors?: unknown; readonly extensions?: unknown }): string {
  if (result.errors === undefined && result.extensions === undefined) {
    const json = keptJsonOf(result.data);
    if (json !== undefined) return `{"data":${json}}\n`;
  }
  return `${JSON.stringify(result)}\n`;
}

function requestIdOf(context: GatewayContext): string | undefined {
  const id = context.headers?.['x-request-id'];
  return typeof id === 'string' ? id : undefined;
}

/** The request's Cache-Control directives, lower case (`no-cache`, `no-store`…). */
function cacheDirectives(context: GraphQLRequestContext<GatewayContext>): Set<string> {
  const header = context.request.http?.headers.get('cache-control');
  return new Set(header ? header.split(',').map((directive) => directive.trim().toLowerCase().split('=')[0]!) : []);
}

/**
 * The answer's key, or undefined for a request that cannot have one: variables nested past what JSON.stringify can
 * walk (a hostile request, which execution then refuses with its own code) are not kept, and do not fail the request.
 */
function keyOf(context: GraphQLRequestContext<GatewayContext>): string | undefined {
  const { request, source } = context;
  const authorization = request.http?.headers.get('authorization') ?? null;
  let text: string;
  try {
    text = JSON.stringify([source ?? request.query ?? '', request.operationName ?? null, request.variables ?? null, authorization]);
  } catch {
    return undefined;
  }
  return createHash('sha256').update(text).digest('base64url');
}
