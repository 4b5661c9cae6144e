import '../kit/guard';
import { readFileSync } from 'node:fs';
import { serveChild } from '../kit/child';
import { startTarget, TARGETS, type Target } from './gateways';

/** A child process running one benchmark target (a gateway, or the direct subgraph), pinned by its parent. */
async function main(): Promise<void> {
  const target = process.env.BENCH_TARGET as Target;
  if (!TARGETS.includes(target)) throw new Error(`BENCH_TARGET must be one of ${TARGETS.join(', ')}`);
  const supergraph = readFileSync(process.env.BENCH_SUPERGRAPH ?? '', 'utf8');
  const running = await startTarget(target, supergraph);
  serveChild({ url: running.url }, { close: running.close });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
