import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { environmentOf } from '../../src/estate/connections';
import type { SandboxName } from '../../src/estate/start-sandboxes';
import { seedEstate } from '../../src/estate/seed-estate';
import { loadIntegrationMap } from '../../src/integration-map';
import type { AnsweredRequest } from '../../src/systems/kit/sandbox/records';
import { generateEstate } from '../../src/systems/kit/seed';
import { startTestStack, type TestStack } from '../../test/support/stack';
import { summarise, type CpuProfileNode, type ProfileLine } from '../federation/profile';
import { pinSelf } from '../kit/child';
import { median, percentile } from '../kit/stats';
import { measureExecutorFloor, type ExecutorFloor } from './executor-floor';
import { largePage, realisticProfile, type LargePageFigures, type RealisticFigures } from './issue-19';
import { startEstateChild } from './estate-child';
import { AUTH_OPERATIONS, INVENTORY_ITEM, longestChain, ORDERS_PAGE, SANDBOX_NAMES, StackProbe } from './probe';

export interface IntegrationSettings {
  /** Queries timed with every read cache emptied first. */
  readonly uncachedSamples: number;
  /** Queries timed on warm caches. */
  readonly cachedSamples: number;
  /** How long the failure path is loaded after the breaker opened. */
  readonly openSeconds: number;
  /** Uncached pages timed under the realistic estate profile (issue 19). */
  readonly realisticPages: number;
  /** How long uncached pages are asked, untimed, before the timed ones (at least {@link MIN_WARM_UP_PAGES}). */
  readonly warmUpSeconds: number;
}

/** Injected latency of every system call (each sandbox's `slow` fault). */
export const SYSTEM_DELAY_MS = 20;
/**
 * Levels of the orders page at which systems are called, one after the other: the orders (the ERP's copy of each
 * order's status, which is bidirectional), then, all at once, customers' segments (CRM), items (ERP), payments and
 * shipments (couriers). The store is our own database, with no injected latency.
 */
export const ORDERS_PAGE_LEVELS = 2;

export interface PathFigures {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Calls per query to each system, the highest seen. */
  readonly callsPerSystem: Readonly<Record<string, number>>;
  readonly errors: number;
  /** CPU time of this process per query: the whole product (gateway, subgraphs, adapters, SQLite) runs in it; the sandboxes do not. */
  readonly cpuMsPerQuery: number;
  /**
   * What the systems themselves took of these very pages (median): each page's longest chain of calls, each asked
   * after the one before was answered, as the systems timed them (see {@link PageTimeline.systemsMedianMs}). 0 when
   * no system was asked.
   */
  readonly systemsMedianMs: number;
}

export interface IntegrationReport {
  readonly floorMs: number;
  /** Where this process's CPU went while it served uncached pages (the V8 profiler, in process). */
  readonly pageProfile: { readonly pages: number; readonly functions: readonly ProfileLine[]; readonly packages: readonly ProfileLine[] };
  readonly uncached: PathFigures;
  /** Uncached pages asked, untimed, before the uncached and cached pages were timed. */
  readonly warmUpPages: number;
  /** The node flags of the process that ran the product (its heap policy). */
  readonly nodeArgs: readonly string[];
  readonly cached: PathFigures;
  /** The longest chain of system calls made one after another by an uncached page, as measured. */
  readonly sequentialDepth: number;
  /** Where an uncached page's time goes, from the request to the answer: medians over the pages timed for it. */
  readonly timeline: PageTimeline;
  /** GraphQL execution alone for the same page, over its answer in memory: the least any graphql-js engine pays. */
  readonly executorFloor: ExecutorFloor;
  readonly failure: FailureReport;
  /** An uncached page of 500 orders: calls per system against the vendors' batch limits (issue 19). */
  readonly largePage: LargePageFigures;
  /** Uncached pages with each system 50-300 ms, jittered (issue 19). */
  readonly realistic: RealisticFigures;
}

