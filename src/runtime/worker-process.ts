import pino, { type Logger } from 'pino';
import { createAlerts } from '../alerts';
import type { Config } from '../config';
import { openDatabase, type Database } from '../db';
import { loadIntegrationMap } from '../integration-map';
import { createOutbox, type Outbox } from '../outbox/outbox';
import { outboxSettingsFrom } from '../outbox/settings';
import { startOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from '../outbox/worker';
import { composeSystems } from './compose-systems';

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
 * An outbox worker with everything it needs, as `npm run worker` runs it: the database of DATABASE_URL (migrated),
 * every system composed by the one composition root (the integration map's policies, the integration log, metrics;
 * the sandboxes of `npm run sandboxes` while PLUGBOARD_SANDBOXES=on, else the *_URL systems), the follower handlers
 * the systems declare, and alerts.
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<RunningWorkerProcess> {
  const { config } = options;
  const logger = options.logger ?? pino({ name: 'plugboard-worker' });
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const { map } = loadIntegrationMap(config.PLUGBOARD_SCHEMA_DIR);
    const db = await openDatabase(config.DATABASE_URL, { dataDir: config.PLUGBOARD_DATA_DIR });
    closers.push(db.close);
    await db.migrate();
    const systems = await composeSystems({ config, db, logger, map });
    closers.push(systems.close);
    const alerts = createAlerts(db, { webhookUrl: config.PLUGBOARD_ALERT_WEBHOOK_URL, logger });
    const outbox = createOutbox(db, { ...outboxSettingsFrom(config), alerts });
    const worker = startOutboxWorker({
      ...options.workerOptions,
      outbox,
      handlers: systems.followerHandlers(),
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
