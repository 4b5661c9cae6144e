import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { redactText } from '../audit/redact';
import type { CallRecord } from '../resilience';
import { currentRequestId } from './request-context';

/** Levels PLUGBOARD_LOG_LEVEL accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevel;
  /** @default 'plugboard' */
  readonly name?: string;
  /** Where the JSON lines go. @default stdout */
  readonly destination?: DestinationStream;
}

/**
 * The product's structured log: pino JSON lines, each carrying `requestId` when it is written on behalf of a request
 * (see runWithRequestId), so that one grep follows a client's request through every system call it caused.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    name: options.name ?? 'plugboard',
    level: options.level ?? 'info',
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * One line per call to a system (for createResilience's `onCall`): info when it answered, warn when it failed, debug
 * when the cache answered and no system was called.
 */
export function logSystemCall(logger: Logger, record: CallRecord): void {
  const level: Level = record.outcome === 'error' ? 'warn' : record.outcome === 'cached' ? 'debug' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const failure = record.error;
  logger[level](
    {
      system: record.system,
      operation: record.operation,
      outcome: record.outcome,
      durationMs: Math.round(record.durationMs * 10) / 10,
      ...(record.attempts === undefined ? {} : { attempts: record.attempts }),
      ...(record.keys === undefined ? {} : { keys: record.keys }),
      ...(failure ? { code: failure.code, reason: redactText(failure.reason ?? failure.message) } : {}),
    },
    failure ? `${record.system} ${record.operation} failed: ${failure.code}` : `${record.system} ${record.operation} ${record.outcome}`,
  );
}