export interface PageTimeline {
  readonly pages: number;
  /** In order: before the first system call, each level's calls, the gaps between levels, after the last answer. */
  readonly phases: readonly TimelinePhase[];
  readonly pageMedianMs: number;
  /**
   * What the systems themselves took of a page (median): the longest chain of its calls in which each was asked after
   * the one before was answered, each call as its system timed it, from the request's arrival to the answer's last
   * byte, summed along the chain ({@link longestChain}). The injected latency is in it, and so is the stand-ins' own
   * work, which queues on the one core they share.
   */
  readonly systemsMedianMs: number;
  /** The part of {@link systemsMedianMs} that is not injected latency: the stand-ins' own work and their queue. */
  readonly systemsOwnMedianMs: number;
  /** The part of {@link systemsMedianMs} that the injected latency held back (timers fire a little late). */
  readonly systemsHeldMedianMs: number;
}

export interface TimelinePhase {
  readonly phase: string;
  /** A level of system calls (its injected latency included), or time in which no system is asked. */
  readonly kind: 'level' | 'ours';
  readonly medianMs: number;
}

export interface FailureReport {
  readonly system: string;
  readonly timeoutMs: number;
  readonly baselineP99Ms: number;
  readonly beforeOpen: { readonly queries: number; readonly p99Ms: number };
  readonly afterOpen: { readonly queries: number; readonly p50Ms: number; readonly p99Ms: number; readonly openCodes: number };
  readonly breakerOpened: boolean;
  /** The inventory query (store and ERP only), while the system hangs and after its breaker opened. */
  readonly untouched: { readonly baselineP99Ms: number; readonly duringHangP99Ms: number; readonly afterOpenP99Ms: number; readonly queries: number };
}

const HUNG_SYSTEM: SandboxName = 'payments';
/** Where the systems run, and where the product does (the machine has two cores). */
const ESTATE_CPU = '0';
const PRODUCT_CPU = '1';
const ALL_CPUS = '0,1';
const HUNG_CONCURRENCY = 6;
/** How long the failure path waits for the breaker to open before it reports that it did not. */
const BREAKER_PATIENCE_MS = 40_000;

export async function runIntegration(settings: IntegrationSettings, log: (line: string) => void): Promise<IntegrationReport> {
  // The systems run in a process of their own on CPU 0, the product in this one on CPU 1: what the page costs is
  // the product's work and the systems' latency, not the stand-ins' CPU.
  const estate = await startEstateChild(ESTATE_CPU);
  let stack: TestStack | undefined;
  const probe = new StackProbe(() => stack!, estate.window);
  pinSelf(PRODUCT_CPU);
  try {
    stack = await startTestStack(environmentOf(estate.connections, path.join(estate.dir, 'pki')), { onCall: probe.onCall });
    // The product seeds its store only when it runs the sandboxes itself: the same estate, seeded here.
    await seedEstate(stack.db, generateEstate());
  } catch (error) {
    await estate.stop();
    throw error;
  }
  try {
    await estate.window.setFault(SANDBOX_NAMES, { mode: 'slow', delayMs: SYSTEM_DELAY_MS });
    // First contact: connections, the CRM's and ERP's credentials, the query plan.
    await probe.query(ORDERS_PAGE, { first: 100 });

    const cursors = await pageCursors(probe);
    // Warm-up, as the federation part's load has: uncached pages across the estate for `warmUpSeconds`, so that V8
    // has optimised what a page runs and the heap has grown to its working size. A fresh process's pages cost more
    // for a while: per block of 20 uncached pages from the first (profile-page.ts, 7 December), 74, 39, 33, 32, 38,
    // 30, 32, then 23-35 ms of CPU from the 140th page on (about 20 s), and the mean of pages timed after 5 of warm-up
    // counted V8's optimising as the page's own cost.
    const warmUpUntil = performance.now() + settings.warmUpSeconds * 1_000;
    let warmUpPages = 0;
    while (warmUpPages < MIN_WARM_UP_PAGES || performance.now() < warmUpUntil) {
      await probe.dropCaches();
      await probe.query(ORDERS_PAGE, { first: 100, after: cursors[warmUpPages % cursors.length] });
      warmUpPages += 1;
    }
    const uncached = await timePath(probe, settings.uncachedSamples, cursors, true);
    await probe.dropCaches();
    await probe.resetCounts();
    await probe.query(ORDERS_PAGE, { first: 100 });
    const sequentialDepth = probe.sequentialDepth();
    log(`  uncached page: p50 ${uncached.p50Ms.toFixed(1)} ms, p99 ${uncached.p99Ms.toFixed(1)} ms; ${sequentialDepth} system calls in a row`);
    // The cached path: the same page again and again, as a busy storefront asks it. Asked once first with the very
    // variables the timed pages send (`after: null` is another request than no `after`): the first asking is not "again".
    await probe.timed(ORDERS_PAGE, { first: 100, after: null });
    const cached = await timePath(probe, settings.cachedSamples, [null], false);
    log(`  cached page:   p50 ${cached.p50Ms.toFixed(1)} ms, p99 ${cached.p99Ms.toFixed(1)} ms`);

    const timeline = await pageTimeline(probe, TIMELINE_PAGES);
    const { data } = await probe.query(ORDERS_PAGE, { first: 100 });
    const executorFloor = await measureExecutorFloor(ORDERS_PAGE, { first: 100 }, data as Record<string, unknown>);
    log(`  GraphQL execution alone over the page's answer in memory: ${executorFloor.syncMs.toFixed(1)} ms, ${executorFloor.promisedMs.toFixed(1)} ms with promises`);
    const pageProfile = await profilePages(probe, PROFILED_PAGES);

    const large = await largePage(probe, LARGE_PAGE_ORDERS);
    log(`  page of ${large.orders} orders: ${large.errors} errors, ${large.systems.map((one) => `${one.system} ${one.calls}`).join(', ')} calls`);
    const realistic = await realisticProfile(
      probe,
      settings.realisticPages,
      async () => systemsChain(await estate.window.answered()).reduce((sum, answer) => sum + answer.ms, 0),
      () => estate.window.setFault(SANDBOX_NAMES, { mode: 'slow', delayMs: SYSTEM_DELAY_MS }),
    );
    log(`  realistic latencies: p50 ${realistic.p50Ms.toFixed(1)} ms, the systems ${realistic.systemsMedianMs.toFixed(1)} ms`);

    const failure = await failurePath(stack, probe, settings, cursors, log);
    return { floorMs: ORDERS_PAGE_LEVELS * SYSTEM_DELAY_MS, pageProfile, uncached, warmUpPages, nodeArgs: process.execArgv.filter((arg) => arg.startsWith('--')), cached, sequentialDepth, timeline, executorFloor, failure, largePage: large, realistic };
  } finally {
    await stack.close();
    await estate.stop();
    pinSelf(ALL_CPUS);
  }
}

