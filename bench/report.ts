import type { FederationReport, FederationRow, FederationSettings } from './federation/run-federation';
import { nodeFlagsOf, TARGET_TITLES, type Target } from './federation/gateways';
import type { GatewayProfile } from './federation/profile';
import type { IntegrationReport, IntegrationSettings } from './integration/run-integration';
import { SYSTEM_DELAY_MS } from './integration/run-integration';
import type { WriteFigures, WriteSettings } from './integration/run-writes';
import { figure, ratio, table } from './kit/stats';
import type { HeaderMode } from './kit/load';
import { overloadSection, type OverloadReport, type OverloadSettings } from './overload/run-overload';
import { issue19Section } from './report-issue-19';

export interface BenchSettings {
  readonly quick: boolean;
  readonly federation: FederationSettings;
  readonly integration: IntegrationSettings;
  readonly writes: WriteSettings;
  readonly overload: OverloadSettings;
  readonly profileSeconds: number;
}

export interface BenchResults {
  readonly command: string;
  readonly startedAt: Date;
  readonly durationSeconds: number;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string; readonly os: string };
  readonly versions: Readonly<Record<string, string>>;
  readonly settings: BenchSettings;
  readonly federation?: FederationReport;
  readonly integration?: IntegrationReport;
  readonly writes?: readonly WriteFigures[];
  readonly profile?: GatewayProfile;
  readonly overload?: OverloadReport;
}

/** Issue 7's targets. */
const TARGET_RATIO_APOLLO = 2;
const TARGET_RATIO_HIVE = 1.2;
const TARGET_FLOOR_RATIO = 1.2;
const TARGET_RSS_MB = 200;

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const rows = results.federation?.rows ?? [];
  const row = (target: Target, query: string) => rows.find((entry) => entry.target === target && entry.query === query && entry.headers === 'unique');
  for (const query of ['nested', 'one-fetch']) {
    const ours = row('ours', query)?.rpsPerCore;
    const apollo = row('apollo', query)?.rpsPerCore;
    const hive = row('hive', query)?.rpsPerCore;
    if (ours !== undefined && apollo !== undefined) {
      checks.push({ target: `${query}: ours >= ${TARGET_RATIO_APOLLO}x bare Apollo (per core, uncached)`, measured: ratio(ours, apollo), met: ours / apollo >= TARGET_RATIO_APOLLO });
    }
    if (ours !== undefined && hive !== undefined) {
      checks.push({ target: `${query}: ours >= ${TARGET_RATIO_HIVE}x Hive (per core, uncached)`, measured: ratio(ours, hive), met: ours / hive >= TARGET_RATIO_HIVE });
    }
  }
  const oursRss = Math.max(0, ...rows.filter((entry) => entry.target === 'ours').map((entry) => entry.peakRssMb));
  if (rows.length) checks.push({ target: `gateway RSS under load < ${TARGET_RSS_MB} MB`, measured: `${figure(oursRss)} MB`, met: oursRss < TARGET_RSS_MB });
  const integration = results.integration;
  if (integration) {
    checks.push({
      target: `integration p50 within ${TARGET_FLOOR_RATIO}x of the floor (${integration.floorMs} ms)`,
      measured: `${figure(integration.uncached.p50Ms, 1)} ms = ${ratio(integration.uncached.p50Ms, integration.floorMs)} (the systems alone on the same pages: ${figure(integration.uncached.systemsMedianMs, 1)} ms = ${ratio(integration.uncached.systemsMedianMs, integration.floorMs)})`,
      met: integration.uncached.p50Ms <= TARGET_FLOOR_RATIO * integration.floorMs,
    });
    const perLevel = Object.entries(integration.uncached.callsPerSystem).filter(([system]) => system !== 'store');
    const most = Math.max(0, ...perLevel.map(([, count]) => count));
    checks.push({
      target: 'at most one call per system per level',
      measured: perLevel.map(([system, count]) => `${system} ${count}`).join(', '),
      // The ERP is asked at both levels (orders, then items): two calls are one per level.
      met: perLevel.every(([system, count]) => count <= (system === 'erp' ? 2 : 1)) && most <= 2,
    });
  }
  return checks;
}

