import { operationFromDocument, type Operation, type Schema } from '@apollo/federation-internals';
import { Kind, type DefinitionNode, type DocumentNode } from 'graphql';
import { compileShaper, shapeCompiled, shaperOf, type ComputeResponse } from './compiled-shaping';

/**
 * Puts the compiled result shaping (./compiled-shaping.ts) in Apollo Gateway's place. Apollo builds the operation
 * anew for each request (`operationFromDocument` from the executor, with `validate: false`), so that call is answered
 * from a cache keyed by the parsed document's nodes, which Apollo Server keeps per query: the second request of a
 * document gets the first one's operation and its compiled tree, and `computeResponse` walks that tree. Nothing in the
 * executor or the walk changes an operation. A document seen once is never compiled.
 */

interface Kept {
  readonly fragments: readonly DefinitionNode[];
  operation: Operation | undefined;
}
/** The executor's operations, by schema and by the document's operation node (the fragments' nodes checked too). */
const kept = new WeakMap<Schema, WeakMap<DefinitionNode, Kept>>();

function sameNodes(a: readonly DefinitionNode[], b: readonly DefinitionNode[]): boolean {
  return a.length === b.length && a.every((node, index) => node === b[index]);
}

type OperationFromDocument = typeof operationFromDocument;

/**
 * `operationFromDocument` as the executor calls it (`validate: false`, the operation node first, then its fragments'):
 * the operation of a document seen before is the one built then, with its tree; any other call goes to Apollo's.
 */
export function keptOperations(original: OperationFromDocument): OperationFromDocument {
  return (schema: Schema, document: DocumentNode, options?: Parameters<OperationFromDocument>[2]): Operation => {
    const [first, ...fragments] = document.definitions;
    if (options?.validate !== false || options.operationName !== undefined || first?.kind !== Kind.OPERATION_DEFINITION || !fragments.every((node) => node.kind === Kind.FRAGMENT_DEFINITION)) {
      return original(schema, document, options);
    }
    let bySchema = kept.get(schema);
    if (!bySchema) kept.set(schema, (bySchema = new WeakMap()));
    const seen = bySchema.get(first);
    if (seen && sameNodes(seen.fragments, fragments)) {
      if (seen.operation) return seen.operation;
      const operation = original(schema, document, options);
      compileShaper(operation);
      seen.operation = operation;
      return operation;
    }
    bySchema.set(first, { fragments, operation: undefined });
    return original(schema, document, options);
  };
}

/** `computeResponse` that walks a kept operation's tree, and leaves any other operation to Apollo's. */
export function compiledResponse(original: ComputeResponse): ComputeResponse {
  return (args) => {
    const shaper = shaperOf(args.operation);
    return shaper ? shapeCompiled(shaper, args.operation, args) : original(args);
  };
}

const INSTALLED = Symbol.for('plugboard.compiledShaping');

/**
 * Puts both in place: on @apollo/gateway's resultShaping module (read by the executor at each call) and on the
 * federation-internals exports the executor holds (plain properties: src/gateway/plain-exports.ts). Answers whether
 * both were found as expected; a gateway version that moved them keeps Apollo's own walk, and the test says so.
 */
export function installCompiledShaping(): boolean {
  const shaping = require('@apollo/gateway/dist/resultShaping') as { computeResponse?: ComputeResponse & { [INSTALLED]?: true } };
  const internals = require('@apollo/federation-internals') as { operationFromDocument?: OperationFromDocument & { [INSTALLED]?: true } };
  if (typeof shaping.computeResponse !== 'function' || typeof internals.operationFromDocument !== 'function') return false;
  if (!shaping.computeResponse[INSTALLED]) {
    shaping.computeResponse = Object.assign(compiledResponse(shaping.computeResponse), { [INSTALLED]: true as const, original: shaping.computeResponse });
  }
  if (!internals.operationFromDocument[INSTALLED]) {
    internals.operationFromDocument = Object.assign(keptOperations(internals.operationFromDocument), { [INSTALLED]: true as const, original: internals.operationFromDocument });
  }
  return true;
}
