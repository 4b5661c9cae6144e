import { AsyncLocalStorage } from 'node:async_hooks';

/** A system whose copy of a field disagreed with the one served, and lost by the matrix's rule. */
export interface LosingCopy {
  readonly system: string;
  /** Its value, as it holds it. */
  readonly value: unknown;
}

/** What the matrix chose for one field of one entity, in one request. */
export interface MatrixChoice {
  readonly entity: string;
  readonly entityId: string;
  readonly field: string;
  /** The system whose value is served: the owner, or the newer side of a bidirectional field. */
  readonly system: string;
  /** The rule that chose it. */
  readonly rule: 'owner-wins' | 'latest-timestamp-wins';
  /** Systems whose copies disagreed and lost; empty when every copy read agreed. */
  readonly losers: readonly LosingCopy[];
}

/** Hears the matrix's choices of a request that asked for lineage. */
export interface MatrixChoices {
  chose(choice: MatrixChoice): void;
}

/**
 * The request header that asks for lineage: `on` (also `true` or `1`). The gateway forwards it to the subgraphs;
 * without it nothing of lineage runs.
 */
export const LINEAGE_HEADER = 'x-plugboard-lineage';

/** Whether a request's headers ask for lineage. */
export function lineageAsked(headers: Readonly<Record<string, unknown>> | undefined): boolean {
  const value = headers?.[LINEAGE_HEADER];
  return typeof value === 'string' && ASKING.has(value.trim().toLowerCase());
}
const ASKING = new Set(['on', 'true', '1']);

const scope = new AsyncLocalStorage<MatrixChoices>();

/**
 * Runs `work` with `choices` hearing what the matrix chooses in its async context. Only then are followers' copies
 * compared before the answer (instead of in the background), so that a disagreement can be named in it.
 */
export function recordMatrixChoices<T>(choices: MatrixChoices, work: () => T): T {
  return scope.run(choices, work);
}

/** The current request's listener, when it asked for lineage. */
export const currentMatrixChoices = (): MatrixChoices | undefined => scope.getStore();
