import type { CallSite } from '../../kit/adapter';
import type { CourierBClient } from './client';
import { listLabelsSchema, listShipmentsSchema, type ShipEngineLabel, type ShipEngineShipment } from './schema';

/**
 * Internal to the courier-b adapter: a page of orders read from ShipEngine's two LIST calls instead of one lookup per
 * order. ShipEngine has no read by many ids, but it lists shipments (`GET /v1/shipments`) and labels
 * (`GET /v1/labels`) a page at a time, newest first, each shipment carrying the `external_shipment_id` we gave it and
 * each label its `shipment_id` and `tracking_status`: a batch is matched locally.
 *
 * With the booking ledger, the shipments in flight are asked for in the window where they were created (their
 * `created_at`, which the ledger keeps). Without it, the port gives order ids only (no placedAt), and our order ids
 * carry no time: the shipments are read from the most recent back, page by page, until every order is found, the list
 * ends, or `maxPages` pages were read. Labels are then
 * read in the window from the earliest found shipment's creation on (a label is bought at or after its shipment's
 * creation), under the same bound. What the bound left unknown, the caller asks one by one.
 */

export interface ListLimits {
  /** `page_size` asked for (ShipEngine's description sets no maximum; the sandbox serves up to 500). */
  readonly pageSize: number;
  /** Pages read of each list at most, before the rest is left to the per-order lookup. */
  readonly maxPages: number;
}

export interface FoundInList<K, T> {
  readonly found: Map<K, T>;
  /** True when the list was read to its end or everything was found: what is missing is not there. */
  readonly complete: boolean;
}

/** Reads pages 1, 2, … until `done`, the last page, or the bound; true unless the bound stopped it. */
async function pagesUntil(limits: ListLimits, read: (page: number) => Promise<{ page: number; pages: number }>, done: () => boolean): Promise<boolean> {
  for (let page = 1; page <= limits.maxPages; page += 1) {
    const answer = await read(page);
    if (done()) return true;
    if (page >= answer.pages) return true;
  }
  return false;
}

const listQuery = (limits: ListLimits, page: number, extra: Record<string, string> = {}): string =>
  new URLSearchParams({ ...extra, sort_by: 'created_at', sort_dir: 'desc', page_size: String(limits.pageSize), page: String(page) }).toString();

/**
 * Where the shipments asked for were created, by ShipEngine's own clock (their `created_at`, as the booking ledger
 * keeps it): the list is asked for that window only (`created_at_start`, `created_at_end`).
 */
export interface CreatedWindow {
  readonly start: Date;
  readonly end: Date;
}

/**
 * How far a window is widened on each side: ShipEngine's description of list_shipments says the creation filters
 * select shipments created "after" / "before" a time without saying whether the bound itself is in (list_labels says
 * "on or after", "on or before"), so the bounds are moved out a second and the shipments at them stay in.
 */
export const WINDOW_MARGIN_MS = 1_000;

/** The query of a creation window: `created_at_start` and `created_at_end` (date-time, list_shipments' parameters). */
export const windowQuery = (window: CreatedWindow): Record<string, string> => ({
  created_at_start: new Date(window.start.getTime() - WINDOW_MARGIN_MS).toISOString(),
  created_at_end: new Date(window.end.getTime() + WINDOW_MARGIN_MS).toISOString(),
});

/**
 * The shipments whose `external_shipment_id` is one of `wanted`'s keys, by the key's value (our order id); within
 * `window` when given (the shipments the booking ledger says were created then), else from the newest back.
 */
export async function shipmentsFromList(
  client: CourierBClient,
  here: CallSite,
  wanted: ReadonlyMap<string, string>,
  limits: ListLimits,
  signal: AbortSignal | undefined,
  window?: CreatedWindow,
): Promise<FoundInList<string, ShipEngineShipment>> {
  const found = new Map<string, ShipEngineShipment>();
  const within = window ? windowQuery(window) : {};
  const complete = await pagesUntil(
    limits,
    async (page) => {
      const answer = await client.json(here, { method: 'GET', path: `/v1/shipments?${listQuery(limits, page, within)}`, signal }, listShipmentsSchema);
      for (const shipment of answer.shipments) {
        const orderId = shipment.external_shipment_id ? wanted.get(shipment.external_shipment_id) : undefined;
        if (orderId !== undefined && !found.has(orderId)) found.set(orderId, shipment);
      }
      return answer;
    },
    () => found.size === wanted.size,
  );
  return { found, complete };
}

/** One page of the labels created on or after `since` (list_labels' `created_at_start`), newest first. */
function labelsPage(client: CourierBClient, here: CallSite, since: string, limits: ListLimits, page: number, signal: AbortSignal | undefined) {
  return client.json(here, { method: 'GET', path: `/v1/labels?${listQuery(limits, page, { created_at_start: since })}`, signal }, listLabelsSchema);
}

/** The first page of the labels, asked before the shipments list answered: see {@link labelsFromList}. */
export interface LabelsAhead {
  /** No later than the creation of every shipment asked for (a label is bought at or after its shipment's creation). */
  readonly since: string;
  readonly firstPage: ReturnType<typeof labelsPage>;
}

/**
 * Asks the first page of the labels created since `window`'s start (widened as the shipments list's), beside the
 * shipments list of that window. Settled by {@link labelsFromList}; a shipments list that fails first leaves it unread,
 * not unhandled.
 */
export function askLabelsAhead(client: CourierBClient, here: CallSite, window: CreatedWindow, limits: ListLimits, signal: AbortSignal | undefined): LabelsAhead {
  const since = windowQuery(window).created_at_start;
  const firstPage = labelsPage(client, here, since, limits, 1, signal);
  firstPage.catch(() => undefined);
  return { since, firstPage };
}

/**
 * The label each shipment holds (not voided, not in error), by shipment id, from the labels created since `since`:
 * the earliest of the shipments' creations, or `ahead`'s bound when its first page was asked beside the shipments list
 * (the caller knew the window from the booking ledger).
 */
export async function labelsFromList(
  client: CourierBClient,
  here: CallSite,
  shipments: readonly ShipEngineShipment[],
  limits: ListLimits,
  signal: AbortSignal | undefined,
  ahead?: LabelsAhead,
): Promise<FoundInList<string, ShipEngineLabel>> {
  const found = new Map<string, ShipEngineLabel>();
  if (shipments.length === 0) {
    await ahead?.firstPage.catch(() => undefined);
    return { found, complete: true };
  }
  const wanted = new Set(shipments.map((shipment) => shipment.shipment_id));
  const since = ahead?.since ?? shipments.map((shipment) => shipment.created_at).reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  const complete = await pagesUntil(
    limits,
    async (page) => {
      const answer = await (page === 1 && ahead ? ahead.firstPage : labelsPage(client, here, since, limits, page, signal));
      for (const label of answer.labels) {
        if (label.shipment_id && wanted.has(label.shipment_id) && holds(label)) found.set(label.shipment_id, label);
      }
      return answer;
    },
    () => found.size === wanted.size,
  );
  return { found, complete };
}

/** A label that still holds: neither voided nor failed (ShipEngine keeps both on the shipment). */
export const holds = (label: ShipEngineLabel): boolean => !label.voided && label.status !== 'error';
