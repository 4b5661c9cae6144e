import '../kit/guard';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { median } from '../kit/stats';
import { pageCursors } from './run-integration';
import { runTool, withPageToolStack } from './page-tool';
import { ORDERS_PAGE, SANDBOX_NAMES } from './probe';

/**
 * `node dist/bench/integration/profile-page.js [pages] [--profile=file.cpuprofile] [--heap=file.heapprofile] [--cached | --read-cached | --cold=system,...] [--query=file] [--in-process] [--warm=pages] [--across]`: the integration
 * part's stack (estate in a child on CPU 0, the product here on CPU 1, 20 ms on every system), the orders page asked
 * `pages` times (uncached: every read cache emptied first; --cached: the same page again; --read-cached and --cold:
 * the response cache off, no read cache emptied or only those systems'), printing CPU ms per page
 * and p50; with --profile, V8's profile of those pages written for a closer look. A tool for measuring one change
 * before and after, not part of `npm run bench`.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const pages = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 20);
  const profileFile = args.find((arg) => arg.startsWith('--profile='))?.slice('--profile='.length);
  // --heap=file: V8's sampling heap profile of those pages (where the garbage collector's work comes from).
  const heapFile = args.find((arg) => arg.startsWith('--heap='))?.slice('--heap='.length);
  const cached = args.includes('--cached');
  // --read-cached: the response cache off and the read caches kept: what the gateway and the subgraphs cost alone.
  // --cold=crm,erp: only these systems' read caches emptied before each page (response cache off): what each costs.
  const cold = args.find((arg) => arg.startsWith('--cold='))?.slice('--cold='.length).split(',');
  const readCached = args.includes('--read-cached') || cold !== undefined;
  const unknown = cold?.filter((system) => system !== 'store' && !(SANDBOX_NAMES as readonly string[]).includes(system));
  if (unknown?.length) throw new Error(`--cold: no system ${unknown.join(', ')} (the systems: store, ${SANDBOX_NAMES.join(', ')})`);
  // --in-process: the client asks from this process (its fetch and JSON parsing then counted with the product's CPU).
  const inProcess = args.includes('--in-process');
  // --query=file: another page (e.g. the orders page without shipments, to see what the rest costs).
  const queryFile = args.find((arg) => arg.startsWith('--query='))?.slice('--query='.length);
  const query = queryFile ? readFileSync(queryFile, 'utf8') : ORDERS_PAGE;
  // --warm=N: pages asked before the timed ones (default 5), so that V8 has optimised what a page runs.
  const warmUp = Number(args.find((arg) => arg.startsWith('--warm='))?.slice('--warm='.length) ?? 5);
  // --across: the pages across the estate (after each page's last cursor in turn), as part b of `npm run bench` asks
  // them, instead of the first page every time.
  const across = args.includes('--across');
  await withPageToolStack(readCached ? { responseCache: false } : {}, async ({ estate, probe }) => {
    // Before each page: uncached, every read cache emptied; --cold, only those systems'; cached and read-cached, none.
    const prepare = async () => {
      if (!cached && !readCached) await probe.dropCaches();
      if (cold) await probe.dropCaches(cold);
    };
    await estate.window.setFault(SANDBOX_NAMES, { mode: 'slow', delayMs: 20 });
    const cursors = across ? await pageCursors(probe) : [null];
    let asked = 0;
    const variables = () => ({ first: 100, after: cursors[asked++ % cursors.length] });
    // Warm-up: first contact, then pages so that V8 has optimised what runs.
    for (let page = 0; page < warmUp; page += 1) {
      await prepare();
      await probe.query(query, variables());
    }
    const session = new Session();
    session.connect();
    if (profileFile) {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
    }
    if (heapFile) await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    const times: number[] = [];
    let cpuMicros = 0;
    let systemMicros = 0;
    let errors = 0;
    await probe.resetCounts();
    for (let page = 0; page < pages; page += 1) {
      await prepare();
      const cpu = process.cpuUsage();
      const answer = inProcess ? await probe.query(query, variables()) : await probe.timed(query, variables());
      const used = process.cpuUsage(cpu);
      cpuMicros += used.user + used.system;
      systemMicros += used.system;
      times.push(answer.ms);
      errors += answer.errors;
    }
    if (profileFile) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(profileFile, JSON.stringify(profile));
    }
    if (heapFile) {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      await writeFile(heapFile, JSON.stringify(profile));
    }
    session.disconnect();
    const calls = Object.entries(await probe.counts())
      .filter(([, count]) => count > 0)
      .map(([system, count]) => `${system} ${(count / pages).toFixed(1)}`)
      .join(', ');
    process.stdout.write(
      `${cached ? 'cached' : cold ? `cold ${cold.join(',')}` : readCached ? 'read-cached' : 'uncached'} pages: ${pages}, CPU ${(cpuMicros / pages / 1_000).toFixed(1)} ms per page (kernel ${(systemMicros / pages / 1_000).toFixed(1)}), p50 ${median(times).toFixed(1)} ms, errors ${errors}; calls per page: ${calls || 'none'}\n`,
    );
  });
}

runTool(main);
