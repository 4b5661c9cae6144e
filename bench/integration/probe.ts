import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SandboxName } from '../../src/estate/start-sandboxes';
import { PROJECT_ROOT } from '../../src/project-root';
import type { CallRecord } from '../../src/resilience';
import type { FaultSetting } from '../../src/systems/kit/sandbox/faults';
import type { AnsweredRequest } from '../../src/systems/kit/sandbox/records';
import type { TestStack } from '../../test/support/stack';

/** The frontends' page: 100 orders with customer, lines -> item, payment and shipments (test/operations). */
export const ORDERS_PAGE = readFileSync(path.join(PROJECT_ROOT, 'test', 'operations', 'orders-page.graphql'), 'utf8');
/** One item by SKU: the store and the ERP only. */
export const INVENTORY_ITEM = readFileSync(path.join(PROJECT_ROOT, 'test', 'operations', 'inventory-item.graphql'), 'utf8');

/** Calls that fetch credentials, not data: made once per adapter, not per level of a query. */
export const AUTH_OPERATIONS = new Set(['oauth.token', 'common.authenticate']);

/** The system calls of one level of a page, from the first one's start to the last one's end. */
export interface LevelSpan {
  readonly level: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** A page asked by the client beside the systems: its time, its errors and how many orders it held. */
export interface TimedPage {
  readonly ms: number;
  readonly errors: number;
  readonly nodes: number;
}

export interface TimedAnswer {
  readonly ms: number;
  readonly errors: number;
  readonly data: unknown;
}

/** The estate's windows, wherever it runs: its fault switches and the requests each system received. */
export interface EstateWindow {
  setFault(names: readonly SandboxName[], setting: FaultSetting): Promise<void>;
  stats(): Promise<Record<SandboxName, { byOperation: Record<string, number> }>>;
  /** The requests the systems answered since the last reset, as each system timed them (credentials left out). */
  answered(): Promise<AnsweredRequest[]>;
  resetStats(): Promise<void>;
  /**
   * Asks the gateway at `url` from the estate's process (its fetch and JSON parsing not on the product's CPU); the
   * answer's data stays there. Absent: asked from this process.
   */
  query?(url: string, query: string, variables: Record<string, unknown>): Promise<TimedPage>;
}

export const SANDBOX_NAMES: readonly SandboxName[] = ['crm', 'erp', 'payments', 'courier-a', 'courier-b', 'legacy'];

/**
 * Watches a running stack: the calls each system received (counted by the sandboxes themselves, credentials left
 * out), the store's calls (our own database: seen through the resilience layer), and the cache.
 */
export class StackProbe {
  readonly calls: CallRecord[] = [];
  private readonly operations = new Set<string>();

  constructor(
    private readonly stack: () => TestStack,
    readonly estate: EstateWindow,
  ) {}

  /** Give this to startTestStack's onCall. */
  readonly onCall = (record: CallRecord): void => {
    this.calls.push(record);
    this.operations.add(`${record.system}\n${record.operation}`);
  };

  async resetCounts(): Promise<void> {
    await this.estate.resetStats();
    this.calls.length = 0;
  }

  /** Data calls per system since the last reset (the store's from the resilience layer). */
  async counts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {
      store: this.calls.filter((call) => call.system === 'store' && call.outcome !== 'cached').length,
    };
    for (const [name, snapshot] of Object.entries(await this.estate.stats())) {
      counts[name] = Object.entries(snapshot.byOperation)
        .filter(([operation]) => !AUTH_OPERATIONS.has(operation))
        .reduce((sum, [, count]) => sum + count, 0);
    }
    return counts;
  }

  /** Drops every cached read seen so far (stale copies stay), optionally of some systems only. */
  async dropCaches(systems?: readonly string[]): Promise<void> {
    for (const entry of this.operations) {
      const [system, operation] = entry.split('\n') as [string, string];
      if (!systems || systems.includes(system)) await this.stack().resilience.invalidate(system, operation);
    }
  }

  /**
   * How many 20 ms system calls the last query made one after another: the longest chain of sandbox calls in which
   * each starts after the one before it ended.
   */
  sequentialDepth(): number {
    return this.levels(0).length;
  }

