import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError, type ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import { currentRequestId } from '../logging';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * Wraps a subgraph's formatError: what it masks as INTERNAL_SERVER_ERROR is logged in full (the original error's
 * message and stack, the subgraph, the field's path) under the request's id, one line per masked error; the client
 * still sees only the masked answer and that id (from the gateway).
 */
export function loggingMaskedErrors(format: FormatError, logger: Logger, subgraph: string): FormatError {
  return (formatted, error) => {
    const answer = format(formatted, error);
    if (answer.extensions?.['code'] === 'INTERNAL_SERVER_ERROR') {
      const original = unwrapResolverError(error);
      const described =
        original instanceof Error
          ? { type: original.name, message: original.message, stack: original.stack }
          : { type: typeof original, message: String(original) };
      logger.error({ requestId: currentRequestId(), subgraph, path: formatted.path, error: described }, 'masked error');
    }
    return answer;
  };
}

/** Refuses `_service` (the subgraph's SDL) where introspection is off. */
export const noServiceFieldRule: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '_service' && context.getParentType() === context.getSchema().getQueryType()) {
      context.reportError(
        new GraphQLError('_service is off: introspection is off in this profile (PLUGBOARD_INTROSPECTION)', {
          nodes: [node],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      );
    }
  },
});
