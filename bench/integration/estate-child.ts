import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SystemConnections } from '../../src/estate/connections';
import { startChild } from '../kit/child';
import type { EstateWindow } from './probe';

/** The example estate's sandboxes in a process of their own, and the window the probe watches them through. */
export interface EstateChild {
  /** Where the estate keeps its files (its PKI under `pki/`). */
  readonly dir: string;
  readonly connections: SystemConnections;
  readonly window: EstateWindow;
  /** Stops the process and removes its files. */
  stop(): Promise<void>;
}

/** Starts the estate (integration/estate-process.ts) pinned to `cpus`: the stand-ins' CPU is not the product's. */
export async function startEstateChild(cpus: string): Promise<EstateChild> {
  const dir = await mkdtemp(path.join(tmpdir(), 'plugboard-bench-estate-'));
  const estate = await startChild('integration/estate-process.ts', { cpus, env: { BENCH_ESTATE_DIR: dir } });
  const { connections } = estate.ready as { connections: SystemConnections };
  return {
    dir,
    connections,
    window: {
      setFault: (names, setting) => estate.call('setFault', { names, setting }),
      stats: () => estate.call('stats'),
      answered: () => estate.call('answered'),
      resetStats: () => estate.call('resetStats'),
      query: (url, query, variables) => estate.call('query', { url, query, variables }),
    },
    async stop() {
      await estate.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