export function renderReport(results: BenchResults): string {
  const out: string[] = [];
  const { machine, versions, settings } = results;
  out.push(`Command: \`${results.command}\` — ${results.startedAt.toISOString()}, ${figure(results.durationSeconds)} s${settings.quick ? ' (quick: short rounds, a smoke check, not figures to quote)' : ''}`);
  out.push('');
  out.push(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.os}; Node ${machine.node}`);
  out.push(`Versions: ${Object.entries(versions).map(([name, version]) => `${name} ${version}`).join(', ')}`);
  out.push('');
  if (results.federation) out.push(...federationSection(results.federation, settings.federation));
  if (results.integration) out.push(...integrationSection(results.integration, settings.integration));
  if (results.writes?.length) out.push(...writesSection(results.writes, settings.writes));
  if (results.overload) out.push(...overloadSection(results.overload, settings.overload));
  const checks = checkTargets(results);
  if (checks.length) {
    out.push('## Targets (issue 7)', '');
    out.push(table(['target', 'measured', 'met'], checks.map((check) => [check.target, check.measured, check.met ? 'yes' : 'NO'])));
    out.push('');
  }
  out.push(...issue19Section(results));
  out.push(...whyMissed(results, checks));
  if (results.profile) out.push(...profileSection(results.profile));
  if (results.integration) out.push(...pageProfileSection(results.integration.pageProfile));
  return out.join('\n');
}

function federationSection(report: FederationReport, settings: FederationSettings): string[] {
  const out = ['## a. Federation overhead', ''];
  out.push(
    `Four subgraphs (accounts, inventory, products, reviews; @requires/@provides) in one process pinned to CPU 0 with the load generator ` +
      `(autocannon, ${settings.connections} connections); each gateway alone on CPU 1. ${settings.rounds} rounds of ${settings.seconds} s ` +
      `(identical tokens: ${settings.identicalRounds} rounds), targets in alternating order, after ${settings.firstWarmupSeconds} s of load on every target and query ` +
      `before the first round; each figure is taken over a window in the middle of one unbroken load, after ${settings.warmupSeconds} s of it; medians. ` +
      `"per core" = requests per second of the gateway's own CPU time (process.cpuUsage), which cancels other load on the machine; ` +
      `"cores" = how much of its core the gateway used. Same answers from every target: nested ${report.sameAnswers.nested ? 'yes' : 'NO'}, ` +
      `one-fetch ${report.sameAnswers['one-fetch'] ? 'yes' : 'NO'}. RSS once started, before any request: ` +
      `${(Object.entries(report.idleRssMb) as [Target, number][]).map(([target, mb]) => `${TARGET_TITLES[target]} ${figure(mb)} MB`).join(', ')} ` +
      '(every target runs compiled JavaScript from dist/, as `npm start` and `npm run gateway` do; ours with the heap policy `npm run gateway` ' +
      `gives it: ${nodeFlagsOf('ours').join(' ') || 'none'}).`,
    '',
  );
  for (const headers of ['unique', 'identical'] as HeaderMode[]) {
    const rows = report.rows.filter((row) => row.headers === headers);
    if (!rows.length) continue;
    out.push(headers === 'unique' ? '### A token per request (Authorization forwarded to the subgraphs)' : '### The same token on every request', '');
    out.push(
      table(
        ['query', 'target', 'req/s', 'req/s per core', 'cores', 'p50 ms', 'p99 ms', 'peak RSS MB', 'auth forwarded', 'failures'],
        rows.map((row) => [
          row.query,
          TARGET_TITLES[row.target],
          figure(row.rps),
          figure(row.rpsPerCore),
          figure(row.cores, 2),
          figure(row.p50Ms),
          figure(row.p99Ms),
          figure(row.peakRssMb),
          row.forwarded === undefined ? '—' : `${figure(row.forwarded * 100)}%`,
          figure(row.failures),
        ]),
      ),
      '',
    );
    out.push(table(['query', 'ours / bare Apollo (per core)', 'ours / Hive (per core)', 'ours / bare Apollo (req/s)', 'ours / Hive (req/s)', 'ours / direct (per core)'], ratioRows(rows)), '');
  }
  return out;
}

function ratioRows(rows: readonly FederationRow[]): string[][] {
  return ['nested', 'one-fetch'].map((query) => {
    const find = (target: Target) => rows.find((row) => row.target === target && row.query === query);
    const [ours, apollo, hive, direct] = [find('ours'), find('apollo'), find('hive'), find('direct')];
    return [query, ratio(ours?.rpsPerCore, apollo?.rpsPerCore), ratio(ours?.rpsPerCore, hive?.rpsPerCore), ratio(ours?.rps, apollo?.rps), ratio(ours?.rps, hive?.rps), ratio(ours?.rpsPerCore, direct?.rpsPerCore)];
  });
}

