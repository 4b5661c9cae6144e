import DataLoader from 'dataloader';
import { isIntegrationError, type BatchRead, type MaybeStale } from '../../src/domain';
import { currentStaleReport, type StaleReport } from './stale';

export interface LoaderOptions {
  /**
   * Most keys in one call to the port. @default no limit: every key of a tick is one batch, and the adapter splits it
   * by its vendor's published limit (the CRM's 100 batch inputs, the payment gateway's 10 search clauses, a URL's length), the one
   * place that knows it. A second, arbitrary cap here cost the ERP a second call for the 529 items of a page of 500
   * orders.
   */
  readonly maxBatchSize?: number;
  /** Where stale records served are reported. @default the request's report (see withStaleReport), if any */
  readonly report?: StaleReport;
}

/**
 * A per-request DataLoader over a port's batch read: every key asked for in one tick of a request becomes one call
 * to the system (one call per system per level of a query, never N+1). A missing key loads as null. Records served
 * from a stale copy (the system failed) are reported to the request, so that its response says so.
 */
export function loaderOf<T>(read: BatchRead<T>, options: LoaderOptions = {}): DataLoader<string, T | null> {
  const report = (answer: MaybeStale) => {
    if (answer.stale) (options.report ?? currentStaleReport())?.add(answer.stale);
  };
  return new DataLoader<string, T | null>(
    async (keys) => {
      try {
        const found = await read(keys);
        report(found);
        return keys.map((key) => found.get(key) ?? null);
      } catch (error) {
        // A failed batch costs only the keys the system owed: what the cache held is still served.
        const cached = isIntegrationError(error) ? error.cachedPart : undefined;
        if (!cached) throw error;
        report(cached);
        return keys.map((key) => (cached.has(key) ? (cached.get(key) as T) : (error as Error)));
      }
    },
    { maxBatchSize: options.maxBatchSize ?? Infinity },
  );
}
