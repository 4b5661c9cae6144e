import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';

/** What a benchmark child process reports about itself. */
export interface ProcessUsage {
  /** process.cpuUsage(): microseconds of user and system time since the process started. */
  readonly cpu: NodeJS.CpuUsage;
  readonly rss: number;
  /** The highest RSS sampled (every 50 ms) since the last `reset-peak`. */
  readonly peakRss: number;
}

export type ChildRequest = { id: string; kind: 'usage' | 'reset-peak' | 'stop' } | { id: string; kind: 'call'; name: string; args?: unknown };
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type ChildReply = { id: string; ok: true; value: unknown } | { id: string; ok: false; error: string };
export type ChildReady = { kind: 'ready'; value: unknown };

export interface BenchChild {
  readonly pid: number;
  /** What the child said when it was ready (e.g. its URL). */
  readonly ready: unknown;
  usage(): Promise<ProcessUsage>;
  resetPeak(): Promise<void>;
  call<T>(name: string, args?: unknown): Promise<T>;
  /** Asks the child to close what it runs and exit (a --cpu-prof profile is written then); kills it after 10 s. */
  stop(): Promise<void>;
}

const REGISTER = ['-r', '@swc-node/register'];
/** Whether the benchmark runs compiled (dist/, `npm run bench`): its children then run the compiled files too. */
const COMPILED = __filename.endsWith('.js');

/**
 * Starts `bench/<entry>.ts` (compiled: `dist/bench/<entry>.js`) in a child process pinned to the CPUs given (taskset: every thread it starts inherits
 * the pinning), with an IPC channel, and waits for its `ready` message.
 */
export async function startChild(
  entry: string,
  options: { cpus: string; env?: Record<string, string>; nodeArgs?: readonly string[]; /** Drop the child's stdout (a product logging every call). */ quiet?: boolean },
): Promise<BenchChild> {
  const file = path.join(__dirname, '..', COMPILED ? entry.replace(/\.ts$/, '.js') : entry);
  const child: ChildProcess = spawn('taskset', ['-c', options.cpus, process.execPath, ...(options.nodeArgs ?? []), ...(COMPILED ? [] : REGISTER), file], {
    stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, APOLLO_TELEMETRY_DISABLED: 'true', ...options.env },
  });
  const pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<unknown>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${entry} exited (code ${code}) before it was ready`));
    child.once('exit', onExit);
    child.on('message', (message: ChildReady | ChildReply) => {
      if ('kind' in message && message.kind === 'ready') {
        child.off('exit', onExit);
        resolve(message.value);
        return;
      }
      const reply = message as ChildReply;
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(new Error(reply.error));
    });
  });
  const ask = <T>(request: WithoutId<ChildRequest>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = randomUUID();
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...request, id });
    });
  return {
    pid: child.pid!,
    ready,
    usage: () => ask<ProcessUsage>({ kind: 'usage' }),
    resetPeak: () => ask<void>({ kind: 'reset-peak' }),
    call: <T>(name: string, args?: unknown) => ask<T>({ kind: 'call', name, args }),
    async stop() {
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      ask<void>({ kind: 'stop' }).catch(() => undefined);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * The child's side: answers usage and peak-RSS requests, runs the named calls, and on `stop` closes and exits.
 * Sends `ready` with the value given.
 */
export function serveChild(ready: unknown, options: { close: () => Promise<void>; calls?: Record<string, (args: unknown) => unknown> }): void {
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  sampler.unref();
  const reply = (message: ChildReply) => process.send?.(message);
  process.on('message', (request: ChildRequest) => {
    const answer = async (): Promise<unknown> => {
      switch (request.kind) {
        case 'usage': {
          const rss = process.memoryUsage.rss();
          peakRss = Math.max(peakRss, rss);
          return { cpu: process.cpuUsage(), rss, peakRss } satisfies ProcessUsage;
        }
        case 'reset-peak':
          peakRss = process.memoryUsage.rss();
          return undefined;
        case 'stop':
          clearInterval(sampler);
          await options.close();
          // process.exit (not a kill) so that --cpu-prof writes its profile.
          setImmediate(() => process.exit(0));
          return undefined;
        case 'call': {
          const call = options.calls?.[request.name];
          if (!call) throw new Error(`no call ${request.name}`);
          return call(request.args);
        }
        default: {
          const unreachable: never = request;
          throw new Error(`unknown request ${JSON.stringify(unreachable)}`);
        }
      }
    };
    answer().then(
      (value) => reply({ id: request.id, ok: true, value }),
      (error: unknown) => reply({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // A benchmark that dies leaves no target running: the child goes with its parent.
  process.once('disconnect', () => process.exit(0));
  process.send?.({ kind: 'ready', value: ready } satisfies ChildReady);
}

/** Pins this process (all its threads) to the CPUs given. */
export function pinSelf(cpus: string): void {
  const result = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`taskset could not pin the benchmark to CPU ${cpus}`);
}
