import '../telemetry-off';
import pino from 'pino';
import { assertSafeToServe, ConfigError, loadConfig, UnsafeStartError } from '../config';
import { startWorkerProcess } from '../runtime/worker-process';

/**
 * `npm run worker`: an outbox worker as a process of its own. Any number can run against one database: on PostgreSQL
 * they share the jobs (FOR UPDATE SKIP LOCKED). SIGTERM or SIGINT stops it cleanly: no new claims, the jobs in hand
 * finish, then it exits.
 */
async function main(): Promise<void> {
  const logger = pino({ name: 'plugboard-worker' });
  const config = loadConfig();
  assertSafeToServe(config, 'worker');
  const running = await startWorkerProcess({ config, logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping the outbox worker');
    running.close().then(
      () => {
        logger.info('outbox worker stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ reason: error instanceof Error ? error.message : String(error) }, 'outbox worker stopped with an error');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof UnsafeStartError) console.error(error.message);
  else console.error(error instanceof ConfigError ? `The worker did not start:\n${error.message}` : error);
  process.exit(1);
});