function integrationSection(report: IntegrationReport, settings: IntegrationSettings): string[] {
  const systems = Object.keys(report.uncached.callsPerSystem);
  const failure = report.failure;
  return [
    '## b. Integration workload',
    '',
    `The whole product (startStack, embedded: SQLite, in-memory cache) in a process of part b's own, which loads nothing of the other parts (bench/integration/integration-process.ts; node ${report.nodeArgs.length ? report.nodeArgs.join(' ') : "with V8's default heap limits, as issue 19's starting point was measured"}), pinned to CPU 1; the example estate's sandboxes in a process of their own on CPU 0 (they stand in for other companies' machines), every one answering ${SYSTEM_DELAY_MS} ms late. ` +
      `\`orders(first: 100)\` with customer, lines -> item, payment, shipments (test/operations/orders-page.graphql), one query at a time, after ${report.warmUpPages} uncached pages of warm-up (${settings.warmUpSeconds} s, as the federation part warms each gateway: V8 optimises what a page runs, and a fresh process's first hundred pages cost more CPU). ` +
      `Floor = ${report.floorMs / SYSTEM_DELAY_MS} levels x ${SYSTEM_DELAY_MS} ms = ${report.floorMs} ms; system calls seen one after another in an uncached page: ${report.sequentialDepth}.`,
    '',
    table(
      ['path', 'queries', 'p50 ms', 'p99 ms', 'p50 / floor', 'CPU ms per query', 'errors', ...systems.map((system) => `${system} calls`)],
      [
        ['uncached (every read cache emptied first)', report.uncached],
        ['cached (the same page again)', report.cached],
      ].map(([label, path]) => {
        const figures = path as IntegrationReport['uncached'];
        return [label as string, figure(figures.samples), figure(figures.p50Ms, 1), figure(figures.p99Ms, 1), ratio(figures.p50Ms, report.floorMs), figure(figures.cpuMsPerQuery, 1), figure(figures.errors), ...systems.map((system) => figure(figures.callsPerSystem[system]))];
      }),
    ),
    '',
    'Calls: the most one query made to each system (counted by the sandboxes; the store by the resilience layer). The ERP is asked at two levels (orders, then items). ' +
      'The cached page is the same page asked again within its systems\' cache lifetimes: the gateway\'s response cache answers it (src/gateway/response-cache: a lookup, no subgraph runs; its first asking is served from the read caches, including what a system said it has no record of), it waits on no system, and its p50 / floor is against the uncached page\'s floor. ' +
      'CPU ms per query: this process\'s CPU time per page; the whole product runs in it (the client that asks the timed pages runs in the systems\' process, so its own fetch and JSON parsing are not counted), so p50 - floor close to it means the page waits on CPU, not on the systems.',
    '',
    `Where an uncached page's time goes, on its own clock (medians of ${report.timeline.pages} pages, page median ${figure(report.timeline.pageMedianMs, 0)} ms; the medians of the parts need not add up to it exactly):`,
    '',
    table(['part of the page', 'median ms'], report.timeline.phases.map(({ phase, medianMs }) => [phase, figure(medianMs, 0)])),
    '',
    `The systems themselves, on the same pages: along the longest chain of calls in which each was asked after the one before was answered, each as its system timed it (from the request's arrival to the answer's last byte), took ${figure(report.timeline.systemsMedianMs, 1)} ms of a page (median), ` +
      `${figure(report.timeline.systemsHeldMedianMs, 1)} ms of it the injected latency (its timers fire a little late) and ${figure(report.timeline.systemsOwnMedianMs, 1)} ms the stand-ins' own work (building answers, JSON, XML, TLS), which queues on the one core they share while the answers of a level are built one after another. ` +
      `A gateway that cost nothing would answer in that time: ${ratio(report.timeline.systemsMedianMs, report.floorMs)} the floor. Ours took ${ratio(report.timeline.pageMedianMs, report.timeline.systemsMedianMs)} the systems' time on those pages.`,
    '',
    `GraphQL execution alone for the same page: graphql-js runs the page's operation against the client-facing schema (schema/api.graphql) over the page's own answer (${figure(report.executorFloor.answerBytes / 1024, 0)} KB of JSON) held in memory, ` +
      'with no system, subgraph, gateway, cache or HTTP, and turns the result into JSON (medians of 200 runs): ' +
      `${figure(report.executorFloor.syncMs, 1)} ms with every field a plain property, ${figure(report.executorFloor.promisedMs, 1)} ms with every object behind a promise, as resolvers that wait on a loader give them. ` +
      'No engine built on graphql-js serves the page for less.',
    '',
    '## c. Failure path',
    '',
    `${failure.system} hangs (its sandbox holds every answer for 10 minutes; its timeout in the integration map: ${figure(failure.timeoutMs)} ms). ` +
      `Pages that need it are sent six at a time, each client a page of its own, until its breaker opens (${failure.beforeOpen.queries} pages); then one at a time for ${settings.openSeconds} s. ` +
      `The inventory query (store and ERP only) runs one at a time all along. Breaker opened: ${failure.breakerOpened ? 'yes' : 'NO'}.`,
    '',
    table(
      ['query', 'healthy p99 ms', 'hung, breaker closed: p99 ms', 'breaker open: p50 ms', 'breaker open: p99 ms', 'queries'],
      [
        ['orders page (needs payments)', figure(failure.baselineP99Ms, 1), figure(failure.beforeOpen.p99Ms, 0), figure(failure.afterOpen.p50Ms, 1), figure(failure.afterOpen.p99Ms, 1), `${failure.beforeOpen.queries} + ${failure.afterOpen.queries} (${failure.afterOpen.openCodes} with CIRCUIT_OPEN)`],
        ['inventory item (does not)', figure(failure.untouched.baselineP99Ms, 1), figure(failure.untouched.duringHangP99Ms, 1), '—', figure(failure.untouched.afterOpenP99Ms, 1), figure(failure.untouched.queries)],
      ],
    ),
    '',
  ];
}

