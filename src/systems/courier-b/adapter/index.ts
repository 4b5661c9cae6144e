import type { CallOptions, Courier, PostalAddress, Shipment, ShipmentRequest } from '../../../domain';
import { pathOf, readEachOrder, type CallSite } from '../../kit/adapter';
import { FINAL_SHIPMENT_STATUSES, UNANSWERED_BOOKING_MS, type Booking, type BookingLedger } from '../../kit/adapter/booking-ledger';
import { externalShipmentIdOf } from '../external-id';
import { createCourierBClient } from './client';
import { refusedShipment } from './errors';
import { shipEngineIdOf, toCreateShipments, toShipment, trackingOfLabel } from './mapper';
import { askLabelsAhead, holds, labelsFromList, shipmentsFromList, type CreatedWindow, type ListLimits } from './page-read';
import { createShipmentsSchema, labelSchema, listLabelsSchema, shipmentSchema, trackingSchema, type ShipEngineLabel, type ShipEngineShipment } from './schema';


export interface CourierBAdapterOptions {
  /** Courier B's base URL, e.g. "https://api.shipengine.com". */
  readonly baseUrl: string;
  /** Sent in the `API-Key` header. */
  readonly apiKey: string;
  /** The system name in the integration map; also the shipments' `carrier` and id prefix. @default 'courier-b' */
  readonly system?: string;
  /** The carrier account shipments are booked on: ShipEngine's `carrier_id` ("se-…"), from the account's carriers. */
  readonly carrierId: string;
  /** The carrier service shipments are booked with: ShipEngine's `service_code` (e.g. "usps_priority_mail"). */
  readonly serviceCode: string;
  /** Where parcels leave from: ShipEngine's `ship_from`, which its description requires on every shipment. */
  readonly shipFrom: PostalAddress;
  /** Weight declared per parcel when a request carries no packages. @default 1000 */
  readonly packageWeightGrams?: number;
  /**
   * Orders looked up at once, one by one (a batch of one order, and the orders a page read's lists left unknown): each
   * up to three requests (the shipment, its label, its tracking), at most this many in flight. @default 8
   */
  readonly maxConcurrentReads?: number;
  /**
   * `page_size` of a page read's lists (`GET /v1/shipments`, `GET /v1/labels`). ShipEngine's description sets no
   * maximum (default 25); the sandbox serves up to 500. @default 500
   */
  readonly listPageSize?: number;
  /** Pages of each list a page read reads at most before it looks the rest up one by one. @default 4 */
  readonly maxListPages?: number;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
  /**
   * The booking ledger (our database), given by the composition root: bookings and cancellations are recorded there,
   * and a page read starts from it (an order with no booking there has no shipment with us and costs no call; a
   * delivered or cancelled one is answered from it; those in flight are read from ShipEngine's lists in the window
   * where they were created). Without one, a page read matches ShipEngine's lists from the newest shipment back.
   */
  readonly ledger?: BookingLedger | undefined;
  /** The clock: how long a booking whose answer is unknown may still be on its way. */
  readonly now?: () => Date;
}

export interface CourierBAdapter extends Courier, AsyncDisposable {
  /**
   * Bookings made before the booking ledger existed, for these orders: each one the ledger holds nothing for is asked
   * for by its external_shipment_id and recorded when found. Answers how many were recorded (the kit's `BookingBackfill`).
   */
  backfill(orderIds: readonly string[], options?: CallOptions): Promise<number>;
  /** Closes the keep-alive connections. */
  close(): Promise<void>;
}

