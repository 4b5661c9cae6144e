import { LRUCache } from 'lru-cache';

/** Internal to src/gateway/response-cache. */

/** A whole answer kept for its lifetime: its JSON and what it was made of. */
interface StoredAnswer {
  /** The answer's `data` as the JSON a hit sends (see {@link keptJsonOf}): made once, when it was kept. */
  readonly json: string;
  /**
   * The answer's `data` as an object, deep-frozen and handed to every hit as it is: made from `json` by the first hit
   * (an answer that is only stored, never asked again, costs no object graph and no freeze), then shared: a hit costs
   * no copy, and nothing downstream (Apollo serialises it; our plugins touch only `errors` and `extensions`) can
   * change what the next caller gets.
   */
  data?: unknown;
  /** The systems the answer read from: a change to any of them ends it. */
  readonly systems: readonly string[];
  /** The change counter when the request that made it began: a change after that ends it. */
  readonly madeAt: number;
  /** Epoch ms when it was stored and when it ends. */
  readonly storedAt: number;
  readonly expiresAt: number;
}

export interface AnswerStoreOptions {
  /** The read-cache lifetime of each system, in ms (the systems' cacheTtlMs); 0: its answers are never kept. */
  readonly lifetimes: Readonly<Record<string, number>>;
  /**
   * The lifetime of a system that has none of its own (the site's store: our database, changed by our own writes,
   * which end the answers that read it). @default the shortest of `lifetimes`
   */
  readonly defaultTtlMs?: number;
  /**
   * Bytes of answers kept at most, estimated as three bytes of heap per character of the answer's JSON (its objects and
   * the JSON text kept beside them); the least recently used go first. @default 32 MiB
   */
  readonly maxBytes?: number;
  /** The clock (epoch ms). @default Date.now */
  readonly now?: () => number;
}

/** What a request that may be kept learns as it runs: the systems it read, and whether anything spoiled it. */
export interface Flight {
  readonly systems: Set<string>;
  readonly startedAt: number;
  /** Its system calls still running (a background check the answer did not wait for): while any is, it is not kept. */
  running: number;
  spoiled: boolean;
}

export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** Used when no system has a lifetime: answers then live this long at most. */
const FALLBACK_TTL_MS = 5_000;

/**
 * The answers, keyed by request, with their lifetimes and the change counter that ends them early. A change is
 * counted per system (a write to it, a read of it invalidated, a webhook) or for everything (a mutation): an answer
 * made before a change to a system it read is never served, and a request that was running when one happened is not kept.
 */
export function createAnswerStore(options: AnswerStoreOptions) {
  const now = options.now ?? Date.now;
  const lifetimes = new Map(Object.entries(options.lifetimes));
  const defaultTtlMs = options.defaultTtlMs ?? Math.min(...[...lifetimes.values()].filter((ttl) => ttl > 0), FALLBACK_TTL_MS);
  const answers = new LRUCache<string, StoredAnswer>({
    maxSize: options.maxBytes ?? DEFAULT_MAX_BYTES,
    sizeCalculation: (answer, key) => 3 * answer.json.length + 2 * key.length + 64 * (answer.systems.length + 4),
  });
  let changes = 0;
  let everythingChangedAt = 0;
  const changedAt = new Map<string, number>();

  const changedSince = (systems: Iterable<string>, since: number): boolean => {
    if (everythingChangedAt > since) return true;
    for (const system of systems) if ((changedAt.get(system) ?? 0) > since) return true;
    return false;
  };

  /**
   * How long an answer that read these systems may live: the shortest lifetime among them, 0 when one has none to give.
   * An answer that read no system at all (a write's receipt, read from the audit and outbox tables) is never kept:
   * background work (the outbox worker, webhooks, the sweep) changes those tables without a mutation to end it, and
   * reading them again costs only our own database.
   */
  const lifetimeOf = (systems: ReadonlySet<string>): number => {
    if (systems.size === 0) return 0;
    let ttl = Infinity;
    for (const system of systems) ttl = Math.min(ttl, lifetimes.get(system) ?? defaultTtlMs);
    return ttl;
  };

  return {
    /** Starts following a request that may be kept. */
    begin(): Flight {
      return { systems: new Set(), startedAt: changes, running: 0, spoiled: false };
    },
    /** The answer's data kept under the key, if it is still good; with its age in seconds. */
    get(key: string): { readonly data: unknown; readonly ageSeconds: number } | undefined {
      const answer = answers.get(key);
      if (!answer) return undefined;
      if (answer.expiresAt <= now() || changedSince(answer.systems, answer.madeAt)) {
        answers.delete(key);
        return undefined;
      }
      return { data: dataOf(answer), ageSeconds: Math.floor((now() - answer.storedAt) / 1_000) };
    },
    /** Keeps a request's answer, unless something spoiled it or changed what it read while it ran. Says whether it was kept. */
    keep(key: string, flight: Flight, data: unknown): boolean {
      if (flight.spoiled || flight.running > 0 || changedSince(flight.systems, flight.startedAt)) return false;
      const ttl = lifetimeOf(flight.systems);
      if (ttl <= 0) return false;
      const storedAt = now();
      // Only the JSON: the request's own objects are not held (nor frozen under the Apollo that made them).
      const json = JSON.stringify(data);
      // The request's own answer is sent as this JSON too (one JSON.stringify per kept page, not two): nothing changes
      // `data` once the response is being sent (the plugins after this one touch only `errors` and `extensions`).
      if (data !== null && typeof data === 'object') KEPT_JSON.set(data, json);
      answers.set(key, { json, systems: [...flight.systems], madeAt: flight.startedAt, storedAt, expiresAt: storedAt + ttl });
      return answers.has(key);
    },
    /** Drops one answer. */
    drop(key: string): void {
      answers.delete(key);
    },
    /** A system's data changed (a write to it, its cached reads invalidated): answers that read it end. */
    systemChanged(system: string): void {
      changes += 1;
      changedAt.set(system, changes);
    },
    /** Anything may have changed (a mutation ran): every answer ends. */
    everythingChanged(): void {
      changes += 1;
      everythingChangedAt = changes;
      answers.clear();
    },
    /** Answers kept, and their bytes as counted against the budget. */
    size(): { readonly answers: number; readonly bytes: number } {
      return { answers: answers.size, bytes: answers.calculatedSize };
    },
  };
}

export type AnswerStore = ReturnType<typeof createAnswerStore>;

/** A kept answer's `data` as the frozen object hits share, made from its JSON on the first hit. */
function dataOf(answer: StoredAnswer): unknown {
  if (answer.data === undefined) {
    const data = deepFreeze(JSON.parse(answer.json) as unknown);
    if (data !== null && typeof data === 'object') KEPT_JSON.set(data, answer.json);
    answer.data = data;
  }
  return answer.data;
}

/**
 * The JSON of each kept answer's `data`, made once when it was kept, by the frozen object hits share (and by the object
 * of the request that kept it, sent once): a hit is sent as
 * this text instead of being serialised again (JSON.stringify of a 100-order page was the largest part of a hit's CPU).
 * A weak map: the text goes when the answer does.
 */
const KEPT_JSON = new WeakMap<object, string>();

/** The JSON kept for an answer's `data` handed out by a hit, if it is one. */
export function keptJsonOf(data: unknown): string | undefined {
  return data !== null && typeof data === 'object' ? KEPT_JSON.get(data) : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
