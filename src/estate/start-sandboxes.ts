import path from 'node:path';
import { loadOrCreatePki } from '../pki';
import { startSandbox, type RunningSandbox, type SandboxDefinition } from '../sandboxes/kit';
import { CRM_SANDBOX_CREDENTIALS, createCrmSandbox } from '../sandboxes/crm';
import { createErpSandbox, ERP_SANDBOX_CREDENTIALS } from '../sandboxes/erp';
import { createPaymentsSandbox, PAYMENTS_SANDBOX_CREDENTIALS } from '../sandboxes/payments';
import { createCourierASandbox } from '../sandboxes/courier-a';
import { COURIER_B_SANDBOX_CREDENTIALS, createCourierBSandbox } from '../sandboxes/courier-b';
import { createLegacySandbox, LEGACY_SANDBOX_CREDENTIALS } from '../sandboxes/legacy';
import type { EstateSeed } from '../sandboxes/seed';
import type { SystemConnections } from './connections';
import { SYSTEMS, type SystemName } from './systems';

export type SandboxName = Exclude<SystemName, 'store'>;

export interface RunningEstate extends AsyncDisposable {
  readonly sandboxes: Readonly<Record<SandboxName, RunningSandbox>>;
  /** How the adapters reach the sandboxes, with the sandboxes' demo credentials. */
  readonly connections: SystemConnections;
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
}

/** Starts every sandbox of the example estate, seeded from one estate, so that every system agrees at the start. */
export async function startSandboxes(options: StartSandboxesOptions): Promise<RunningEstate> {
  const { estate } = options;
  const pki = (await loadOrCreatePki(path.join(options.dataDir, 'pki'), { renewWithinDays: 7 })).pki;
  const maxSearchClauses = options.maxSearchClauses ?? 500;
  const definitions: Record<SandboxName, SandboxDefinition> = {
    crm: createCrmSandbox(estate, { tokenTtlSeconds: options.crmTokenTtlSeconds ?? 1800 }),
    erp: createErpSandbox(estate),
    payments: createPaymentsSandbox(estate, { maxSearchClauses }),
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
  const connections: SystemConnections = {
    crm: { baseUrl: sandboxes.crm.url, ...CRM_SANDBOX_CREDENTIALS },
    erp: { baseUrl: sandboxes.erp.url, ...ERP_SANDBOX_CREDENTIALS },
    payments: { baseUrl: sandboxes.payments.url, secretKey: PAYMENTS_SANDBOX_CREDENTIALS.secretKey, maxSearchClauses },
    courierA: { baseUrl: sandboxes['courier-a'].url, tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } },
    courierB: { baseUrl: sandboxes['courier-b'].url, apiKey: COURIER_B_SANDBOX_CREDENTIALS.apiKey },
    legacy: { baseUrl: sandboxes.legacy.url, ...LEGACY_SANDBOX_CREDENTIALS },
  };
  const close = async () => {
    await Promise.all(started.map((sandbox) => sandbox.close()));
  };
  return { sandboxes, connections, close, [Symbol.asyncDispose]: close };
}
