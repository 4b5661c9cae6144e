/**
 * Upper bounds (ms) of the latency buckets of a system call: the Prometheus histogram and the dashboard's percentiles
 * count calls into the same buckets, so both tell the same story.
 */
export const LATENCY_BUCKETS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

/**
 * The q-quantile (0..1) of calls counted per bucket (`counts[i]`: calls at most LATENCY_BUCKETS_MS[i], above the
 * bucket before; one more entry for calls above the last bound), interpolated within its bucket as Prometheus's
 * histogram_quantile does. Undefined when no call was counted.
 */
export function quantileOfBuckets(counts: readonly number[], q: number): number | undefined {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (let index = 0; index < counts.length; index += 1) {
    const count = counts[index] ?? 0;
    if (count > 0 && below + count >= rank) {
      const lower = index === 0 ? 0 : (LATENCY_BUCKETS_MS[index - 1] ?? 0);
      // Past the last bound there is nothing to interpolate towards: the last bound is what can be said.
      const upper = LATENCY_BUCKETS_MS[index];
      if (upper === undefined) return lower;
      return lower + (upper - lower) * ((rank - below) / count);
    }
    below += count;
  }
  return LATENCY_BUCKETS_MS.at(-1);
}