/** Uncached pages asked, untimed, before the timed ones, however short the warm-up. */
const MIN_WARM_UP_PAGES = 5;

/** The large page of issue 19. */
const LARGE_PAGE_ORDERS = 500;

/** Uncached pages whose system calls are laid out on the page's own clock. */
const TIMELINE_PAGES = 15;

/**
 * Where an uncached page's time goes: before the first system call (planning, the store's SQL), each level of system
 * calls (the injected latency, the systems' own work and ours on their answers, which queue on the product's one
 * core), the time between levels (ours alone: nothing is asked of any system then) and after the last answer (result
 * shaping, the response).
 */
async function pageTimeline(probe: StackProbe, pages: number): Promise<PageTimeline> {
  const perPhase = new Map<string, { kind: TimelinePhase['kind']; values: number[] }>();
  const add = (phase: string, kind: TimelinePhase['kind'], ms: number) => {
    const known = perPhase.get(phase) ?? { kind, values: [] };
    known.values.push(ms);
    perPhase.set(phase, known);
  };
  const totals: number[] = [];
  const systems: number[] = [];
  const systemsOwn: number[] = [];
  const systemsHeld: number[] = [];
  for (let page = 0; page < pages; page += 1) {
    await probe.dropCaches();
    await probe.resetCounts();
    const since = Date.now();
    await probe.query(ORDERS_PAGE, { first: 100 });
    const pageMs = Date.now() - since;
    totals.push(pageMs);
    const chain = systemsChain(await probe.estate.answered());
    systems.push(chain.reduce((sum, answer) => sum + answer.ms, 0));
    systemsOwn.push(chain.reduce((sum, answer) => sum + answer.ms - answer.heldMs, 0));
    systemsHeld.push(chain.reduce((sum, answer) => sum + answer.heldMs, 0));
    const levels = probe.levels(since);
    if (levels.length === 0) continue;
    add('before the first system call (planning, the store\'s SQL)', 'ours', levels[0]!.startMs);
    levels.forEach((level, index) => {
      if (index > 0) add(`between level ${index} and level ${index + 1} (our CPU only)`, 'ours', level.startMs - levels[index - 1]!.endMs);
      add(`level ${level.level}: its system calls, first start to last end (${SYSTEM_DELAY_MS} ms of it injected)`, 'level', level.endMs - level.startMs);
    });
    add('after the last answer (result shaping, the response)', 'ours', pageMs - levels[levels.length - 1]!.endMs);
  }
  const phases = [...perPhase.entries()].map(([phase, { kind, values }]) => ({ phase, kind, medianMs: median(values) }));
  return { pages, pageMedianMs: median(totals), phases, systemsMedianMs: median(systems), systemsOwnMedianMs: median(systemsOwn), systemsHeldMedianMs: median(systemsHeld) };
}

