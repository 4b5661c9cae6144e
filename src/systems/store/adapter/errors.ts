import {
  ConnectionException,
  DriverException,
  type ExceptionConverter,
  ConstraintViolationException,
  DatabaseObjectNotFoundException,
  DeadlockException,
  InvalidFieldNameException,
  LockWaitTimeoutException,
} from '@mikro-orm/core';
import { IntegrationError, type IntegrationErrorCode } from '../../../domain';
import type { CallSite } from '../../kit/adapter';

const UNREACHABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN',
]);

/**
 * Maps what the database driver threw (MikroORM's exceptions, pg's SQLSTATE codes, libsql's SQLITE_* codes, network
 * errors) onto our closed set. The reason names the kind of failure, never the SQL (it can carry customer data).
 */
export function errorFromDatabase(
  site: CallSite,
  thrown: unknown,
  converter: ExceptionConverter,
  signal?: AbortSignal,
): IntegrationError {
  if (thrown instanceof IntegrationError) return thrown;
  if (signal?.aborted) return fail(site, 'UPSTREAM_TIMEOUT', 'no answer in time', thrown);
  // The query builder hands back the driver's raw error; the platform's converter names it the way em.find would.
  const error = thrown instanceof Error && !(thrown instanceof DriverException) && codeOf(thrown) !== ''
    ? converter.convertException(thrown)
    : thrown;
  const code = codeOf(error);
  const name = (error as { name?: string } | null)?.name ?? '';
  const message = error instanceof Error ? error.message : '';

  if (UNREACHABLE.has(code) || error instanceof ConnectionException || code.startsWith('08')) {
    return fail(site, 'UPSTREAM_UNAVAILABLE', `the database could not be reached${code ? ` (${code})` : ''}`, error);
  }
  if (code === '28P01' || code === '28000') {
    return fail(site, 'UPSTREAM_AUTH_FAILED', 'the database refused our credentials', error);
  }
  if (code === '3D000') return fail(site, 'UPSTREAM_UNAVAILABLE', 'the database does not exist', error);
  if (
    code === '57014' || code === '55P03' || code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' ||
    name === 'KnexTimeoutError' || error instanceof LockWaitTimeoutException || error instanceof DeadlockException
  ) {
    return fail(site, 'UPSTREAM_TIMEOUT', 'the database did not answer in time (busy or locked)', error);
  }
  if (code.startsWith('57P') || code.startsWith('53') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_IOERR') {
    return fail(site, 'UPSTREAM_UNAVAILABLE', `the database is not serving (${code})`, error);
  }
  if (/unable to acquire a connection|pool is (probably )?(destroyed|closed)|not connected/i.test(message)) {
    return fail(site, 'UPSTREAM_UNAVAILABLE', 'the database connection is closed', error);
  }
  if (error instanceof DatabaseObjectNotFoundException || error instanceof InvalidFieldNameException) {
    return fail(site, 'UPSTREAM_UNAVAILABLE', 'the database schema is behind the code: run the migrations', error);
  }
  if (error instanceof ConstraintViolationException) {
    return fail(site, 'UPSTREAM_REJECTED', `the database refused the change (${name})`, error);
  }
  return fail(site, 'UPSTREAM_UNAVAILABLE', `database error (${code || name || 'unknown'})`, error);
}

export function rejected(site: CallSite, reason: string): IntegrationError {
  return fail(site, 'UPSTREAM_REJECTED', reason);
}

export function corrupt(site: CallSite, reason: string): IntegrationError {
  return fail(site, 'UPSTREAM_BAD_RESPONSE', reason);
}

function fail(site: CallSite, code: IntegrationErrorCode, reason: string, cause?: unknown): IntegrationError {
  return new IntegrationError(code, `${site.system} ${site.operation}: ${reason}`, { ...site, reason, cause });
}

function codeOf(error: unknown): string {
  const found = error as { code?: unknown; errors?: unknown[]; cause?: unknown } | null;
  if (!found || typeof found !== 'object') return '';
  if (typeof found.code === 'string' && found.code !== '') return found.code;
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  if (Array.isArray(found.errors) && found.errors.length > 0) return codeOf(found.errors[0]);
  return found.cause ? codeOf(found.cause) : '';
}
