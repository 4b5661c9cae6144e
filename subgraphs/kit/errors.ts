import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ERROR_CODES, isIntegrationError, type IntegrationErrorCode } from '../../src/domain';
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

/** How the list of error codes (src/domain/error-codes.ts) says an integration failure, after the system's name. */
function describe(code: IntegrationErrorCode): string {
  return ERROR_CODES[code].system.says;
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