  /**
   * The system calls seen since the last reset (the store left out: it has no injected latency), by level: a call's
   * level is one more than the highest level of the calls that ended before it started. Times in ms after `since`
   * (epoch ms).
   */
  levels(since: number): LevelSpan[] {
    const spans = this.calls
      .filter((call) => call.system !== 'store' && call.outcome !== 'cached')
      .map((call) => ({ start: call.startedAt.getTime() - since, end: call.startedAt.getTime() - since + call.durationMs }));
    const levels: LevelSpan[] = [];
    levelsOf(spans).forEach((level, index) => {
      const span = spans[index]!;
      const known = levels[level - 1];
      levels[level - 1] = known
        ? { level, startMs: Math.min(known.startMs, span.start), endMs: Math.max(known.endMs, span.end) }
        : { level, startMs: span.start, endMs: span.end };
    });
    return levels;
  }

  /**
   * Asks a page whose CPU is measured: from the estate's process when it can (the client's own work is then not
   * counted as the product's), else from this one.
   */
  async timed(query: string, variables: Record<string, unknown> = {}): Promise<TimedPage> {
    if (this.estate.query) return this.estate.query(this.stack().gateway.url, query, variables);
    const answer = await this.query(query, variables);
    return { ms: answer.ms, errors: answer.errors, nodes: (answer.data as { orders?: { nodes?: unknown[] } } | null)?.orders?.nodes?.length ?? 0 };
  }

  async query(query: string, variables: Record<string, unknown> = {}): Promise<TimedAnswer> {
    const started = performance.now();
    const response = await fetch(this.stack().gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    return { ms: performance.now() - started, errors: body.errors?.length ?? 0, data: body.data };
  }
}

/**
 * The level of each call (1-based, in the order given): one more than the highest level of the calls that ended
 * before it started. Calls that overlap share a level.
 */
export function levelsOf(spans: readonly { readonly start: number; readonly end: number }[]): number[] {
  const byEnd = spans.map((span, index) => ({ ...span, index })).sort((a, b) => a.end - b.end);
  const depth: number[] = new Array<number>(spans.length).fill(0);
  byEnd.forEach((span, position) => {
    let best = 0;
    for (let before = 0; before < position; before += 1) if (byEnd[before]!.end <= span.start) best = Math.max(best, depth[byEnd[before]!.index]!);
    depth[span.index] = best + 1;
  });
  return depth;
}

/** A call as the system it went to timed it: when it arrived, when the answer's last byte left, how long a fault held it. */
export interface TimedCall {
  readonly start: number;
  readonly end: number;
  readonly heldMs: number;
}

/**
 * The systems' own time of a page: the longest chain of calls in which each call arrived after the one before it was
 * answered, by the sum of the calls' own times (arrival to answer). A gateway that cost nothing, and that asked each
 * call as soon as the calls answered before it, would wait that long. The chain is an upper bound: it takes a call to
 * wait for every call answered before it arrived, whatever it needed. Summing each level's slowest call instead
 * ({@link levelsOf}) adds a call that ran beside a slower call of the level before (a second request of one system,
 * made after its first answered while another system was still answering) as if it had waited for that slower call.
 * Answers the chain's calls, first to last.
 */
export function longestChain<Call extends TimedCall>(calls: readonly Call[]): Call[] {
  const byStart = [...calls].sort((a, b) => a.start - b.start);
  const best = byStart.map(() => ({ ms: 0, from: -1 }));
  byStart.forEach((call, index) => {
    let from = -1;
    let before = 0;
    for (let earlier = 0; earlier < index; earlier += 1) {
      if (byStart[earlier]!.end <= call.start && best[earlier]!.ms > before) {
        before = best[earlier]!.ms;
        from = earlier;
      }
    }
    best[index] = { ms: before + (call.end - call.start), from };
  });
  let last = -1;
  best.forEach((entry, index) => {
    if (last < 0 || entry.ms > best[last]!.ms) last = index;
  });
  const chain: Call[] = [];
  for (let at = last; at >= 0; at = best[at]!.from) chain.unshift(byStart[at]!);
  return chain;
}