function writesSection(figures: readonly WriteFigures[], settings: WriteSettings): string[] {
  return [
    '## d. Write path',
    '',
    `\`updateCustomer\` with a bearer token and an idempotency key of its own (owner: the store; followers: CRM and ERP), ${settings.concurrency} at a time for ${settings.seconds} s: ` +
      'the key claimed in the database (so that a copy reaching another process waits for the receipt), then each applied, audited, queued and its claim let go in one transaction. Then the queued follower jobs drained by the outbox worker, timed on their own ' +
      "(the CRM's published budget, 10 requests/s, is lifted for this run: the figure is what the worker and the database do).",
    '',
    table(
      ['database', 'mutations', 'mutations/s', 'p50 ms', 'p99 ms', 'audit rows', 'not applied', 'outbox jobs', 'jobs/s'],
      figures.map((entry) => [entry.database, figure(entry.mutations), figure(entry.mutationsPerSecond), figure(entry.p50Ms, 1), figure(entry.p99Ms, 1), figure(entry.audited), figure(entry.rejected), figure(entry.jobs), figure(entry.jobsPerSecond)]),
    ),
    '',
  ];
}

/** What the run's own figures say about each missed target. */
function whyMissed(results: BenchResults, checks: readonly TargetCheck[]): string[] {
  const notes: string[] = [];
  const missed = (prefix: string) => checks.some((check) => !check.met && check.target.startsWith(prefix));
  const federation = results.federation;
  if (federation && missed('gateway RSS')) {
    const idle = federation.idleRssMb;
    const peak = Math.max(0, ...federation.rows.filter((row) => row.target === 'ours').map((row) => row.peakRssMb));
    notes.push(
      `- **RSS.** Our gateway holds ${figure(idle.ours)} MB once started, before any request (bare Apollo ${figure(idle.apollo)} MB, Hive ${figure(idle.hive)} MB, ` +
        `the bare subgraph process ${figure(idle.direct)} MB), ` +
        `and peaks at ${figure(peak)} MB under ${results.settings.federation.connections} concurrent requests: ${figure(peak - idle.ours)} MB of heap grown under load. ` +
        `The idle figure is code and schema; what grows under load is V8 heap, bounded by the gateway's heap policy (${nodeFlagsOf('ours').join(' ') || 'none'}).`,
    );
  }
  if (federation && (missed('nested: ours') || missed('one-fetch: ours'))) {
    const rounds = (target: Target, query: string) =>
      federation.rows.find((row) => row.target === target && row.query === query && row.headers === 'unique')?.rpsPerCoreByRound.map((value) => figure(value)).join(', ') ?? '—';
    const lines = (['nested', 'one-fetch'] as const).map(
      (query) => `${query}: ours ${rounds('ours', query)}; bare Apollo ${rounds('apollo', query)}; Hive ${rounds('hive', query)}`,
    );
    notes.push(
      `- **Throughput.** Requests per second of gateway CPU, round by round (a token per request): ${lines.join('; ')}. ` +
        'Where one target\'s rounds differ by more than the margin a ratio misses by, the machine, not the gateway, decided it: run again. ' +
        `Our gateway runs with the heap policy of \`npm run gateway\` (${nodeFlagsOf('ours').join(' ') || 'none'}), which keeps it under ${TARGET_RSS_MB} MB; ` +
        'limits from 384 to 2,048 MB, run side by side, gave the same requests per core within the rounds\' noise. The peers run with V8\'s defaults.',
    );
  }
  const integration = results.integration;
  if (integration && missed('integration p50')) {
    const extra = integration.uncached.p50Ms - integration.floorMs;
    const phases = integration.timeline.phases;
    const idleOfSystems = phases.filter(({ kind }) => kind === 'ours').reduce((sum, { medianMs }) => sum + medianMs, 0);
    const beyondInjected = phases.filter(({ kind }) => kind === 'level').reduce((sum, { medianMs }) => sum + medianMs - SYSTEM_DELAY_MS, 0);
    const allowance = (TARGET_FLOOR_RATIO - 1) * integration.floorMs;
    const target = TARGET_FLOOR_RATIO * integration.floorMs;
    const timeline = integration.timeline;
    notes.push(
      `- **Integration floor.** The systems themselves took ${figure(timeline.systemsMedianMs, 1)} ms of a page (part b: the longest chain of calls, each asked after the one before was answered, as the systems timed them), ` +
        `${figure(timeline.systemsHeldMedianMs, 1)} ms of it the injected latency and ${figure(timeline.systemsOwnMedianMs, 1)} ms the stand-ins' own work on the one core they share: ` +
        (timeline.systemsMedianMs >= target
          ? `more than the ${figure(target, 0)} ms the target allows the whole page, so on this machine a gateway that cost nothing would miss it too. `
          : `${figure(target - timeline.systemsMedianMs, 1)} ms less than the ${figure(target, 0)} ms the target allows the whole page: that is what a gateway may spend. `) +
        `Ours: the systems are called at ${integration.sequentialDepth} levels, ${callsBeyondOnePerLevel(integration.uncached.callsPerSystem)}; ` +
        `the page takes ${figure(extra, 1)} ms more than the floor, and the process that runs the whole product spent ${figure(integration.uncached.cpuMsPerQuery, 1)} ms of CPU per uncached page ` +
        `(${figure(integration.cached.cpuMsPerQuery, 1)} ms cached): the time above the floor is our own CPU work (gateway, seven subgraphs, adapters, SQLite), not waiting on systems. ` +
        'The profile of those pages (below) has no single hot spot: GraphQL execution in seven subgraphs and in the gateway (result shaping), Node internals ' +
        '(promises and the async-context hooks that request ids, stale reports and MikroORM\'s transactions use), garbage collection, the store\'s SQL ' +
        '(on SQLite, statements prepared once), courier A\'s XML and the zod checks of every system answer, each a few per cent. Already done, each measured: subgraphs in the ' +
        'gateway\'s process (about a fifth), no cache-control hints in the subgraphs (14%), an LRU map instead of Keyv for the in-memory read cache (11%), ' +
        'an order\'s status and updatedAt settled in resolvers of their own, so that the rest of the page is served while the ERP answers (from the ERP\'s answer ' +
        'to the store subgraph\'s end 6.6 -> 1.3 ms, the second level\'s calls 2.4 ms sooner; medians of 25 pages, two pairs of runs), ' +
        'the records an entity\'s fields read loaded as the gateway names the entities, and a page\'s orders\' settled status and customer loaded for the whole ' +
        'page (promises per page with the read caches warm 12,346 -> 2,504, its CPU 25.2 -> 23.3 ms), the store\'s SQLite reads prepared once (uncached 63.2 -> 61.1 ms), ' +
        'an order\'s customer asked for its id alone answered from the order, without the customers query (57.7 -> 56.6 ms), ' +
        'the subgraphs\' fields answered without type-graphql\'s per-call machinery (read caches warm 19.2 -> 18.1 ms), and each system\'s answer held ' +
        'first against a check compiled once from its zod schema (payments\' search of 100 intents 1.22 -> 0.28 ms, the CRM\'s batch read 0.83 -> 0.10 ms; docs/benchmark.md). ' +
        'Switching parts off one at a time, measured apart from this run (one stack, pages alternating between the two settings): the zod checks of the systems\' answers ' +
        'are about a tenth of a page\'s CPU, keeping the read cache\'s entries about 7%, the integration log and metrics too little to measure, and the ' +
        'async-context hooks about 14% (on Node 20, once any AsyncLocalStorage is entered, a hook runs for every promise: our request ids and stale reports ' +
        'and MikroORM enter one, and the hook stays on for the life of the process; MikroORM enters its own on every transaction and every flush of its ' +
        'unit of work, so doing without them means passing the request\'s context by hand to every loader, port and log line and giving up the ORM\'s ' +
        'flush and transactions; Node 22\'s AsyncContextFrame takes the cost away, but our machines run Node 20). ' +
        `On the page's own clock (the table in part b), ${figure(idleOfSystems, 0)} ms pass with no system asked (before the first call, between levels, after the last answer) ` +
        `and the levels take ${figure(beyondInjected, 0)} ms beyond their injected latency, the answers being handled one after another on the product's one core. ` +
        `${TARGET_FLOOR_RATIO}x the floor leaves ${figure(allowance, 0)} ms above it for all of that; the product spends ${figure(integration.uncached.cpuMsPerQuery, 0)} ms of CPU per page, ` +
        `about ${figure(integration.uncached.cpuMsPerQuery / allowance, 0)} times as much, and no one of those parts is that big. ` +
        `${executorFloorNote(integration.executorFloor, allowance)} ` +
        `The cached page, which asks no system, costs ${figure(integration.cached.cpuMsPerQuery, 1)} ms of CPU: a lookup in the gateway's response cache, no subgraph runs; ` +
        'what it costs is HTTP (Fastify), the front door, Apollo\'s request pipeline and sending the JSON kept with the answer.',
    );
  }
  return notes.length ? ['## Why the missed targets are missed', '', ...notes, ''] : [];
}

