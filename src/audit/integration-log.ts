import type { EntityData, FilterQuery } from '@mikro-orm/core';
import type { Database } from '../db';
import { IntegrationLogEntity, type IntegrationDirection, type IntegrationOutcome } from '../db/entities';
import type { CallRecord } from '../resilience';
import type { RedactionRules } from '../systems/kit/define-system';
import { redact, redactText } from './redact';

/** One call to or from a system, as the integration log keeps it. */
export interface IntegrationLogEntry {
  /** The system's name in the integration map. */
  readonly adapter: string;
  readonly direction: IntegrationDirection;
  readonly operation: string;
  /** When the call started. */
  readonly timestamp: Date;
  readonly durationMs: number;
  readonly outcome: IntegrationOutcome;
  readonly errorCode?: string;
  /** What went wrong, in words a person can read. */
  readonly reason?: string;
  /** What was sent or received. Kept on failures only, redacted before it is stored. */
  readonly payload?: unknown;
  readonly requestId?: string;
}

/** A row of the integration log, read back. */
export interface IntegrationLogRow {
  readonly id: number;
  readonly adapter: string;
  readonly direction: IntegrationDirection;
  readonly operation: string;
  readonly timestamp: Date;
  readonly durationMs: number;
  readonly outcome: IntegrationOutcome;
  readonly errorCode: string | null;
  readonly reason: string | null;
  readonly payload: unknown;
  readonly requestId: string | null;
}

export interface IntegrationLogQuery {
  readonly adapter?: string;
  readonly direction?: IntegrationDirection;
  readonly outcome?: IntegrationOutcome;
  /** @default 50 */
  readonly limit?: number;
}

export interface IntegrationLogOptions {
  /** Rows written per insert; a full batch is written at once, a partial one after {@link flushIntervalMs}. @default 50 */
  readonly batchSize?: number;
  /** Longest a row waits in memory before it is written. @default 1000 */
  readonly flushIntervalMs?: number;
  /**
   * Rows kept in memory while the database is slow or away; past this the oldest are dropped (and counted), so that a
   * database outage never grows the gateway's memory without bound. @default 10000
   */
  readonly maxBuffered?: number;
  /** The systems' own redaction rules (src/systems' REDACTION_RULES), besides the generic ones. @default none */
  readonly redaction?: readonly RedactionRules[];
  /** The request a call belongs to, read when the call ends (e.g. from an AsyncLocalStorage). */
  readonly requestId?: () => string | undefined;
  /** Told when a batch could not be written or rows were dropped. @default a line on stderr */
  readonly onError?: (error: Error) => void;
}

export interface IntegrationLog extends AsyncDisposable {
  /** Queues a row; never waits for the database. */
  record(entry: IntegrationLogEntry): void;
  /** For createResilience's `onCall`: one outbound row per call, queued. */
  readonly onCall: (record: CallRecord) => void;
  /** Writes every queued row now. */
  flush(): Promise<void>;
  /** The latest rows first. */
  recent(query?: IntegrationLogQuery): Promise<IntegrationLogRow[]>;
  /** Rows dropped since the log was created (buffer full, or a batch the database refused). */
  dropped(): number;
  /** Writes what is queued and stops the timer; later rows are refused. */
  close(): Promise<void>;
}

/**
 * The integration log: one row per call to a system. Calls are queued in memory and written a batch at a time, off
 * the hot path: neither `record` nor `onCall` ever waits for the database, and a database that fails costs log rows,
 * never a call.
 */
