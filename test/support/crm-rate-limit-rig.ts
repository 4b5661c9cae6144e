import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db';
import { loadIntegrationMap, type IntegrationMap } from '../../src/integration-map';
import type { CallRecord } from '../../src/resilience';
import { composeSystems, type ComposedSystems } from '../../src/runtime/compose-systems';
import { CRM_SANDBOX_CREDENTIALS, createCrmSandbox } from '../../src/systems/crm/sandbox';
import { startSandbox, type RunningSandbox } from '../../src/systems/kit/sandbox';
import { generateEstate } from '../../src/systems/kit/seed';

/** The CRM composed alone against its sandbox, the map declaring 10 calls per 10 s, every call recorded. */
export interface CrmRateLimitRig {
  readonly db: Database;
  readonly sandbox: RunningSandbox;
  readonly composed: ComposedSystems;
  readonly calls: CallRecord[];
  close(): Promise<void>;
}

/**
 * Starts the rig with the sandbox enforcing (and announcing) `sandboxMax` calls per 10 s. A one-second timeout makes a
 * call that would wait for a token of our own bucket fail at once, as our refusal; reads are not retried.
 */
export async function startCrmRateLimitRig(sandboxMax: number): Promise<CrmRateLimitRig> {
  const dir = await mkdtemp(path.join(tmpdir(), 'plugboard-crm-rate-'));
  const db = await openDatabase(undefined, { dataDir: dir });
  await db.migrate();
  const sandbox = await startSandbox(createCrmSandbox(generateEstate(), { rateLimit: { max: sandboxMax, intervalMs: 10_000 } }));
  const declared = loadIntegrationMap().map;
  const map: IntegrationMap = { ...declared, systems: { ...declared.systems, crm: { ...declared.systems['crm']!, rateLimit: { requests: 10, perSeconds: 10 }, timeoutMs: 1_000 } } };
  const { clientId, clientSecret, refreshToken } = CRM_SANDBOX_CREDENTIALS;
  const calls: CallRecord[] = [];
  const composed = await composeSystems({
    config: loadConfig({ PLUGBOARD_DATA_DIR: dir, PLUGBOARD_LOG_LEVEL: 'silent' }),
    db,
    logger: pino({ level: 'silent' }),
    map,
    connections: { crm: { baseUrl: sandbox.url, clientId, clientSecret, refreshToken } as never },
    only: ['crm'],
    onCall: (record) => calls.push(record),
    systems: { crm: { retries: 0 } },
  });
  return {
    db,
    sandbox,
    composed,
    calls,
    async close() {
      await composed.close();
      await sandbox.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