/** What GraphQL execution alone (part b) leaves of the target's allowance, and what an engine would need. */
function executorFloorNote(floor: IntegrationReport['executorFloor'], allowanceMs: number): string {
  const measured =
    `GraphQL execution alone, over the page's answer already in memory (part b), takes ${figure(floor.syncMs, 1)} ms with plain fields and ${figure(floor.promisedMs, 1)} ms with each object behind a promise`;
  const engine =
    'Meeting the target would take an embedded engine that executes the page as one schema, without the gateway\'s fetches between subgraphs, ' +
    'that reads every level\'s records first and then shapes the answer without a promise per object, and that handles six system answers in a few milliseconds in all.';
  if (floor.promisedMs >= allowanceMs) {
    return `${measured}: the second alone is more than the ${figure(allowanceMs, 0)} ms, in this process, where every promise pays the async-context hooks. ${engine}`;
  }
  return `${measured}: an engine doing nothing else would leave ${figure(allowanceMs - floor.promisedMs, 1)} ms for the store's SQL, six system calls (HTTP, parsing, checks) and the page's own HTTP. ${engine}`;
}

function pageProfileSection(profile: IntegrationReport['pageProfile']): string[] {
  return [
    `## Where the product's time goes on an uncached integration page (V8 profiler, ${profile.pages} pages, the whole product in one process)`,
    '',
    table(['package', 'self %'], profile.packages.map((line) => [line.name, figure(line.selfPercent, 1)])),
    '',
    table(['function', 'where', 'self %'], profile.functions.map((line) => [line.name, line.where, figure(line.selfPercent, 1)])),
    '',
  ];
}

function profileSection(profile: GatewayProfile): string[] {
  return [
    `## Where our gateway's time goes (V8's profiler, ${profile.seconds} s under load after a warm-up, both queries; start-up not included)`,
    '',
    table(['package', 'self %'], profile.packages.map((line) => [line.name, figure(line.selfPercent, 1)])),
    '',
    table(['function', 'where', 'self %'], profile.functions.map((line) => [line.name, line.where, figure(line.selfPercent, 1)])),
    '',
  ];
}

/** What the uncached page's call counts say of the floor's assumption (one call per system per level; the ERP is asked at two). */
function callsBeyondOnePerLevel(callsPerSystem: Readonly<Record<string, number>>): string {
  const beyond = Object.entries(callsPerSystem).filter(([system, count]) => system !== 'store' && count > (system === 'erp' ? 2 : 1));
  if (beyond.length === 0) return 'one call per system per level, as the floor assumes';
  return `one call per system per level as the floor assumes, except ${beyond.map(([system, count]) => `${system} (${count} calls)`).join(', ')}`;
}