export function createIntegrationLog(db: Database, options: IntegrationLogOptions = {}): IntegrationLog {
  const batchSize = options.batchSize ?? 50;
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;
  const maxBuffered = options.maxBuffered ?? 10_000;
  const onError =
    options.onError ?? ((error: Error) => process.stderr.write(`integration log: ${error.message}\n`));

  let queue: EntityData<IntegrationLogEntity>[] = [];
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let active: Promise<void> | undefined;
  let closed = false;

  const write = async (rows: EntityData<IntegrationLogEntity>[]): Promise<void> => {
    try {
      await db.orm.em.fork().insertMany(IntegrationLogEntity, rows);
    } catch (error) {
      dropped += rows.length;
      onError(new Error(`${rows.length} rows not written: ${(error as Error).message}`, { cause: error }));
    }
  };

  const arm = (): void => {
    if (timer || queue.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, flushIntervalMs);
    timer.unref();
  };

  // One writer at a time, so that rows reach the table in the order they were queued.
  const drain = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (active) return active;
    if (queue.length === 0) return Promise.resolve();
    const run = async (): Promise<void> => {
      while (queue.length > 0) {
        const batch = queue.slice(0, batchSize);
        queue = queue.slice(batch.length);
        await write(batch);
      }
    };
    active = run().finally(() => {
      active = undefined;
      // Rows queued between the last batch and now.
      if (queue.length >= batchSize) void drain();
      else arm();
    });
    return active;
  };

  const flush = async (): Promise<void> => {
    do await drain();
    while (active || queue.length > 0);
  };

  const enqueue = (entry: IntegrationLogEntry): void => {
    if (closed) {
      dropped += 1;
      return;
    }
    try {
      queue.push(toRow(entry, options.redaction ?? []));
    } catch (error) {
      // A payload whose getters throw must not fail the call being logged.
      dropped += 1;
      onError(new Error(`a row of ${entry.adapter} ${entry.operation} not kept: ${(error as Error).message}`, { cause: error }));
      return;
    }
    if (queue.length > maxBuffered) {
      const excess = queue.length - maxBuffered;
      queue.splice(0, excess);
      dropped += excess;
      onError(new Error(`${excess} rows dropped: more than ${maxBuffered} waiting to be written`));
    }
    if (queue.length >= batchSize) void drain();
    else arm();
  };

  const onCall = (call: CallRecord): void => {
    // A read the cache answered never reached the system: it is not a call to log.
    if (call.outcome === 'cached') return;
    const failure = call.error as (Error & { code?: string; reason?: unknown; payload?: unknown }) | undefined;
    enqueue({
      adapter: call.system,
      direction: 'outbound',
      operation: call.operation,
      timestamp: call.startedAt,
      durationMs: call.durationMs,
      outcome: call.outcome,
      errorCode: failure?.code,
      reason: failure ? (typeof failure.reason === 'string' ? failure.reason : failure.message) : undefined,
      payload: failure?.payload,
      requestId: options.requestId?.(),
    });
  };

  const close = async (): Promise<void> => {
    closed = true;
    await flush();
  };

  return {
    record: enqueue,
    onCall,
    flush,
    async recent(query = {}) {
      const where: FilterQuery<IntegrationLogEntity> = {};
      if (query.adapter !== undefined) where.adapter = query.adapter;
      if (query.direction !== undefined) where.direction = query.direction;
      if (query.outcome !== undefined) where.outcome = query.outcome;
      const rows = await db.orm.em.fork().find(IntegrationLogEntity, where, {
        orderBy: { timestamp: 'desc', id: 'desc' },
        limit: query.limit ?? 50,
      });
      return rows.map((row) => ({
        id: row.id,
        adapter: row.adapter,
        direction: row.direction,
        operation: row.operation,
        timestamp: row.timestamp,
        durationMs: row.durationMs,
        outcome: row.outcome,
        errorCode: row.errorCode,
        reason: row.reason,
        payload: row.payload,
        requestId: row.requestId,
      }));
    },
    dropped: () => dropped,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function toRow(entry: IntegrationLogEntry, rules: readonly RedactionRules[]): EntityData<IntegrationLogEntity> {
  const failed = entry.outcome === 'error';
  return {
    adapter: entry.adapter.slice(0, 64),
    direction: entry.direction,
    operation: entry.operation.slice(0, 128),
    timestamp: entry.timestamp,
    durationMs: Math.max(0, Math.round(entry.durationMs)),
    outcome: entry.outcome,
    errorCode: entry.errorCode?.slice(0, 64) ?? null,
    reason: entry.reason === undefined ? null : redactText(entry.reason, { maxStringLength: 1_000, rules }),
    // Redacted now, while the caller's object is as it was when the call ended.
    payload: failed && entry.payload !== undefined ? (redact(entry.payload, { rules }) ?? null) : null,
    requestId: entry.requestId?.slice(0, 128) ?? null,
  };
}
