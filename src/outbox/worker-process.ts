import pino, { type Logger } from 'pino';
import { createAlerts } from '../alerts';
import type { Config } from '../config';
import { openDatabase, type Database } from '../db';
import { connectionsFromConfig } from '../estate/connections';
import { fixedSandboxConnections } from '../estate/start-sandboxes';
import { createReadCache, createResilience } from '../resilience';
import { createEstatePorts } from '../runtime/create-ports';
import { createFollowerHandlers } from '../writes/follower-handlers';
import { createOutbox, type Outbox } from './outbox';
import { outboxSettingsFrom } from './settings';
import { startOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from './worker';

export interface WorkerProcessOptions {
  readonly config: Config;
  /** Structured log of job failures and alerts. @default pino on stdout */
  readonly logger?: Logger;
  readonly workerOptions?: Partial<Omit<OutboxWorkerOptions, 'outbox' | 'handlers' | 'onJob'>>;
}

export interface RunningWorkerProcess extends AsyncDisposable {
  readonly worker: OutboxWorker;
  readonly outbox: Outbox;
  readonly db: Database;
  /** Stops claiming, lets the jobs in hand finish, then closes the connections. */
  close(): Promise<void>;
}

/**
 * An outbox worker with everything it needs, as `npm run worker` runs it: the database of DATABASE_URL (migrated), the
 * estate's ports behind the resilience layer (the sandboxes of `npm run sandboxes` while PLUGBOARD_SANDBOXES=on, else
 * the *_URL systems), the follower handlers, and alerts.
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<RunningWorkerProcess> {
  const { config } = options;
  const logger = options.logger ?? pino({ name: 'plugboard-worker' });
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const connections =
      config.PLUGBOARD_SANDBOXES === 'on' ? await fixedSandboxConnections(config.PLUGBOARD_DATA_DIR, config.PLUGBOARD_INTERNAL_HOST) : connectionsFromConfig(config);
    const db = await openDatabase(config.DATABASE_URL, { dataDir: config.PLUGBOARD_DATA_DIR });
    closers.push(db.close);
    await db.migrate();
    const cache = createReadCache(config.REDIS_URL);
    closers.push(() => cache.disconnect());
    const resilience = createResilience({ cache, systems: {} });
    closers.push(resilience.close);
    const ports = createEstatePorts({ connections, db, resilience });
    closers.push(ports.close);
    const invalidate = (system: string, operation: string, keys: readonly string[]) => resilience.invalidate(system, operation, keys);
    const alerts = createAlerts(db, { webhookUrl: config.PLUGBOARD_ALERT_WEBHOOK_URL, logger });
    const outbox = createOutbox(db, { ...outboxSettingsFrom(config), alerts });
    const worker = startOutboxWorker({
      ...options.workerOptions,
      outbox,
      handlers: createFollowerHandlers({ store: ports.ports.store, directory: ports.ports.directory, erp: ports.ports.erp, payments: ports.ports.payments, legacy: ports.ports.legacy, couriers: ports.ports.couriers, invalidate }),
      onJob: ({ job, outcome, error }) => {
        if (outcome === 'done') return;
        logger.warn({ jobId: job.id, system: job.system, operation: job.operation, attempts: job.attempts, outcome, error }, `outbox job ${outcome}`);
      },
    });
    closers.push(worker.close);
    logger.info({ workerId: worker.id, database: db.dialect }, 'outbox worker started');
    const close = closeAll;
    return { worker, outbox, db, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