/**
 * The courier port over ShipEngine's API, on ShipEngine's documented flows only.
 *
 * An order's shipment with this courier carries an `external_shipment_id` made from the order id
 * ({@link externalShipmentIdOf}): nothing is stored to find it again. `bookShipment` looks it up first
 * (`GET /v1/shipments/external_shipment_id/{id}`, a 404 is "not booked yet"), creates it when there is none
 * (`POST /v1/shipments` with `ship_to`, `ship_from`, carrier and service from configuration), then takes its label
 * (the one already bought, `GET /v1/labels?shipment_id=`, else `POST /v1/labels/shipment/{id}`).
 * `findByOrderIds` of one order reads it the same way, with its label and the carrier's tracking log
 * (`GET /v1/tracking?carrier_code=&tracking_number=`). A batch of several reads ShipEngine's lists instead (ShipEngine
 * has no read by many ids; ./page-read.ts): the shipments newest first, matched by their `external_shipment_id`, and
 * the labels created since the earliest of them, whose `tracking_status` is the tracking shown (no events), asked after
 * the shipments answered or, when the booking ledger says when they were created and that one holds a label, beside
 * them; what the lists' bound left unknown is looked up one order at a time, at most `maxConcurrentReads` at once.
 */
export function createCourierBAdapter(options: CourierBAdapterOptions): CourierBAdapter {
  const system = options.system ?? 'courier-b';
  const account = {
    carrierId: options.carrierId,
    serviceCode: options.serviceCode,
    shipFrom: options.shipFrom,
    packageWeightGrams: options.packageWeightGrams ?? 1000,
  };
  const concurrency = Math.max(1, options.maxConcurrentReads ?? 8);
  const limits: ListLimits = { pageSize: Math.max(1, options.listPageSize ?? 500), maxPages: Math.max(1, options.maxListPages ?? 4) };
  const client = createCourierBClient({ system, baseUrl: options.baseUrl, apiKey: options.apiKey, maxResponseBytes: options.maxResponseBytes });
  const site = (operation: string): CallSite => ({ system, operation });
  const ledger = options.ledger;
  const now = options.now ?? (() => new Date());
  const origin = new URL(options.baseUrl).origin;
  /**
   * A label on ShipEngine's own host (label_download: https://api.shipengine.com/v1/downloads/…) is kept in the ledger
   * as its path, read back against the base URL it is served from (the sandbox's is seeded before it listens).
   */
  const withLabelPath = (shipment: Shipment): Shipment => {
    const url = shipment.label?.url;
    if (!url || !url.startsWith(`${origin}/`)) return shipment;
    return { ...shipment, label: { ...shipment.label!, url: url.slice(origin.length) } };
  };
  /** A row's shipment as a read from ShipEngine answers it: its label's URL whole, no label and no tracking as null. */
  const withLabelUrl = (shipment: Shipment): Shipment => {
    const label = shipment.label ?? null;
    const url = label?.url;
    return { ...shipment, label: label && url?.startsWith('/') ? { ...label, url: `${origin}${url}` } : label, tracking: shipment.tracking ?? null };
  };
  /** Where the bookings in flight were created: from the earliest to the latest. */
  const windowOf = (shipments: readonly Shipment[]): CreatedWindow => {
    const times = shipments.map((shipment) => shipment.createdAt.getTime());
    return { start: new Date(Math.min(...times)), end: new Date(Math.max(...times)) };
  };
  /**
   * The ledger's id of a booking sent and not answered yet: ShipEngine names the shipment (`se-…`) only in its answer,
   * so until then the row is keyed by the external_shipment_id the booking carries (never a ShipEngine id: no `se-`).
   */
  const pendingIdOf = (orderId: string): string => `${system}:pending:${externalShipmentIdOf(system, orderId)}`;

  /** The order's shipment, found by the external id we gave it; null when it has none with this courier. */
  const shipmentOfOrder = (here: CallSite, orderId: string, signal: AbortSignal | undefined) =>
    client.find(here, { method: 'GET', path: pathOf(here, 'v1', 'shipments', 'external_shipment_id', externalShipmentIdOf(system, orderId)), signal }, shipmentSchema);

  /** The label bought for a shipment that still holds (ShipEngine sells labels apart from shipments). */
  const labelOf = async (here: CallSite, shipmentId: string, signal: AbortSignal | undefined): Promise<ShipEngineLabel | null> => {
    const bought = await client.json(here, { method: 'GET', path: `/v1/labels?${new URLSearchParams({ shipment_id: shipmentId })}`, signal }, listLabelsSchema);
    return bought.labels.find(holds) ?? null;
  };

  /** What the carrier says of a label's parcel: only a label with a tracking number and a carrier code can be asked. */
  const trackingOf = async (here: CallSite, label: ShipEngineLabel | null, signal: AbortSignal | undefined) => {
    if (!label?.tracking_number || !label.carrier_code) return null;
    const query = new URLSearchParams({ carrier_code: label.carrier_code, tracking_number: label.tracking_number });
    return client.json(here, { method: 'GET', path: `/v1/tracking?${query}`, signal }, trackingSchema);
  };

  /** A shipment read whole: its label and tracking as well, unless it is cancelled (its label is void). */
  const readWhole = async (here: CallSite, shipment: ShipEngineShipment, orderId: string, signal: AbortSignal | undefined): Promise<Shipment> => {
    if (shipment.shipment_status === 'cancelled') return toShipment(shipment, system, orderId);
    const label = await labelOf(here, shipment.shipment_id, signal);
    return toShipment(shipment, system, orderId, { label, tracking: await trackingOf(here, label, signal) });
  };

  const findByOrderIds = async (
    orderIds: readonly string[],
    callOptions?: CallOptions,
  ): Promise<ReadonlyMap<string, readonly Shipment[]>> => {
    const here = site('findByOrderIds');
    const signal = callOptions?.signal;
    const wanted = [...new Set(orderIds)].filter((id) => id !== '');
    if (ledger) return readFromLedger(ledger, here, wanted, signal);
    const found = new Map<string, Shipment[]>();
    const listed = wanted.length > 1 ? await readFromLists(here, wanted, signal) : { shipments: new Map<string, Shipment>(), complete: false };
    for (const [orderId, shipment] of listed.shipments) found.set(orderId, [shipment]);
    // What the lists' bound left unknown (an order booked long before the rest), one order at a time as ShipEngine allows.
    const rest = listed.complete ? [] : wanted.filter((id) => !found.has(id));
    const answers = await readEachOrder(rest, concurrency, (orderId) => readOrder(here, orderId, signal));
    answers.forEach((shipment, index) => {
      if (shipment) found.set(rest[index]!, [shipment]);
    });
    return found;
  };

  /** One order read whole by the external id we booked it with (its shipment, label and tracking); null: none. */
  const readOrder = async (here: CallSite, orderId: string, signal: AbortSignal | undefined): Promise<Shipment | null> => {
    const shipment = await shipmentOfOrder(here, orderId, signal);
    return shipment && (await readWhole(here, shipment, orderId, signal));
  };

  /**
   * A read that starts from the booking ledger. An order with no row has no shipment with us: no call. A batch answers
   * a delivered or cancelled booking from its row; the bookings in flight are matched in ShipEngine's lists asked for
   * the window where they were created (their `created_at`, ShipEngine's own, as the ledger keeps it), and what the
   * lists left unknown is read one order at a time. A booking whose answer is unknown (lost, or in flight), and a read
   * of one order, read the order whole by its external id, as without a ledger. What changed is recorded.
   */
  const readFromLedger = async (ledger: BookingLedger, here: CallSite, wanted: readonly string[], signal: AbortSignal | undefined) => {
    const found = new Map<string, Shipment[]>();
    const held = await ledger.bookingsOf(system, wanted);
    const inFlight = new Map<string, Shipment>();
    const whole: string[] = [];
    for (const orderId of wanted) {
      const rows = held.get(orderId);
      if (!rows?.length) continue;
      const known = rows.length === 1 ? rows[0]!.shipment : null;
      if (known === null || wanted.length === 1) whole.push(orderId);
      else if (FINAL_SHIPMENT_STATUSES.includes(known.status)) found.set(orderId, [withLabelUrl(known)]);
      else inFlight.set(orderId, known);
    }
    const labelled = [...inFlight.values()].some((shipment) => shipment.label != null);
    const listed = inFlight.size > 0 ? await readFromLists(here, [...inFlight.keys()], signal, windowOf([...inFlight.values()]), labelled) : { shipments: new Map<string, Shipment>() };
    for (const [orderId, shipment] of listed.shipments) {
      found.set(orderId, [shipment]);
      await recordIfChanged(ledger, inFlight.get(orderId)!, shipment);
    }
    // What the lists left unknown: a booking the window did not hold (its shipment gone from ShipEngine, or the lists' bound).
    const rest = [...whole, ...[...inFlight.keys()].filter((orderId) => !listed.shipments.has(orderId))];
    const answers = await readEachOrder(rest, concurrency, async (orderId) => {
      const read = await readOrder(here, orderId, signal);
      await settle(ledger, held.get(orderId) ?? [], read);
      return read;
    });
    answers.forEach((shipment, index) => {
      if (shipment) found.set(rest[index]!, [shipment]);
    });
    return found;
  };

  /** What an order read whole tells its rows: the shipment recorded (when it changed), the rows of unknown answer resolved. */
  const settle = async (ledger: BookingLedger, rows: readonly Booking[], read: Shipment | null): Promise<void> => {
    const row = read ? rows.find((candidate) => candidate.shipmentId === read.id) : undefined;
    if (read) await recordIfChanged(ledger, row?.shipment ?? null, read);
    for (const unknown of rows.filter((candidate) => candidate.shipment === null && candidate.shipmentId !== read?.id)) {
      // Found, the booking's answer is now known; not found long after it was sent, it never arrived.
      if (read || now().getTime() - unknown.requestedAt.getTime() > UNANSWERED_BOOKING_MS) await ledger.forget(unknown.shipmentId);
    }
  };

  /** Records a shipment read from ShipEngine unless its row already says the same. */
  const recordIfChanged = async (ledger: BookingLedger, held: Shipment | null, read: Shipment): Promise<void> => {
    const kept = withLabelPath(read);
    const same =
      held !== null &&
      held.status === kept.status &&
      held.trackingNumber === kept.trackingNumber &&
      held.createdAt.getTime() === kept.createdAt.getTime() &&
      (held.label?.id ?? null) === (kept.label?.id ?? null) &&
      (held.label?.url ?? null) === (kept.label?.url ?? null) &&
      (held.tracking?.status ?? null) === (kept.tracking?.status ?? null) &&
      (held.tracking?.events.length ?? 0) === (kept.tracking?.events.length ?? 0);
    if (!same) await ledger.record(kept, now());
  };

  /**
   * A page of orders from ShipEngine's lists: their shipments, then the labels of those holding one, the tracking
   * shown being each label's `tracking_status`. `complete` is false when the shipments list's bound was reached first.
   * With `window`, the shipments list is asked for the shipments created in it only; with `labelled` too (the ledger
   * recorded a label bought for one of them), the labels' first page, created since the window's start, is asked at
   * the same time instead of after the shipments answered: the page waits for one round trip to ShipEngine, not two.
   */
  const readFromLists = async (here: CallSite, wanted: readonly string[], signal: AbortSignal | undefined, window?: CreatedWindow, labelled = false) => {
    const byExternalId = new Map(wanted.map((orderId) => [externalShipmentIdOf(system, orderId), orderId]));
    const ahead = window && labelled ? askLabelsAhead(client, here, window, limits, signal) : undefined;
    const listed = await shipmentsFromList(client, here, byExternalId, limits, signal, window);
    // A cancelled shipment's label is void and a pending one has none: only a purchased one is looked for.
    const purchased = [...listed.found.values()].filter((shipment) => shipment.shipment_status === 'label_purchased');
    const labels = await labelsFromList(client, here, purchased, limits, signal, ahead);
    const unlabelled = labels.complete ? [] : purchased.map((shipment) => shipment.shipment_id).filter((id) => !labels.found.has(id));
    const looked = await readEachOrder(unlabelled, concurrency, (shipmentId) => labelOf(here, shipmentId, signal));
    looked.forEach((label, index) => {
      if (label) labels.found.set(unlabelled[index]!, label);
    });
    const shipments = new Map<string, Shipment>();
    for (const [orderId, shipment] of listed.found) {
      const label = labels.found.get(shipment.shipment_id) ?? null;
      shipments.set(orderId, toShipment(shipment, system, orderId, { label, tracking: trackingOfLabel(label) }));
    }
    return { shipments, complete: listed.complete };
  };

  const bookShipment = async (input: ShipmentRequest, callOptions?: CallOptions): Promise<Shipment> => {
    const here = site('bookShipment');
    if (!(input.packages?.length ?? input.parcels >= 1)) throw refusedShipment(here, ['a shipment needs at least one package']);
    // Written before anything is sent: a booking whose answer is lost stays in the ledger, read by its external id until known.
    const pending = pendingIdOf(input.orderId);
    await ledger?.requested({ carrier: system, orderId: input.orderId, shipmentId: pending });
    // The order's external_shipment_id is asked first: a booking whose answer was lost, or one repeated under another
    // key (the outbox's booking after the payment), finds the shipment already made instead of making a second.
    const stored = await shipmentOfOrder(here, input.orderId, callOptions?.signal);
    let created = stored;
    if (created === null) {
      const answer = await client.json(
        here,
        { method: 'POST', path: '/v1/shipments', json: toCreateShipments(input, account, externalShipmentIdOf(system, input.orderId)), signal: callOptions?.signal },
        createShipmentsSchema,
      );
      // has_errors is the verdict; a shipment's `errors` (strings, deprecated in ShipEngine's description) only say why.
      if (!answer.shipments[0] || answer.has_errors) throw refusedShipment(here, answer.shipments[0]?.errors ?? []);
      created = answer.shipments[0];
    }
    // ShipEngine sells the label apart from the shipment. A repeated booking (same external_shipment_id) finds the
    // label it already bought instead of paying for a second one.
    const id = created.shipment_id;
    const signal = callOptions?.signal;
    // A shipment just created has no label yet: only one found by its external id is asked for the label it may hold.
    const held = stored === null ? null : await labelOf(here, id, signal);
    const label =
      held ?? (await client.json(here, { method: 'POST', path: pathOf(here, 'v1', 'labels', 'shipment', id), json: { label_format: 'pdf' }, signal }, labelSchema));
    // Answered as a read answers it (label and tracking), so that the booking and the next read agree.
    const booked = toShipment(created, system, input.orderId, { label, tracking: await trackingOf(here, label, signal) });
    if (ledger) {
      await ledger.record(withLabelPath(booked), now());
      await ledger.forget(pending);
    }
    return booked;
  };

  const cancelShipment = async (
    input: { shipmentId: string; idempotencyKey: string },
    callOptions?: CallOptions,
  ): Promise<Shipment> => {
    const here = site('cancelShipment');
    const id = shipEngineIdOf(here, system, input.shipmentId);
    // ShipEngine's cancel is a PUT that answers 204 and takes no key: repeating it is harmless by design.
    await client.send(here, { method: 'PUT', path: pathOf(here, 'v1', 'shipments', id, 'cancel'), signal: callOptions?.signal });
    const shipment = await client.json(
      here,
      { method: 'GET', path: pathOf(here, 'v1', 'shipments', id), signal: callOptions?.signal },
      shipmentSchema,
    );
    const cancelled = toShipment(shipment, system, shipment.external_order_id ?? '');
    if (ledger && cancelled.orderId !== '') await ledger.record(withLabelPath(cancelled), now());
    return cancelled;
  };

  /**
   * Bookings made before the ledger existed: each order the ledger holds nothing for is asked for by its
   * external_shipment_id, read whole, and recorded when ShipEngine holds one (nothing for an order with none). An order
   * already in the ledger costs no call, so a backfill run again after a crash asks only what it had not found yet.
   */
  const backfill = async (orderIds: readonly string[], callOptions?: CallOptions): Promise<number> => {
    if (!ledger) return 0;
    const here = site('backfill');
    const wanted = [...new Set(orderIds)].filter((id) => id !== '');
    const held = await ledger.bookingsOf(system, wanted);
    let recorded = 0;
    for (const orderId of wanted.filter((candidate) => !held.has(candidate))) {
      const read = await readOrder(here, orderId, callOptions?.signal);
      if (!read) continue;
      await ledger.record(withLabelPath(read), now());
      recorded += 1;
    }
    return recorded;
  };

  return {
    carrier: system,
    findByOrderIds,
    backfill,
    bookShipment,
    cancelShipment,
    close: client.close,
    [Symbol.asyncDispose]: client.close,
  };
}
