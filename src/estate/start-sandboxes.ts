import path from 'node:path';
import { loadOrCreatePki, type TestPki } from '../pki';
import { startSandbox, type RunningSandbox, type SandboxDefinition } from '../systems/kit/sandbox';
import { CRM_SANDBOX_CREDENTIALS, createCrmSandbox } from '../systems/crm/sandbox';
import { createErpSandbox, ERP_SANDBOX_CREDENTIALS } from '../systems/erp/sandbox';
import { createPaymentsSandbox, PAYMENTS_SANDBOX_CREDENTIALS } from '../systems/payments/sandbox';
import { createCourierASandbox } from '../systems/courier-a/sandbox';
import { COURIER_B_SANDBOX_CREDENTIALS, createCourierBSandbox } from '../systems/courier-b/sandbox';
import { createLegacySandbox, LEGACY_SANDBOX_CREDENTIALS } from '../systems/legacy/sandbox';
import type { EstateSeed } from '../systems/kit/seed';
import type { SystemConnections } from './connections';
import { GATEWAY_PORT, SYSTEMS, type SystemName } from './systems';
import { PAYMENTS_WEBHOOK_PATH } from '../webhooks';

export type SandboxName = Exclude<SystemName, 'store'>;

export interface RunningEstate extends AsyncDisposable {
  readonly sandboxes: Readonly<Record<SandboxName, RunningSandbox>>;
  /** How the adapters reach the sandboxes, with the sandboxes' demo credentials. */
  readonly connections: SystemConnections;
  /** Where the payments sandbox sends its webhooks: the gateway's endpoint, once it listens. */
  setPaymentsWebhookUrl(url: string | undefined): void;
  close(): Promise<void>;
}

export interface StartSandboxesOptions {
  readonly estate: EstateSeed;
  /** Where the test PKI for courier A lives (made on first start, renewed before it expires). */
  readonly dataDir: string;
  /** `fixed`: each sandbox on its port from the system list (4101…); `ephemeral`: any free port (tests). */
  readonly ports: 'fixed' | 'ephemeral';
  readonly host?: string;
  /** Payment search clauses per call: the sandbox allows what the demo's adapter sends (Stripe itself allows 10). */
  readonly maxSearchClauses?: number;
  /** CRM token lifetime. @default 1800 */
  readonly crmTokenTtlSeconds?: number;
  /**
   * Where the payments sandbox sends its webhooks. @default the gateway's endpoint on its documented port with fixed
   * ports (`npm run sandboxes` beside `npm run gateway`); none with ephemeral ones until setPaymentsWebhookUrl is called
   */
  readonly paymentsWebhookUrl?: string;
}

/** How the adapters reach sandboxes at the given URLs, with the sandboxes' demo credentials. */
export function sandboxConnections(urls: Readonly<Record<SandboxName, string>>, pki: TestPki, maxSearchClauses: number): SystemConnections {
  return {
    crm: { baseUrl: urls.crm, ...CRM_SANDBOX_CREDENTIALS },
    erp: { baseUrl: urls.erp, ...ERP_SANDBOX_CREDENTIALS },
    payments: {
      baseUrl: urls.payments,
      secretKey: PAYMENTS_SANDBOX_CREDENTIALS.secretKey,
      maxSearchClauses,
      webhookSecret: PAYMENTS_SANDBOX_CREDENTIALS.webhookSecret,
    },
    courierA: { baseUrl: urls['courier-a'], tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } },
    courierB: { baseUrl: urls['courier-b'], apiKey: COURIER_B_SANDBOX_CREDENTIALS.apiKey },
    legacy: { baseUrl: urls.legacy, ...LEGACY_SANDBOX_CREDENTIALS },
  };
}

/**
 * Connections to the sandboxes of another process (`npm run sandboxes`) on their fixed ports: what a subgraph run
 * as its own process uses while PLUGBOARD_SANDBOXES=on.
 */
export async function fixedSandboxConnections(dataDir: string, host = '127.0.0.1'): Promise<SystemConnections> {
  const pki = (await loadOrCreatePki(path.join(dataDir, 'pki'), { renewWithinDays: 7 })).pki;
  const urls = Object.fromEntries(
    SYSTEMS.filter((system) => system.sandboxPort).map((system) => [
      system.name,
      `${system.name === 'courier-a' ? 'https' : 'http'}://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${system.sandboxPort}`,
    ]),
  ) as Record<SandboxName, string>;
  return sandboxConnections(urls, pki, DEMO_MAX_SEARCH_CLAUSES);
}

/** Payment search clauses per call in the demo: the sandbox allows what the adapter sends (Stripe itself allows 10). */
export const DEMO_MAX_SEARCH_CLAUSES = 500;

/** Starts every sandbox of the example estate, seeded from one estate, so that every system agrees at the start. */
export async function startSandboxes(options: StartSandboxesOptions): Promise<RunningEstate> {
  const { estate } = options;
  const pki = (await loadOrCreatePki(path.join(options.dataDir, 'pki'), { renewWithinDays: 7 })).pki;
  const maxSearchClauses = options.maxSearchClauses ?? DEMO_MAX_SEARCH_CLAUSES;
  const payments = createPaymentsSandbox(estate, {
    maxSearchClauses,
    webhookUrl: options.paymentsWebhookUrl ?? (options.ports === 'fixed' ? `http://127.0.0.1:${GATEWAY_PORT}${PAYMENTS_WEBHOOK_PATH}` : undefined),
  });
  const definitions: Record<SandboxName, SandboxDefinition> = {
    crm: createCrmSandbox(estate, { tokenTtlSeconds: options.crmTokenTtlSeconds ?? 1800 }),
    erp: createErpSandbox(estate),
    payments,
    'courier-a': createCourierASandbox(estate, { pki: { ca: pki.ca, server: pki.server } }),
    'courier-b': createCourierBSandbox(estate),
    legacy: createLegacySandbox(estate),
  };
  const started: RunningSandbox[] = [];
  try {
    for (const [name, definition] of Object.entries(definitions) as [SandboxName, SandboxDefinition][]) {
      const port = options.ports === 'fixed' ? SYSTEMS.find((system) => system.name === name)?.sandboxPort : 0;
      started.push(await startSandbox(definition, { port, host: options.host }));
    }
  } catch (error) {
    await Promise.all(started.map((sandbox) => sandbox.close()));
    throw error;
  }
  const sandboxes = Object.fromEntries(started.map((sandbox) => [sandbox.name, sandbox])) as Record<SandboxName, RunningSandbox>;
  const urls = Object.fromEntries(started.map((sandbox) => [sandbox.name, sandbox.url])) as Record<SandboxName, string>;
  const connections = sandboxConnections(urls, pki, maxSearchClauses);
  const close = async () => {
    await Promise.all(started.map((sandbox) => sandbox.close()));
  };
  return { sandboxes, connections, setPaymentsWebhookUrl: payments.setWebhookUrl, close, [Symbol.asyncDispose]: close };
}
