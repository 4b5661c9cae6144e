import { createAuth, jwtSecretFrom, type Auth } from '../auth';
import type { Database } from '../db';
import { followersOf, ownerOf, type Order, type SourceOfTruthMatrix } from '../domain';
import { createOutbox, type Outbox, type OutboxOptions } from '../outbox/outbox';
import { startOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from '../outbox/worker';
import type { Resilience } from '../resilience';
import { createWriteUnit } from '../writes/db-unit';
import type { WriteUnit } from '../writes/types';
import { createFollowerHandlers } from '../writes/follower-handlers';
import type { OnceOptions } from '../writes/idempotency';
import { startInterruptedWriteSweep, type InterruptedWrites } from '../writes/interrupted-writes';
import { createWriteService, type CourierRule, type WriteMatrix, type WriteService } from '../writes/write-service';
import type { AdapterPorts } from './create-ports';

export const COURIER_RULES = ['by-size', 'courier-a', 'courier-b', 'both'] as const;
export type CourierRuleName = (typeof COURIER_RULES)[number];

/** The matrix as the write path asks it: one owner per field, and its followers. */
export function writeMatrixOf(matrix: SourceOfTruthMatrix): WriteMatrix {
  return {
    ownerOf(entity, field) {
      const owner = ownerOf(matrix, entity, field);
      if (!owner) throw new Error(`the source-of-truth matrix names no single owner for ${entity}.${field}`);
      return owner;
    },
    followersOf: (entity, field) => followersOf(matrix, entity, field),
  };
}

/** The demo's fan-out rules: which couriers carry an order. */
export function courierRule(name: CourierRuleName): CourierRule {
  switch (name) {
    case 'by-size':
      // Bulky orders (more than two lines) go with both couriers; the rest with courier A.
      return (order: Order) => (order.lines.length > 2 ? ['courier-a', 'courier-b'] : ['courier-a']);
    case 'courier-a':
      return () => ['courier-a'];
    case 'courier-b':
      return () => ['courier-b'];
    case 'both':
      return () => ['courier-a', 'courier-b'];
    default: {
      const unreachable: never = name;
      throw new Error(`unknown courier rule ${String(unreachable)}`);
    }
  }
}

export interface WritePath extends AsyncDisposable {
  readonly writes: WriteService;
  readonly auth: Auth;
  readonly outbox: Outbox;
  /** Absent when this process runs no worker (workers can run as processes of their own). */
  readonly worker: OutboxWorker | undefined;
  /** The sweep that finishes writes whose process died under them. */
  readonly interrupted: InterruptedWrites;
  close(): Promise<void>;
}

export interface WritePathOptions {
  readonly db: Database;
  readonly ports: AdapterPorts;
  readonly resilience: Resilience;
  readonly matrix: WriteMatrix;
  readonly courierRule: CourierRuleName;
  /** Whether this process runs an outbox worker. @default true */
  readonly worker?: boolean;
  readonly workerOptions?: Partial<Omit<OutboxWorkerOptions, 'outbox' | 'handlers'>>;
  readonly readsOpen?: boolean;
  /** Backoff, attempts and alerts of the outbox (its alerts also tell of interrupted writes). */
  readonly outboxOptions?: OutboxOptions;
  /** HS256 secret of the bearer tokens the write path verifies. @default PLUGBOARD_JWT_SECRET of the process, else the demo's */
  readonly jwtSecret?: string;
  /** Leases and waits of idempotency claims, and how often interrupted writes are swept. */
  readonly idempotency?: OnceOptions & { readonly sweepEveryMs?: number };
  /** Told when the write path changed the store outside a mutation: a write a dead process left was finished. */
  readonly onStoreChanged?: () => void;
}

/** The write path: the write service, the outbox and (unless asked not to) a worker that drains it. */
export function createWritePath(options: WritePathOptions): WritePath {
  const { ports, resilience } = options;
  const invalidate = (system: string, operation: string, keys: readonly string[]) => resilience.invalidate(system, operation, keys);
  const outbox = createOutbox(options.db, options.outboxOptions);
  const auth = createAuth({ secret: options.jwtSecret ?? jwtSecretFrom().secret, readsOpen: options.readsOpen ?? true });
  const worker =
    options.worker === false
      ? undefined
      : startOutboxWorker({
          ...options.workerOptions,
          outbox,
          handlers: createFollowerHandlers({ ...ports, invalidate }),
        });
  const writes = createWriteService({
    unit: wakingOnCommit(createWriteUnit(options.db, { maxAttempts: options.outboxOptions?.maxAttempts }), worker),
    matrix: options.matrix,
    directory: ports.directory,
    erp: ports.erp,
    payments: ports.payments,
    couriers: ports.couriers,
    courierRule: courierRule(options.courierRule),
    invalidate,
    idempotency: options.idempotency,
  });
  // Every process that serves writes finishes those a dead process left half-way (src/writes/interrupted-writes.ts).
  const interrupted = startInterruptedWriteSweep({
    finishInterrupted: () => writes.finishInterrupted(),
    alerts: options.outboxOptions?.alerts,
    everyMs: options.idempotency?.sweepEveryMs,
    onFinished: options.onStoreChanged,
  });
  const close = async () => {
    await interrupted.close();
    await worker?.close();
  };
  return { writes, auth, outbox, worker, interrupted, close, [Symbol.asyncDispose]: close };
}

/**
 * The write unit, telling this process's worker of the jobs a mutation queued once its transaction has committed, so
 * that they start at once and an idle worker can poll seldom (src/outbox/worker.ts `idlePollMs`).
 */
function wakingOnCommit(unit: WriteUnit, worker: OutboxWorker | undefined): WriteUnit {
  if (!worker) return unit;
  return {
    ...unit,
    async transaction(work) {
      let queued = false;
      const result = await unit.transaction((tx) =>
        work({
          ...tx,
          enqueue: (job) => {
            queued = true;
            return tx.enqueue(job);
          },
        }),
      );
      if (queued) worker.wake();
      return result;
    },
  };
}
