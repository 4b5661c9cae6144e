import path from 'node:path';
import { loadOrCreatePki } from '../pki';
import { SYSTEM_REGISTRY, systemNamed, type Connection, type SandboxInstance } from '../systems';
import { startSandbox, type RunningSandbox } from '../systems/kit/sandbox';
import type { EstateSeed } from '../systems/kit/seed';
import { GATEWAY_PORT } from '../config/ports';
import type { SystemConnections } from './connections';

/** A system that has a sandbox (every one but the store). */
export type SandboxName = string;

export interface RunningEstate extends AsyncDisposable {
  readonly sandboxes: Readonly<Record<SandboxName, RunningSandbox>>;
  /** How the adapters reach the sandboxes, with the sandboxes' demo credentials. */
  readonly connections: SystemConnections;
  /** Tells the sandboxes that call back (the payments sandbox's webhooks) where the gateway listens, once it does. */
  setGatewayOrigin(origin: string): void;
  close(): Promise<void>;
}

export interface StartSandboxesOptions {
  readonly estate: EstateSeed;
  /** Where the test PKI for courier A lives (made on first start, renewed before it expires). */
  readonly dataDir: string;
  /** `fixed`: each sandbox on its port from its system's definition (4101…); `ephemeral`: any free port (tests). */
  readonly ports: 'fixed' | 'ephemeral';
  readonly host?: string;
  /** Payment search clauses per call: the sandbox allows what the demo's adapter sends (the vendor itself allows 10). */
  readonly maxSearchClauses?: number;
  /** CRM token lifetime. @default 1800 */
  readonly crmTokenTtlSeconds?: number;
  /**
   * Where the payments sandbox sends its webhooks. @default the gateway's endpoint on its documented port with fixed
   * ports (`npm run sandboxes` beside `npm run gateway`); none with ephemeral ones until setGatewayOrigin is called
   */
  readonly paymentsWebhookUrl?: string;
  /** Only these systems' sandboxes: the estate's (those its integration map declares). @default every system's */
  readonly only?: readonly string[];
  /**
   * Whether sandboxes that hold their own answers to the vendor's schema (courier A, with xmllint) do so; requests are
   * checked either way. Off where the sandboxes stand in for other companies' machines under measurement (the
   * benchmark's estate): a real vendor's checks do not run on our cores. @default true
   */
  readonly checkAnswers?: boolean;
}

/** Tuning a sandbox may read by its name (see each system's `sandbox.create`). */
const tuningOf = (options: Partial<StartSandboxesOptions>): Record<string, unknown> => ({
  maxSearchClauses: options.maxSearchClauses,
  crmTokenTtlSeconds: options.crmTokenTtlSeconds,
  paymentsWebhookUrl: options.paymentsWebhookUrl,
  checkAnswers: options.checkAnswers,
  gatewayPort: GATEWAY_PORT,
});

const hostForUrl = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

/**
 * Connections to the sandboxes of another process (`npm run sandboxes`) on their fixed ports: what a process of its
 * own (a subgraph, a worker) uses while PLUGBOARD_SANDBOXES=on.
 */
export async function fixedSandboxConnections(dataDir: string, host = '127.0.0.1', only?: readonly string[]): Promise<SystemConnections> {
  const pki = (await loadOrCreatePki(path.join(dataDir, 'pki'), { renewWithinDays: 7 })).pki;
  const connections: Record<string, Connection> = {};
  for (const system of SYSTEM_REGISTRY) {
    if (!system.sandbox || (only && !only.includes(system.name))) continue;
    const url = `${system.sandbox.scheme ?? 'http'}://${hostForUrl(host)}:${system.sandbox.port}`;
    connections[system.name] = system.sandbox.connection(url, { pki, tuning: tuningOf({}) });
  }
  return connections;
}

/** Starts every sandbox of the estate, seeded from one estate, so that every system agrees at the start. */
export async function startSandboxes(options: StartSandboxesOptions): Promise<RunningEstate> {
  const pki = (await loadOrCreatePki(path.join(options.dataDir, 'pki'), { renewWithinDays: 7 })).pki;
  const tuning = tuningOf(options);
  const started: { name: string; running: RunningSandbox; instance: SandboxInstance }[] = [];
  try {
    for (const system of SYSTEM_REGISTRY) {
      if (!system.sandbox || (options.only && !options.only.includes(system.name))) continue;
      const instance = system.sandbox.create({ estate: options.estate, pki, ports: options.ports, tuning });
      const port = options.ports === 'fixed' ? system.sandbox.port : 0;
      started.push({ name: system.name, instance, running: await startSandbox(instance.definition, { port, host: options.host }) });
    }
  } catch (error) {
    await Promise.all(started.map(({ running }) => running.close()));
    throw error;
  }
  const sandboxes = Object.fromEntries(started.map(({ name, running }) => [name, running]));
  const connections = Object.fromEntries(
    started.map(({ name, running }) => [name, systemNamed(name)!.sandbox!.connection(running.url, { pki, tuning })]),
  );
  const close = async () => {
    await Promise.all(started.map(({ running }) => running.close()));
  };
  const setGatewayOrigin = (origin: string) => {
    for (const { instance } of started) instance.onGatewayOrigin?.(origin);
  };
  return { sandboxes, connections, setGatewayOrigin, close, [Symbol.asyncDispose]: close };
}
