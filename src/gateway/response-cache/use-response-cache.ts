import { createHash } from 'node:crypto';
import { lineageAsked } from '../lineage';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { currentRequestId } from '../../logging';
import type { GatewayContext } from '../create-gateway';
import { createAnswerStore, keptJsonOf, type AnswerStoreOptions, type Flight } from './answer-store';

export type ResponseCacheOptions = AnswerStoreOptions;

/** Requests followed at once at most; past it, a request is served without being kept. */
const MAX_FLIGHTS = 10_000;

/** How long a kept answer can still be taken back by a call its request starts late. */
const SETTLING_MS = 2_000;

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
 * request skips the lookup (the fresh answer is kept); `no-store` skips the cache altogether.
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

  const currentFlight = (): Flight | undefined => {
    const requestId = currentRequestId();
    return requestId === undefined ? undefined : flights.get(requestId);
  };

  const apolloPlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      let key: string | undefined;
      let flight: Flight | undefined;
      let requestId: string | undefined;
      let mutation = false;
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'mutation') return;
          mutation = true;
          store.everythingChanged();
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
          return null;
        },
        async willSendResponse({ response, contextValue }) {
          if (mutation) store.everythingChanged();
          if (!flight || !requestId) return;
          flights.delete(requestId);
          if (!key || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const failed = (result.errors?.length ?? 0) > 0 || (response.http.status ?? 200) !== 200;
          if (failed || contextValue.staleNotices?.length || result.extensions?.['stale'] || !result.data) return;
          if (store.keep(key, flight, result.data)) settle(requestId, key);
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
      if (call.kind === 'write') return store.systemChanged(call.system);
      const flight = currentFlight();
      if (!flight) return;
      flight.systems.add(call.system);
      if (call.outcome !== 'cached') flight.running -= 1;
      // A failed call alone does not keep the answer out: what the client sees does (an error, a stale copy). A
      // courier's 404 for an order it never carried is a failed call that the answer rightly shows as no shipment.
    },
    systemChanged: (system) => store.systemChanged(system),
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
