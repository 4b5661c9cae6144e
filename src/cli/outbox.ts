import '../telemetry-off';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { openDatabase, type OutboxJobState } from '../db';
import { createOutbox, OUTBOX_JOB_STATES, type OutboxJobView } from '../outbox';

const USAGE = 'usage: npm run outbox -- list [--state pending|running|done|failed|dead] [--limit n] [--json]\n       npm run outbox -- replay <job id>';

/**
 * `npm run outbox -- list [--state dead]` shows the outbox's jobs (of DATABASE_URL, or the SQLite file in
 * PLUGBOARD_DATA_DIR); `npm run outbox -- replay <id>` puts a dead-lettered or failed job back in the queue, due now,
 * with its attempts reset. The next worker delivers it with its original idempotency key.
 */
async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { state: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [command, id] = positionals;
  if (command !== 'list' && command !== 'replay') {
    console.error(USAGE);
    return 2;
  }
  const state = values.state as OutboxJobState | undefined;
  if (state !== undefined && !OUTBOX_JOB_STATES.includes(state)) {
    console.error(`--state ${state}: use one of ${OUTBOX_JOB_STATES.join(', ')}`);
    return 2;
  }
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    console.error(`--limit ${values.limit}: a whole number from 1 to 10000`);
    return 2;
  }
  if (command === 'replay' && !id) {
    console.error(USAGE);
    return 2;
  }

  const config = loadConfig();
  const db = await openDatabase(config.DATABASE_URL, { dataDir: config.PLUGBOARD_DATA_DIR });
  try {
    await db.migrate();
    const outbox = createOutbox(db);
    if (command === 'list') {
      const jobs = await outbox.list({ state, limit });
      console.log(values.json ? JSON.stringify({ jobs }, null, 2) : table(jobs));
      return 0;
    }
    const result = await outbox.replay(id!);
    if (result.replayed) {
      console.log(`replayed job ${result.job.id} (${result.job.system} ${result.job.operation}): pending, due now`);
      return 0;
    }
    console.error(result.code === 'NOT_FOUND' ? `no outbox job ${id}` : `job ${id} is ${result.state}: only failed or dead jobs can be replayed`);
    return 1;
  } finally {
    await db.close();
  }
}

function table(jobs: readonly OutboxJobView[]): string {
  if (jobs.length === 0) return 'no jobs';
  const rows = [
    ['ID', 'SYSTEM', 'OPERATION', 'STATE', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
    ...jobs.map((job) => [
      job.id,
      job.system,
      job.operation,
      job.state,
      `${job.attempts}/${job.maxAttempts}`,
      job.state === 'done' || job.state === 'dead' ? '-' : job.nextAttemptAt.toISOString(),
      (job.lastError ?? '').replace(/\s+/g, ' ').slice(0, 80),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell)).join('  ')).join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
