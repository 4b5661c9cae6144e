import type { ApolloServerPlugin } from '@apollo/server';
import { stalenessOf, type Staleness } from '../../src/domain';
import { requestScoped, witnessReads } from '../../src/resilience';
import { recordMatrixChoices } from '../../src/truth/lineage';
import { lineageAsked } from '../../src/truth/lineage';
import { homeSystemOf, LineageReport } from './lineage';

/** One group of stale records in a response's `extensions.stale`: a system's copies read at one moment. */
export interface StaleEntry {
  /** The system whose answer is an older copy, e.g. "crm". */
  readonly system: string;
  /** The keys (customer ids, SKUs, order ids…) whose records are stale. */
  readonly keys: readonly string[];
  /** When the copy was read from the system (ISO 8601). */
  readonly asOf: string;
}

/**
 * What one request served from stale copies. The loaders add to it; the subgraph's response carries it in
 * `extensions.stale`, and the gateway passes it on to the client.
 */
export class StaleReport {
  /** @param lineage where the request's reads and matrix choices go, when it asked for lineage */
  constructor(readonly lineage?: LineageReport) {}

  private readonly groups = new Map<string, { system: string; asOf: string; keys: Set<string> }>();

  add(stale: Staleness): void {
    for (const [key, asOf] of stale.asOf) {
      const when = asOf.toISOString();
      const id = `${stale.system}\u0000${when}`;
      let group = this.groups.get(id);
      if (!group) this.groups.set(id, (group = { system: stale.system, asOf: when, keys: new Set() }));
      group.keys.add(key);
    }
  }

  entries(): StaleEntry[] {
    return [...this.groups.values()].map(({ system, asOf, keys }) => ({ system, keys: [...keys], asOf }));
  }
}

// In the one async context the request-scoped values share (see requestScoped).
const scope = requestScoped<StaleReport>('stale report');

/** The report of the request being served, when it runs inside {@link withStaleReport}. */
export function currentStaleReport(): StaleReport | undefined {
  return scope.get();
}

/** Reports the stale records of a read's answer (its `stale` field) to the request; a fresh answer adds nothing. */
export function reportStale(answer: unknown, report: StaleReport | undefined = currentStaleReport()): void {
  const stale = stalenessOf(answer);
  if (stale) report?.add(stale);
}

/**
 * Runs each request of an HTTP handler with its own StaleReport: the loaders the request's resolvers use, and the
 * plugin that writes the response, find it without any subgraph threading it through its context. A request whose
 * headers (its first argument's `headers`) ask for lineage also gets a LineageReport, told every read and choice.
 */
export function withStaleReport<This, Args extends unknown[], Result>(
  handler: (this: This, ...args: Args) => Result,
): (this: This, ...args: Args) => Result {
  return function (this: This, ...args: Args): Result {
    if (!lineageAsked((args[0] as { headers?: Record<string, unknown> } | undefined)?.headers)) {
      return scope.run(new StaleReport(), () => handler.apply(this, args));
    }
    const lineage = new LineageReport();
    return scope.run(new StaleReport(lineage), () => witnessReads(lineage, () => recordMatrixChoices(lineage, () => handler.apply(this, args))));
  };
}

/**
 * Writes the request's StaleReport into the response's `extensions.stale` (nothing when nothing was stale), and, for a
 * request that asked, the lineage of every value into `extensions.lineage` (see lineage.ts).
 */
export function staleExtensionsPlugin<Context extends object>(options: { readonly subgraph?: string } = {}): ApolloServerPlugin<Context> {
  const home = options.subgraph === undefined ? undefined : homeSystemOf(options.subgraph);
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, request }) {
          const report = currentStaleReport();
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const stale = report?.entries() ?? [];
          if (stale.length) result.extensions = { ...result.extensions, stale };
          if (report?.lineage) {
            const representations = request.variables?.['representations'];
            const lineage = report.lineage.entries({ data: result.data, home, ...(Array.isArray(representations) ? { representations } : {}) });
            result.extensions = { ...result.extensions, lineage };
          }
        },
      };
    },
  };
}
