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

/**
 * Where one value of an answer came from: what a subgraph reports on its own paths and the gateway places on the
 * client's (`extensions.lineage`). `Path` is the value's place in the answer.
 */
export interface LineageOf<Path> {
  /** Where the value sits in the answer. */
  readonly path: Path;
  /** The system that served it, e.g. "crm". */
  readonly system: string;
  /** The port method read, e.g. "findByCustomerIds"; absent when no read of that system was seen for the value. */
  readonly operation?: string;
  /** When the system gave it (ISO 8601): earlier than the request when it came from a cache. */
  readonly fetchedAt: string;
  /** Its age when served, in milliseconds: 0 for a call made for this request. */
  readonly cacheAgeMs: number;
  /** Served from a cache (the read cache's fresh copy, or a stale one). */
  readonly fromCache: boolean;
  /** A stale copy, served because the system failed, as of `asOf`. */
  readonly stale: boolean;
  readonly asOf?: string;
  /** Where the matrix chose between systems: its rule, and the systems that disagreed and lost, with their values. */
  readonly rule?: MatrixChoice['rule'];
  readonly overrode?: readonly LosingCopy[];
  /** Every system that served the value together, when several did (an order's empty list of shipments): `system` is the first. */
  readonly systems?: readonly string[];
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
