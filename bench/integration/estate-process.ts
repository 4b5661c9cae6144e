import '../kit/guard';
import type { SandboxName } from '../../src/estate/start-sandboxes';
import { startSandboxes } from '../../src/estate/start-sandboxes';
import type { FaultSetting } from '../../src/systems/kit/sandbox/faults';
import { generateEstate } from '../../src/systems/kit/seed';
import { serveChild } from '../kit/child';
import type { TimedPage } from './probe';

/**
 * The example estate in a process of its own, pinned away from the product: the systems are other companies'
 * machines, so their work (building answers, TLS, JSON, XML) must not be counted on the product's CPU. The benchmark
 * drives their fault switches and reads their stats over the IPC channel; the pages whose CPU is measured are asked
 * from here too (the client is not the product either).
 */
async function main(): Promise<void> {
  const dataDir = process.env.BENCH_ESTATE_DIR;
  if (!dataDir) throw new Error('BENCH_ESTATE_DIR names where the estate keeps its PKI');
  // The stand-ins do what the vendors' machines do, and no more: courier A's sandbox does not hold its own answers to
  // its vendor's schema here (the test suite does). Each xmllint run took the estate's one core for tens of ms while
  // the other systems answered, and counted in their own time (docs/benchmark.md).
  const estate = await startSandboxes({ estate: generateEstate(), dataDir, ports: 'ephemeral', checkAnswers: false });
  const sandboxes = Object.entries(estate.sandboxes) as [SandboxName, (typeof estate.sandboxes)[SandboxName]][];
  serveChild(
    { connections: estate.connections },
    {
      close: () => estate.close(),
      calls: {
        setFault: (args) => {
          const { names, setting } = args as { names: readonly SandboxName[]; setting: FaultSetting };
          for (const name of names) estate.sandboxes[name].setFault(setting);
        },
        stats: () => Object.fromEntries(sandboxes.map(([name, sandbox]) => [name, sandbox.stats.snapshot()])),
        answered: () => sandboxes.flatMap(([, sandbox]) => sandbox.stats.answered()),
        resetStats: () => {
          for (const [, sandbox] of sandboxes) sandbox.stats.reset();
        },
        // The client of the timed pages: its fetch and JSON parsing run here, beside the systems, not in the product's
        // process, whose CPU per page is measured.
        query: async (args) => {
          const { url, query, variables } = args as { url: string; query: string; variables: Record<string, unknown> };
          const started = performance.now();
          const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
          const body = (await response.json()) as { data?: { orders?: { nodes?: unknown[] } } | null; errors?: unknown[] };
          return { ms: performance.now() - started, errors: body.errors?.length ?? 0, nodes: body.data?.orders?.nodes?.length ?? 0 } satisfies TimedPage;
        },
      },
    },
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
