import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Where a masked error is told in full: its original (message, stack, what a subgraph said of it) and the request id. */
export type MaskedErrorLog = (fields: Record<string, unknown>, message: string) => void;

/**
 * Masking with a memory: `format` (Apollo's formatError) masks what has no stable code and keeps the original under a
 * reference; `finish` (the HTTP answer, which knows the request id) stamps every error with the request id and logs
 * each masked one's original under it. Every error Apollo formats passes `format` (those it raises before
 * execution too, which no plugin hook sees), and every answer passes `finish`: no masked error goes unlogged.
 */
export function createMaskedErrors(passThrough: ReadonlySet<string>, log: MaskedErrorLog | undefined) {
  // Bounded: an original is taken as soon as its answer is sent; what is left (an answer never sent) ages out.
  const originals = new LRUCache<string, { error: unknown }>({ max: 1_000 });

  const format = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    if (passThrough.has(code)) {
      const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const ref = randomUUID();
    originals.set(ref, { error });
    return { message: 'Internal error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR', maskedRef: ref } };
  };

  const finishOne = (result: unknown, requestId: string): void => {
    const errors = (result as { errors?: unknown } | null)?.errors;
    if (!Array.isArray(errors)) return;
    for (const error of errors as { path?: unknown; extensions?: Record<string, unknown> }[]) {
      const extensions = (error.extensions ??= {});
      const ref = extensions['maskedRef'];
      delete extensions['maskedRef'];
      if (extensions['requestId'] === undefined) extensions['requestId'] = requestId;
      if (typeof ref !== 'string') continue;
      const original = originals.get(ref)?.error;
      originals.delete(ref);
      log?.({ requestId, path: error.path, ...describe(original) }, 'masked error');
    }
  };

  return {
    format,
    /** The answer's body as sent to the client, each error with the request id, the masked ones logged. */
    finish(body: string, requestId: string): string {
      if (!body.includes('"errors"')) return body;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return body;
      }
      for (const result of Array.isArray(parsed) ? parsed : [parsed]) finishOne(result, requestId);
      return JSON.stringify(parsed);
    },
  };
}

/** The original as the log keeps it: the error and its stack, and where it came from when a subgraph sent it. */
function describe(original: unknown): Record<string, unknown> {
  const error = original instanceof GraphQLError && original.originalError ? original.originalError : original;
  if (!(original instanceof GraphQLError)) return { err: error };
  const { serviceName, code, stacktrace, ...rest } = original.extensions as Record<string, unknown>;
  return {
    err: error,
    ...(serviceName !== undefined ? { subgraph: serviceName } : {}),
    ...(code !== undefined ? { originalCode: code } : {}),
    ...(stacktrace !== undefined ? { subgraphStack: stacktrace } : {}),
    ...(Object.keys(rest).length > 0 ? { extensions: rest } : {}),
    ...(serviceName !== undefined && original.message === 'Internal error' ? { note: `masked by the ${String(serviceName)} subgraph: its log has the original under this request id` } : {}),
  };
}
