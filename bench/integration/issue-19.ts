import { SYSTEM_REGISTRY, type VendorBatchLimit } from '../../src/systems';
import { median } from '../kit/stats';
import { ORDERS_PAGE, SANDBOX_NAMES, type StackProbe } from './probe';

/**
 * Issue 19's two extra workloads on the running stack: a page of 500 orders (the vendors' batch limits and URL
 * budgets), and pages under a realistic estate profile (each system 50-300 ms, jittered page by page).
 */

/**
 * The batch limits the vendors publish, as each system declares them (`imitates.batchLimit` in its definition, with
 * its source); a system that declares none is allowed one call per level.
 */
export const VENDOR_BATCH_LIMITS: Readonly<Partial<Record<string, VendorBatchLimit>>> = Object.fromEntries(
  SYSTEM_REGISTRY.flatMap((system) => (system.imitates?.batchLimit ? [[system.name, system.imitates.batchLimit]] : [])),
);

export interface LargePageFigures {
  readonly orders: number;
  readonly errors: number;
  /** Nodes of the answer that lack a field their systems should have given (a refused or failed batch). */
  readonly incomplete: number;
  readonly ms: number;
  /** Per system: calls made, keys asked in all, the levels it was asked at, and the most its batch limit allows. */
  readonly systems: readonly { readonly system: string; readonly calls: number; readonly keys: number; readonly levels: number; readonly allowed: number }[];
}

/** An uncached page of `orders` orders: every call a system received, against what its batch limit allows. */
export async function largePage(probe: StackProbe, orders: number): Promise<LargePageFigures> {
  await probe.dropCaches();
  await probe.resetCounts();
  const since = Date.now();
  const answer = await probe.query(ORDERS_PAGE, { first: orders });
  const nodes = ((answer.data as { orders?: { nodes?: PageNode[] } } | null)?.orders?.nodes ?? []) as PageNode[];
  const counts = await probe.counts();
  const calls = probe.calls.filter((call) => call.system !== 'store' && call.outcome !== 'cached');
  const spans = probe.levels(since);
  const levelOf = (start: number) => Math.max(1, spans.findIndex((span) => start >= span.startMs - 0.5 && start <= span.endMs + 0.5) + 1);
  const systems = SANDBOX_NAMES.filter((system) => (counts[system] ?? 0) > 0).map((system) => {
    const own = calls.filter((call) => call.system === system);
    const keys = own.reduce((sum, call) => sum + (call.keys ?? 1), 0);
    const levels = new Set(own.map((call) => levelOf(call.startedAt.getTime() - since))).size || 1;
    const limit = VENDOR_BATCH_LIMITS[system];
    const allowed = limit ? Math.max(levels, Math.ceil(keys / limit.keys) * (limit.requestsPerBatch ?? 1) + levels - 1) : levels;
    return { system, calls: counts[system] ?? 0, keys, levels, allowed };
  });
  const incomplete = nodes.filter((node) => !node.customer?.segment || node.lines.some((line) => !line.item) || !node.payment).length;
  return { orders: nodes.length, errors: answer.errors, incomplete, ms: answer.ms, systems };
}

interface PageNode {
  readonly customer: { readonly segment: string | null } | null;
  readonly lines: readonly { readonly item: unknown }[];
  readonly payment: unknown;
}

/** Each system's latency range in the realistic profile, ms: as its definition says its vendor answers (`imitates.latencyMs`). */
export const REALISTIC_LATENCY_MS: Readonly<Partial<Record<string, readonly [number, number]>>> = Object.fromEntries(
  SYSTEM_REGISTRY.flatMap((system) => (system.imitates?.latencyMs ? [[system.name, system.imitates.latencyMs]] : [])),
);

export interface RealisticFigures {
  readonly pages: number;
  readonly p50Ms: number;
  /** The systems' own time on the same pages (median): each page's longest chain of calls, as the systems timed them. */
  readonly systemsMedianMs: number;
  /** Errors in the pages' answers (0 expected: every system answers, only late). */
  readonly errors: number;
}

/**
 * Uncached pages with each system's latency drawn anew for every page (a seeded generator: the same run draws the
 * same delays), timed against what the systems themselves took of the same pages.
 */
export async function realisticProfile(
  probe: StackProbe,
  pages: number,
  systemsTime: () => Promise<number>,
  restore: () => Promise<void>,
): Promise<RealisticFigures> {
  const random = seeded(19);
  const times: number[] = [];
  const systems: number[] = [];
  let errors = 0;
  try {
    for (let page = 0; page < pages; page += 1) {
      for (const name of SANDBOX_NAMES) {
        const [low, high] = REALISTIC_LATENCY_MS[name] ?? [50, 300];
        await probe.estate.setFault([name], { mode: 'slow', delayMs: Math.round(low + random() * (high - low)) });
      }
      await probe.dropCaches();
      await probe.resetCounts();
      // Asked from the systems' process, as the timed pages of part b are: the client's own fetch and JSON parsing are
      // not the product's time.
      const answer = await probe.timed(ORDERS_PAGE, { first: 100 });
      if (answer.errors > 0) errors += answer.errors;
      times.push(answer.ms);
      systems.push(await systemsTime());
    }
  } finally {
    await restore();
  }
  return { pages, p50Ms: median(times), systemsMedianMs: median(systems), errors };
}

/** A linear congruential generator (Numerical Recipes' constants), seeded: two runs draw the same latencies. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}
