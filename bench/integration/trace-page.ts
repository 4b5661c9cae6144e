import '../kit/guard';
import diagnostics from 'node:diagnostics_channel';
import { Session } from 'node:inspector/promises';
import type { CpuProfileNode } from '../federation/profile';
import { median } from '../kit/stats';
import { runTool, withPageToolStack } from './page-tool';
import { AUTH_OPERATIONS, ORDERS_PAGE, SANDBOX_NAMES } from './probe';
import { pageCursors } from './run-integration';

/**
 * `node dist/bench/integration/trace-page.js [pages] [--warm=N] [--cpu]`: where the time of an uncached page goes that
 * is not the systems' own, on part b's stack (estate in a child on CPU 0 at 20 ms a system, the product here on CPU 1).
 * Each page is cut at what both sides saw: the request reaching our HTTP server and our answer leaving it (Node's
 * `http.server.*` diagnostics channels), each of our system calls (the resilience layer's records), each request
 * written to a system's socket (undici's `undici:client:sendHeaders`) and each request's arrival and answer as the
 * system timed it. The medians of each cut over `pages` pages (after `--warm` pages, default 140) are printed; with
 * `--cpu`, V8's profile of the pages, the functions on the CPU before the first system call, between the ERP's answer
 * and the second level's requests leaving, and after the last call's end. Times of the two processes are compared on
 * the wall clock, so a cut across them is good to about a millisecond. A tool for finding what to change, not part of
 * `npm run bench`.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const pages = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 40);
  const warmUp = Number(args.find((arg) => arg.startsWith('--warm='))?.slice('--warm='.length) ?? 140);
  const cpu = args.includes('--cpu');
  const clock = () => performance.timeOrigin + performance.now();
  let arrived = 0;
  let finished = 0;
  const sent: number[] = [];
  diagnostics.subscribe('http.server.request.start', () => (arrived = clock()));
  diagnostics.subscribe('http.server.response.finish', () => (finished = clock()));
  diagnostics.subscribe('undici:client:sendHeaders', () => void sent.push(clock()));

  const cuts = new Map<string, number[]>();
  const windows = { 'before the first system call': new Map<string, number>(), 'from the ERP\'s answer to the second level\'s requests sent': new Map<string, number>(), 'after the last call': new Map<string, number>() };
  await withPageToolStack({}, async ({ estate, probe }) => {
    await estate.window.setFault(SANDBOX_NAMES, { mode: 'slow', delayMs: 20 });
    const cursors = await pageCursors(probe);
    for (let page = 0; page < warmUp; page += 1) {
      await probe.dropCaches();
      await probe.query(ORDERS_PAGE, { first: 100, after: cursors[page % cursors.length] });
    }
    const session = new Session();
    session.connect();
    for (let page = 0; page < pages; page += 1) {
      await probe.dropCaches();
      await probe.resetCounts();
      sent.length = 0;
      if (cpu) {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 100 });
        await session.post('Profiler.start');
      }
      const answer = await probe.timed(ORDERS_PAGE, { first: 100, after: cursors[page % cursors.length] });
      const profile = cpu ? ((await session.post('Profiler.stop')).profile as unknown as TimedProfile) : undefined;
      const ours = probe.calls.map((call) => ({ system: call.system, operation: call.operation, start: call.startedAt.getTime(), end: call.startedAt.getTime() + call.durationMs }));
      const theirs = (await estate.window.answered()).filter((one) => !AUTH_OPERATIONS.has(one.operation));
      const store = ours.find((call) => call.system === 'store');
      const orders = ours.find((call) => call.system === 'erp' && call.operation === 'findOrdersByOrderIds');
      const ordersThere = theirs.find((one) => one.operation === 'sale.order.web_search_read');
      if (!store || !orders || !ordersThere) throw new Error('the page did not read the store and then the ERP\'s orders: not the page this tool cuts');
      const second = ours.filter((call) => call !== store && call !== orders);
      const secondThere = theirs.filter((one) => one !== ordersThere);
      const secondStart = Math.min(...second.map((call) => call.start));
      const secondSent = sent.filter((at) => at >= secondStart).sort((a, b) => a - b);
      const lastEnd = Math.max(...ours.map((call) => call.end));
      const add = (cut: string, ms: number) => cuts.set(cut, [...(cuts.get(cut) ?? []), ms]);
      add('the whole page, as the client timed it', answer.ms);
      add('request reached our server -> store call starts', store.start - arrived);
      add('store call (its SQL)', store.end - store.start);
      add('store call ends -> ERP orders call starts', orders.start - store.end);
      add('ERP orders call starts -> the ERP has the request', ordersThere.receivedAt - orders.start);
      add('the ERP, as it timed itself', ordersThere.answeredAt - ordersThere.receivedAt);
      add('the ERP answered -> our call ends', orders.end - ordersThere.answeredAt);
      add('our call ends -> second level calls start', secondStart - orders.end);
      add('second level calls start -> first request sent', (secondSent[0] ?? Number.NaN) - secondStart);
      add('second level calls start -> last request sent', (secondSent.at(-1) ?? Number.NaN) - secondStart);
      add('second level calls start -> first arrives', Math.min(...secondThere.map((one) => one.receivedAt)) - secondStart);
      add('second level calls start -> last arrives', Math.max(...secondThere.map((one) => one.receivedAt)) - secondStart);
      add('second level: first arrival -> last answer (the systems)', Math.max(...secondThere.map((one) => one.answeredAt)) - Math.min(...secondThere.map((one) => one.receivedAt)));
      add('last answer -> our last call ends', lastEnd - Math.max(...secondThere.map((one) => one.answeredAt)));
      add('our last call ends -> our answer sent', finished - lastEnd);
      if (profile) {
        const [before, between, after] = Object.values(windows);
        addSamples(profile, arrived, store.start, before);
        addSamples(profile, orders.end, secondSent.at(-1) ?? orders.end, between);
        addSamples(profile, lastEnd, finished, after);
      }
    }
    session.disconnect();
    process.stdout.write(`uncached pages: ${pages} after ${warmUp} of warm-up; medians, ms\n`);
    for (const [cut, values] of cuts) process.stdout.write(`${median(values).toFixed(1).padStart(7)}  ${cut}\n`);
    if (cpu) {
      for (const [name, samples] of Object.entries(windows)) {
        const total = [...samples.values()].reduce((sum, count) => sum + count, 0);
        process.stdout.write(`\n${name}: ${total} samples, the most frequent (function < the packages or folders that called it)\n`);
        for (const [where, count] of [...samples.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
          process.stdout.write(`${((100 * count) / total).toFixed(1).padStart(6)}%  ${where}\n`);
        }
      }
    }
  });
}

interface TimedProfile {
  readonly nodes: readonly (CpuProfileNode & { children?: number[] })[];
  /** Microseconds, on the clock of performance.now() since the process's time origin. */
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Counts the profile's samples taken between `from` and `to` (epoch ms) by function and the code that called it. */
function addSamples(profile: TimedProfile, from: number, to: number, into: Map<string, number>): void {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // V8 stamps samples on its monotonic clock, in microseconds: hrtime's, the same as performance.now() plus an offset.
  const offsetMs = performance.timeOrigin + performance.now() - Number(process.hrtime.bigint() / 1_000n) / 1_000;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index]!;
    const ms = at / 1_000 + offsetMs;
    if (ms < from || ms > to) return;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName || '(anonymous)';
    const callers: string[] = [];
    for (let up = parent.get(id); up !== undefined && callers.length < 3; up = parent.get(up)) {
      const owner = ownerOf(byId.get(up)!.callFrame.url);
      if (owner && callers.at(-1) !== owner) callers.push(owner);
    }
    const key = ['(idle)', '(garbage collector)', '(program)'].includes(name) ? name : `${ownerOf(node.callFrame.url) || 'native'}: ${name} < ${callers.join(' < ')}`;
    into.set(key, (into.get(key) ?? 0) + 1);
  });
}

/** node_modules/<package>, a folder of ours under dist (src/gateway), or node's own module. */
function ownerOf(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + 'node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length).split('/').slice(0, 2).join('/');
  return url.startsWith('node:') ? url : '';
}

runTool(main);