/**
 * The systems' own time of a page, call by call: the longest chain of its answers, each asked after the one before was
 * answered, as the systems timed them ({@link longestChain}; credentials left out: they are fetched once, not per page).
 */
function systemsChain(answered: readonly AnsweredRequest[]): { ms: number; heldMs: number }[] {
  const data = answered.filter((answer) => !AUTH_OPERATIONS.has(answer.operation));
  return longestChain(data.map((answer) => ({ start: answer.receivedAt, end: answer.answeredAt, heldMs: answer.heldMs }))).map((call) => ({ ms: call.end - call.start, heldMs: call.heldMs }));
}

/** Uncached pages served under the profiler, after the timed ones (so the profiler's cost is in no figure). */
const PROFILED_PAGES = 15;

/** Serves uncached pages under V8's profiler and answers where the CPU went. */
async function profilePages(probe: StackProbe, pages: number): Promise<IntegrationReport['pageProfile']> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    for (let page = 0; page < pages; page += 1) {
      await probe.dropCaches();
      await probe.query(ORDERS_PAGE, { first: 100 });
    }
    const { profile } = await session.post('Profiler.stop');
    return { pages, ...summarise(profile as unknown as { nodes: CpuProfileNode[] }) };
  } finally {
    session.disconnect();
  }
}

/** The cursors that start each page of 100 orders (null: the first page). */
export async function pageCursors(probe: StackProbe): Promise<(string | null)[]> {
  const pages = Math.ceil(generateEstate().orders.length / 100);
  const all = await probe.query('query($first: Int) { orders(first: $first) { edges { cursor } } }', { first: pages * 100 > 500 ? 500 : pages * 100 });
  const edges = (all.data as { orders: { edges: { cursor: string }[] } }).orders.edges;
  return [null, ...edges.filter((_, index) => (index + 1) % 100 === 0).map((edge) => edge.cursor)].slice(0, pages);
}

async function timePath(probe: StackProbe, samples: number, cursors: readonly (string | null)[], uncached: boolean): Promise<PathFigures> {
  const times: number[] = [];
  const callsPerSystem: Record<string, number> = {};
  let errors = 0;
  let cpuMicros = 0;
  const systems: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    if (uncached) await probe.dropCaches();
    await probe.resetCounts();
    const cpu = process.cpuUsage();
    const answer = await probe.timed(ORDERS_PAGE, { first: 100, after: cursors[sample % cursors.length] });
    if (answer.nodes !== 100) errors += 1;
    errors += answer.errors;
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    times.push(answer.ms);
    for (const [system, count] of Object.entries(await probe.counts())) callsPerSystem[system] = Math.max(callsPerSystem[system] ?? 0, count);
    systems.push(systemsChain(await probe.estate.answered()).reduce((sum, answer) => sum + answer.ms, 0));
  }
  return { samples, p50Ms: median(times), p99Ms: percentile(times, 99), callsPerSystem, errors, cpuMsPerQuery: cpuMicros / samples / 1_000, systemsMedianMs: median(systems) };
}

/**
 * One system hangs (its sandbox holds every answer for ten minutes). Pages that need it wait for its timeout until
 * its breaker opens, then fail fast (its fields null, stale copies where there are some); the inventory query,
 * which does not need it, is timed all along.
 */
