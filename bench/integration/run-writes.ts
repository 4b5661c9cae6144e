import { randomUUID } from 'node:crypto';
import { MutationAuditEntity, parseDatabaseUrl } from '../../src/db';
import { generateEstate } from '../../src/systems/kit/seed';
import { scratchDatabase } from '../../test/support/scratch-database';
import { startTestStack } from '../../test/support/stack';
import { bearer, mintTestToken } from '../../test/support/tokens';
import { median, percentile } from '../kit/stats';

export interface WriteSettings {
  readonly seconds: number;
  readonly concurrency: number;
}

export interface WriteFigures {
  readonly database: string;
  readonly mutations: number;
  readonly mutationsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Audit rows written during the run: one per applied mutation. */
  readonly audited: number;
  readonly rejected: number;
  readonly jobs: number;
  readonly jobsPerSecond: number;
}

/** The PostgreSQL server the benchmark uses: DATABASE_URL when it names one, else the machine's. */
export const POSTGRES_URL =
  process.env.DATABASE_URL && parseDatabaseUrl(process.env.DATABASE_URL).dialect === 'postgresql'
    ? process.env.DATABASE_URL
    : 'postgresql://postgres@127.0.0.1:5432/test';

const UPDATE_CUSTOMER = 'mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { status auditId followerJobs { state } } }';

/**
 * The write path on one database: `updateCustomer` (owner: the store; followers: CRM and ERP) with a bearer token and
 * an idempotency key of its own (claimed in the database while it is applied: src/writes/idempotency.ts), at
 * fixed concurrency, each applied, audited and queued for the followers in one transaction; then the queued jobs
 * drained by the stack's outbox worker, timed on their own. The worker is held back during the mutations (it polls
 * once an hour) so that the two figures do not share the machine.
 *
 * The CRM's published budget (100 requests per 10 s) would cap the drain at 10 jobs/s whatever the worker can do;
 * it is lifted for this run only, so that the figure says what the worker and the database do.
 */
export async function runWrites(database: 'SQLite' | 'PostgreSQL', settings: WriteSettings): Promise<WriteFigures> {
  const scratch = database === 'PostgreSQL' ? await scratchDatabase(POSTGRES_URL, 'bench') : undefined;
  try {
    const stack = await startTestStack(scratch ? { DATABASE_URL: scratch.url } : {}, {
      workerOptions: { pollMs: 3_600_000 },
      systems: { crm: { rateLimit: null } },
    });
    try {
      const worker = stack.writePath.worker;
      if (!worker) throw new Error('the benchmark stack runs no outbox worker');
      const customers = generateEstate().customers.map((customer) => customer.id);
      const headers = { 'content-type': 'application/json', ...bearer(await mintTestToken({ subject: 'bench', scopes: ['customers:write'] })) };
      const auditsBefore = await stack.db.orm.em.fork().count(MutationAuditEntity, {});
      const jobsBefore = await stack.writePath.outbox.counts();

      let next = 0;
      const runId = randomUUID();
      const times: number[] = [];
      let rejected = 0;
      const until = performance.now() + settings.seconds * 1_000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: settings.concurrency }, async () => {
          while (performance.now() < until) {
            const n = (next += 1);
            const input = { id: customers[n % customers.length], name: `Bench Customer ${n}` };
            const sent = performance.now();
            // Each mutation with an Idempotency-Key of its own, as a client that may retry sends it.
            const response = await fetch(stack.gateway.url, {
              method: 'POST',
              headers: { ...headers, 'idempotency-key': `bench-${runId}-${n}` },
              body: JSON.stringify({ query: UPDATE_CUSTOMER, variables: { input } }),
            });
            const body = (await response.json()) as { data?: { updateCustomer?: { status: string } } };
            times.push(performance.now() - sent);
            if (body.data?.updateCustomer?.status !== 'APPLIED') rejected += 1;
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1_000;
      const audited = (await stack.db.orm.em.fork().count(MutationAuditEntity, {})) - auditsBefore;

      const queued = await stack.writePath.outbox.counts();
      const pending = (queued.pending ?? 0) - (jobsBefore.pending ?? 0);
      const drainStarted = performance.now();
      const drained = await worker.drain();
      const drainSeconds = (performance.now() - drainStarted) / 1_000;
      const after = await stack.writePath.outbox.counts();
      if ((after.pending ?? 0) > 0 || drained < pending) throw new Error(`the outbox did not drain: ${JSON.stringify(after)}`);
      return {
        database,
        mutations: times.length - rejected,
        mutationsPerSecond: (times.length - rejected) / elapsed,
        p50Ms: median(times),
        p99Ms: percentile(times, 99),
        audited,
        rejected,
        jobs: drained,
        jobsPerSecond: drained / drainSeconds,
      };
    } finally {
      await stack.close();
    }
  } finally {
    await scratch?.drop();
  }
}
