import { waitUnlessAborted, type CallSite } from '../../kit/adapter';

/** One page of a WooCommerce collection, newest id first, as the directory walks it. */
export type NewestFirst = (page: number) => Promise<{ rows: readonly { id: number; ourId: string | undefined }[]; hasNext: boolean }>;

/**
 * Our ids against WooCommerce's, for one collection. WooCommerce's REST API filters by neither a meta entry nor a
 * custom field, so a look-up by our id needs WooCommerce's id first (`include=`). The directory learns the pair from
 * every record the adapter reads or saves (its `plugboard_id` meta entry); asked for ids it does not know, it walks the
 * collection newest first (`orderby=id&order=desc`, 100 a page) until it reaches the ids it had seen, so a record made
 * since (by another process's save, or a save whose answer was lost) is found. The first walk reads the whole
 * collection once; then one page a time, in the common case. The walk is the directory's, not the caller's: a caller
 * that runs out of its time budget stops waiting, and the walk goes on for the next one.
 */
export function createDirectory(newestFirst: NewestFirst, site: CallSite) {
  const wooOf = new Map<string, number>();
  const ourOf = new Map<number, string>();
  /** Records the shop has that the site never had (no plugboard_id): known, and not worth a walk. */
  const foreign = new Set<number>();
  let highest = 0;
  let walking: Promise<void> | undefined;

  const learn = (wooId: number, ourId: string | undefined): void => {
    if (ourId === undefined) {
      foreign.add(wooId);
      return;
    }
    const before = wooOf.get(ourId);
    if (before !== undefined && before !== wooId) ourOf.delete(before);
    wooOf.set(ourId, wooId);
    ourOf.set(wooId, ourId);
  };

  const walk = async (): Promise<void> => {
    const seenBefore = highest;
    for (let page = 1; ; page += 1) {
      const { rows, hasNext } = await newestFirst(page);
      for (const row of rows) {
        learn(row.id, row.ourId);
        highest = Math.max(highest, row.id);
      }
      if (!hasNext || rows.length === 0 || rows.some((row) => row.id <= seenBefore)) return;
    }
  };
  /** One walk at a time: callers that find ids missing while one runs wait for it, then walk again only if still missing. */
  const refresh = async (signal: AbortSignal | undefined): Promise<void> => {
    while (walking) await waitUnlessAborted(walking.catch(() => undefined), site, signal);
    walking = walk().finally(() => {
      walking = undefined;
    });
    await waitUnlessAborted(walking, site, signal);
  };

  return {
    learn,
    /** WooCommerce's ids of our ids; ids the shop does not hold are left out. */
    async wooIds(ours: readonly string[], signal?: AbortSignal): Promise<Map<string, number>> {
      if (ours.some((id) => !wooOf.has(id))) await refresh(signal);
      return new Map(ours.flatMap((id) => (wooOf.has(id) ? [[id, wooOf.get(id)!] as const] : [])));
    },
    /** Our ids of WooCommerce's; a record the site never had (no plugboard_id) is left out. */
    async ourIds(woo: readonly number[], signal?: AbortSignal): Promise<Map<number, string>> {
      if (woo.some((id) => id > 0 && !ourOf.has(id) && !foreign.has(id))) await refresh(signal);
      return new Map(woo.flatMap((id) => (ourOf.has(id) ? [[id, ourOf.get(id)!] as const] : [])));
    },
  };
}

export type Directory = ReturnType<typeof createDirectory>;