async function failurePath(stack: TestStack, probe: StackProbe, settings: IntegrationSettings, cursors: readonly (string | null)[], log: (line: string) => void): Promise<FailureReport> {
  const skus = generateEstate().items.map((item) => item.sku);
  let skuIndex = 0;
  const inventory = async () => {
    await probe.dropCaches(['erp']);
    return probe.query(INVENTORY_ITEM, { sku: skus[(skuIndex += 1) % skus.length] });
  };
  const untilDone = async (done: () => boolean): Promise<number[]> => {
    const times: number[] = [];
    while (!done()) times.push((await inventory()).ms);
    return times;
  };
  const baselineUntouched: number[] = [];
  for (let sample = 0; sample < 20; sample += 1) baselineUntouched.push((await inventory()).ms);
  const baselinePages: number[] = [];
  for (let sample = 0; sample < 5; sample += 1) {
    await probe.dropCaches([HUNG_SYSTEM]);
    baselinePages.push((await probe.query(ORDERS_PAGE, { first: 100 })).ms);
  }

  await probe.estate.setFault([HUNG_SYSTEM], { mode: 'slow', delayMs: 600_000 });
  try {
    await probe.dropCaches([HUNG_SYSTEM]);
    // Pages that need the hung system, HUNG_CONCURRENCY at a time, until its breaker opens: the calls that succeeded
    // in the breaker's rolling window before the hang decide how many failures that takes. Each client asks a page of
    // its own, as six users would: identical requests wait for the one running and share its answer (the response
    // cache), so six clients asking the same page made one call to the hung system every timeout, too few for the
    // breaker's window, and it never opened.
    const isOpen = () => stack.resilience.breakerStates().some((state) => state.system === HUNG_SYSTEM && state.state === 'open');
    const giveUpAt = performance.now() + BREAKER_PATIENCE_MS;
    let hanging = true;
    const hungPages = Promise.all(
      Array.from({ length: HUNG_CONCURRENCY }, async (_, client) => {
        const answers: { ms: number }[] = [];
        const variables = { first: 100 - Math.floor(client / cursors.length), after: cursors[client % cursors.length] };
        while (!isOpen() && performance.now() < giveUpAt) answers.push(await probe.query(ORDERS_PAGE, variables));
        return answers;
      }),
    ).then((lists) => lists.flat()).finally(() => (hanging = false));
    const [pagesBefore, untouchedDuring] = await Promise.all([hungPages, untilDone(() => !hanging)]);
    const breakerOpened = isOpen();
    log(`  ${HUNG_SYSTEM} hung: ${pagesBefore.length} pages waited p99 ${percentile(pagesBefore.map((page) => page.ms), 99).toFixed(0)} ms; breaker ${breakerOpened ? 'open' : 'NOT open'}`);

    const pagesAfter: { ms: number; open: boolean }[] = [];
    const until = performance.now() + settings.openSeconds * 1_000;
    const [, untouchedAfter] = await Promise.all([
      (async () => {
        while (performance.now() < until) {
          await probe.dropCaches([HUNG_SYSTEM]);
          const started = performance.now();
          const response = await fetch(stack.gateway.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: ORDERS_PAGE, variables: { first: 100 } }),
          });
          const text = await response.text();
          pagesAfter.push({ ms: performance.now() - started, open: text.includes('CIRCUIT_OPEN') });
        }
      })(),
      untilDone(() => performance.now() >= until),
    ]);
    return {
      system: HUNG_SYSTEM,
      timeoutMs: loadIntegrationMap().map.systems[HUNG_SYSTEM]?.timeoutMs ?? Number.NaN,
      baselineP99Ms: percentile(baselinePages, 99),
      beforeOpen: { queries: pagesBefore.length, p99Ms: percentile(pagesBefore.map((page) => page.ms), 99) },
      afterOpen: {
        queries: pagesAfter.length,
        p50Ms: median(pagesAfter.map((page) => page.ms)),
        p99Ms: percentile(pagesAfter.map((page) => page.ms), 99),
        openCodes: pagesAfter.filter((page) => page.open).length,
      },
      breakerOpened,
      untouched: {
        baselineP99Ms: percentile(baselineUntouched, 99),
        duringHangP99Ms: percentile(untouchedDuring, 99),
        afterOpenP99Ms: percentile(untouchedAfter, 99),
        queries: untouchedDuring.length + untouchedAfter.length,
      },
    };
  } finally {
    await probe.estate.setFault([HUNG_SYSTEM], { mode: 'slow', delayMs: SYSTEM_DELAY_MS });
  }
}
