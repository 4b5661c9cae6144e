import '../kit/guard';
import { mkdtemp, rm } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import type { SandboxName } from '../../src/estate/start-sandboxes';
import type { CallRecord } from '../../src/resilience';
import { startStack } from '../../src/runtime/start-stack';
import type { FaultSetting } from '../../src/systems/kit/sandbox/faults';
import { serveChild } from '../kit/child';

/** What the product saw of its own system calls during a run. */
export interface ProductCounts {
  /** Calls that ended, by outcome code ('ok', 'cached', or the error code). */
  readonly calls: Readonly<Record<string, number>>;
  /** Times a breaker went from closed (or half-open) to open, by system.operation. */
  readonly breakerOpenings: Readonly<Record<string, number>>;
  /** How late the event loop ran (p99 and max, ms): a loop blocked by work or by garbage collection delays every answer. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

/**
 * The product as `npm start` runs it (sandboxes, subgraphs, gateway and database in one process, the node flags of
 * package.json's start script given by the parent), on free ports: the overload benchmark loads its gateway, flips
 * a sandbox's fault switch and reads what the breakers did.
 */
async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'plugboard-overload-'));
  const calls: Record<string, number> = {};
  const openings: Record<string, number> = {};
  const onCall = (record: CallRecord) => {
    const key = record.outcome === 'error' ? (record.error?.code ?? 'error') : record.outcome;
    calls[key] = (calls[key] ?? 0) + 1;
  };
  const stack = await startStack({ config: loadConfig({ ...process.env, PLUGBOARD_DATA_DIR: dataDir }), ports: 'ephemeral', onCall });
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  const last = new Map<string, string>();
  // The breakers' states, sampled: an opening is a change to open (they stay open for their reset timeout, 10 s).
  const sampler = setInterval(() => {
    for (const { system, operation, state } of stack.resilience.breakerStates()) {
      const name = `${system}.${operation}`;
      if (state === 'open' && last.get(name) !== 'open') openings[name] = (openings[name] ?? 0) + 1;
      last.set(name, state);
    }
  }, 100);
  sampler.unref();
  serveChild(
    { url: stack.gateway.url, origin: stack.gateway.origin },
    {
      close: async () => {
        clearInterval(sampler);
        await stack.close();
        await rm(dataDir, { recursive: true, force: true });
      },
      calls: {
        setFault: (args) => {
          const { name, setting } = args as { name: SandboxName; setting: FaultSetting };
          const sandbox = stack.estate?.sandboxes[name];
          if (!sandbox) throw new Error(`no sandbox ${name}`);
          sandbox.setFault(setting);
        },
        counts: (): ProductCounts => ({
          calls: { ...calls },
          breakerOpenings: { ...openings },
          loopDelayP99Ms: loop.percentile(99) / 1e6,
          loopDelayMaxMs: loop.max / 1e6,
        }),
        resetCounts: () => {
          loop.reset();
          for (const key of Object.keys(calls)) delete calls[key];
          for (const key of Object.keys(openings)) delete openings[key];
        },
      },
    },
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
