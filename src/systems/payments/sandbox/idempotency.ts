import { StripeFailure, type Params } from './wire';

/**
 * Stripe's idempotent requests: the first answer to a POST with an `Idempotency-Key` is kept (per API key) and
 * replayed for a retry with the same parameters; the same key with other parameters is refused. Answers of
 * requests that failed validation are not kept, so they can be retried with the same key. Internal to the sandbox.
 */

export interface StoredAnswer {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: string;
  readonly requestId: string;
}

/** Largest number of keys remembered; Stripe forgets keys after 24 hours, the sandbox after this many. */
const CAPACITY = 50_000;

export class IdempotencyStore {
  private readonly answers = new Map<string, StoredAnswer>();

  /** The kept answer for a retry, `undefined` for a first request; throws for a key reused with other parameters. */
  lookup(apiKey: string, key: string, fingerprint: string): StoredAnswer | undefined {
    if (key.length > 255) {
      throw new StripeFailure(400, {
        type: 'invalid_request_error',
        message: 'Idempotency keys can be at most 255 characters long.',
      });
    }
    const kept = this.answers.get(slot(apiKey, key));
    if (kept && kept.fingerprint !== fingerprint) {
      throw new StripeFailure(400, {
        type: 'idempotency_error',
        message:
          'Keys for idempotent requests can only be used with the same parameters they were first used with. Try ' +
          `using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    return kept;
  }

  keep(apiKey: string, key: string, answer: StoredAnswer): void {
    if (this.answers.size >= CAPACITY) {
      const oldest = this.answers.keys().next();
      if (!oldest.done) this.answers.delete(oldest.value);
    }
    this.answers.set(slot(apiKey, key), answer);
  }
}

const slot = (apiKey: string, key: string): string => `${apiKey}\u0000${key}`;

/** Method, path and parameters in a canonical order, so that a retry encoded differently still matches. */
export function fingerprintOf(method: string, path: string, params: Params): string {
  return `${method} ${path} ${canonical(params)}`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
