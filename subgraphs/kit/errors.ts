import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isIntegrationError } from '../../src/domain';
import { unwrapResolverError } from '@apollo/server/errors';
import { isAuthError } from '../../src/auth';
import { WriteRejection } from '../../src/writes/saga';

/** Errors a client can see from a subgraph: integration failures name their system; anything else is masked. */
export function formatSubgraphError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isIntegrationError(original)) {
    return {
      ...formatted,
      message: `${original.system} ${describe(original.code)}: ${original.operation ?? 'call'} failed`,
      extensions: {
        code: original.code,
        system: original.system,
        ...(original.retryAfterMs !== undefined ? { retryAfterMs: original.retryAfterMs } : {}),
      },
    };
  }
  if (isAuthError(original)) {
    return { ...formatted, message: original.message, extensions: { code: original.code } };
  }
  if (original instanceof WriteRejection) {
    return { ...formatted, message: original.message, extensions: { code: original.code } };
  }
  if (original instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  return { message: 'Internal error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

function describe(code: string): string {
  switch (code) {
    case 'UPSTREAM_UNAVAILABLE': return 'is unavailable';
    case 'UPSTREAM_TIMEOUT': return 'did not answer in time';
    case 'UPSTREAM_RATE_LIMITED': return 'is rate limiting us';
    case 'UPSTREAM_BAD_RESPONSE': return 'sent an unexpected answer';
    case 'UPSTREAM_AUTH_FAILED': return 'refused our credentials';
    case 'UPSTREAM_REJECTED': return 'refused the request';
    case 'CIRCUIT_OPEN': return 'is failing (breaker open)';
    case 'SYSTEM_BUSY': return 'was not called: we are busy (our bulkhead is full)';
    case 'REQUEST_TOO_LARGE_FOR_SYSTEM': return 'was sent a request too large by us';
    default: return 'failed';
  }
}

/** A bad argument from the client: rejected before any system is called. */
export function badUserInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

/** Checks `first` of a connection. */
export function pageSize(first: number | null | undefined, bounds: { default: number; max: number }): number {
  const size = first ?? bounds.default;
  if (!Number.isInteger(size) || size < 1 || size > bounds.max) {
    throw badUserInput(`first must be between 1 and ${bounds.max}`, 'first');
  }
  return size;
}
