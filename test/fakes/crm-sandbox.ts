import { createCrmAdapter, type CrmAdapterOptions } from '../../src/systems/crm/adapter';
import { type CustomerDirectory } from '../../src/domain';
import {
  createCrmSandbox,
  CRM_SANDBOX_CREDENTIALS,
  SPEC_VIOLATIONS,
  type CrmSandboxOptions,
  type SpecViolation,
} from '../../src/systems/crm/sandbox';
import { startSandbox, type RunningSandbox } from '../../src/systems/kit/sandbox';
import type { EstateSeed } from '../../src/systems/kit/seed';
export { failureOf } from '../support/failures';

/**
 * What the CRM's test files share: the HubSpot-shaped sandbox started per test, read through its `/_sandbox` windows
 * (records, call counts, what it saw outside HubSpot's reference), and adapters pointed at it.
 */

export interface ContactRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export const OAUTH = {
  clientId: CRM_SANDBOX_CREDENTIALS.clientId,
  clientSecret: CRM_SANDBOX_CREDENTIALS.clientSecret,
  refreshToken: CRM_SANDBOX_CREDENTIALS.refreshToken,
};

/** A private app's bearer header, for calls a test makes as HubSpot's own users would. */
export const BEARER = { authorization: `Bearer ${CRM_SANDBOX_CREDENTIALS.privateAppToken}` };

export async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

export async function record(sandbox: RunningSandbox, collection: string, id: string): Promise<ContactRecord | undefined> {
  const { status, body } = await json<ContactRecord>(`${sandbox.url}/_sandbox/records/${collection}/${encodeURIComponent(id)}`);
  return status === 404 ? undefined : body;
}

export async function callsTo(sandbox: RunningSandbox, operation: string): Promise<number> {
  const { body } = await json<{ byOperation: Record<string, number> }>(`${sandbox.url}/_sandbox/stats`);
  return body.byOperation[operation] ?? 0;
}

export const violationsOf = (sandbox: RunningSandbox): SpecViolation[] => [
  ...sandbox.records.collection<SpecViolation>(SPEC_VIOLATIONS).values(),
];

export interface CrmHarness {
  /** Starts a sandbox, kept to be closed and to have its spec violations checked. */
  crm(options?: CrmSandboxOptions): Promise<RunningSandbox>;
  /** An adapter on that sandbox (OAuth unless the options say otherwise), closed with it. */
  adapter(sandbox: RunningSandbox, options?: Partial<CrmAdapterOptions>): CustomerDirectory;
  /** Every sandbox started so far, with whether only the adapter spoke to it. */
  readonly started: { sandbox: RunningSandbox; adapterOnly: boolean }[];
  close(): Promise<void>;
}

export function createCrmHarness(estate: EstateSeed): CrmHarness {
  const opened: { close(): Promise<void> }[] = [];
  const started: CrmHarness['started'] = [];
  return {
    started,
    async crm(options = {}) {
      const sandbox = await startSandbox(createCrmSandbox(estate, options));
      opened.push(sandbox);
      started.push({ sandbox, adapterOnly: false });
      return sandbox;
    },
    adapter(sandbox, options = {}) {
      const directory = createCrmAdapter({ baseUrl: sandbox.url, ...OAUTH, ...options });
      opened.unshift({ close: async () => { await directory[Symbol.asyncDispose](); } });
      return directory;
    },
    async close() {
      for (const resource of opened.splice(0)) await resource.close();
    },
  };
}
