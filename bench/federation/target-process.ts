import '../kit/guard';
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { serveChild } from '../kit/child';
import { startTarget, TARGETS, type Target } from './gateways';

/** A child process running one benchmark target (a gateway, or the direct subgraph), pinned by its parent. */
async function main(): Promise<void> {
  const target = process.env.BENCH_TARGET as Target;
  if (!TARGETS.includes(target)) throw new Error(`BENCH_TARGET must be one of ${TARGETS.join(', ')}`);
  const supergraph = readFileSync(process.env.BENCH_SUPERGRAPH ?? '', 'utf8');
  const running = await startTarget(target, supergraph);
  // V8's profiler, started and stopped by the parent around the load it wants profiled (not the start-up before it).
  const profiler = new Session();
  profiler.connect();
  serveChild(
    { url: running.url },
    {
      close: running.close,
      calls: {
        'profile-start': async () => {
          await profiler.post('Profiler.enable');
          await profiler.post('Profiler.start');
        },
        'profile-stop': async () => (await profiler.post('Profiler.stop')).profile,
      },
    },
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
