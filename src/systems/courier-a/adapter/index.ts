import { z } from 'zod';
import { IntegrationError, type CallOptions, type Courier, type Shipment, type ShipmentRequest } from '../../../domain';
import { readEachOrder, type CallSite } from '../../kit/adapter';
import { FINAL_SHIPMENT_STATUSES, UNANSWERED_BOOKING_MS, type Booking, type BookingLedger } from '../../kit/adapter/booking-ledger';
import {
  createShipmentDocuments,
  dayOf,
  DELIVERED_EVENT_TYPES,
  shipmentDetailsSchema,
  shipmentInfoSchema,
  shipmentsPath,
  shipmentsSchema,
  SHIPMENT_MEDIA_TYPE,
  toShipmentInfo,
  trackingSummarySchema,
  TRACK_MEDIA_TYPE,
  UnbookableShipment,
  type CanadaPostAccount,
  type PinSummary,
  type ShipmentInfo,
} from '../canada-post/documents';
import { groupIdOf, requestIdOf } from '../canada-post/ids';
import { createCanadaPostClient } from './client';
import { groupOfShipmentId, toShipment, type GroupView } from './mapper';

export type { CanadaPostAccount } from '../canada-post/documents';

/** Create Shipment's answer. */
const createdSchema = z.object({ 'shipment-info': shipmentInfoSchema });

export interface CourierAAdapterOptions {
  /** Canada Post's web services, e.g. "https://soa-gw.canadapost.ca" (development: "https://ct.soa-gw.canadapost.ca"). */
  readonly baseUrl: string;
  /** The API key's user name and password, sent as HTTP Basic on every request. */
  readonly username: string;
  readonly password: string;
  /** The contract account shipments are booked under (customer number, contract id, service code, sender). */
  readonly account: CanadaPostAccount;
  /** A CA to trust for the server's certificate besides the system's (the sandbox's test CA). */
  readonly tls?: { readonly ca?: string | Buffer } | undefined;
  /** The system name in the integration map; also the shipments' `carrier` and id prefix. @default 'courier-a' */
  readonly system?: string;
  /** Orders read at once (Canada Post reads one order's shipments per request). @default 16 */
  readonly maxConcurrentReads?: number;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
  /** The clock: the expected mailing date of a booking is its day. */
  readonly now?: () => Date;
  /**
   * The booking ledger (our database), given by the composition root: bookings and cancellations are recorded there,
   * and reads start from it (an order with no booking there has no shipment with us; a delivered or cancelled one is
   * answered from it; one in flight costs its tracking summary). Without one, every read asks Canada Post for every
   * order, by our request id.
   */
  readonly ledger?: BookingLedger | undefined;
}

export interface CourierAAdapter extends Courier, AsyncDisposable {
  /**
   * Bookings made before the booking ledger existed, for these orders: each one the ledger holds nothing for is asked
   * for by our request id and recorded when found. Answers how many were recorded (the kit's `BookingBackfill`).
   */
  backfill(orderIds: readonly string[], options?: CallOptions): Promise<number>;
  /** Closes the keep-alive connections. */
  close(): Promise<void>;
}

/**
 * The courier port over Canada Post's Contract Shipping (REST v8) and Tracking (track-v2) services. An order's
 * booking is one Canada Post shipment per parcel, in a group named after the order (../canada-post/ids.ts); the port's
 * shipment is the group (its id, the first parcel's PIN and label). Canada Post has no batch read and finds a
 * shipment only by ids we set when booking, so with a booking ledger reads start there: no row, no shipment and no
 * call; a delivered or cancelled booking answers from its row; one in flight costs its tracking summary by PIN. A
 * booking whose answer is not known yet (and every order, without a ledger) is read one order at a time: the first
 * parcel by its `customer-request-id`, then its tracking summary once transmitted, else its details for the mailing
 * day. Cancelling voids every shipment of the group still in it; Canada Post deletes what it
 * voids, so a group it no longer knows answers as cancelled (the id's check says we made it).
 */
export function createCourierAAdapter(options: CourierAAdapterOptions): CourierAAdapter {
  const system = options.system ?? 'courier-a';
  const now = options.now ?? (() => new Date());
  const account = options.account;
  const client = createCanadaPostClient({
    system,
    baseUrl: options.baseUrl,
    username: options.username,
    password: options.password,
    tls: options.tls,
    maxResponseBytes: options.maxResponseBytes,
  });
  const site = (operation: string): CallSite => ({ system, operation });
  const shipments = shipmentsPath(account);
  const query = (parameters: Record<string, string>) => `${shipments}?${new URLSearchParams(parameters).toString()}`;
  const origin = new URL(options.baseUrl).origin;
  /** A label on Canada Post's own host is kept in the ledger as its path, read back against the base URL it is served from. */
  const withLabelPath = (shipment: Shipment): Shipment => {
    const url = shipment.label?.url;
    if (!url || !url.startsWith(`${origin}/`)) return shipment;
    return { ...shipment, label: { ...shipment.label!, url: url.slice(origin.length) } };
  };
  const withLabelUrl = (shipment: Shipment): Shipment => {
    const url = shipment.label?.url;
    return url?.startsWith('/') ? { ...shipment, label: { ...shipment.label!, url: `${origin}${url}` } } : shipment;
  };

  /** Get Shipments by one of our request ids, with the shipment itself (provideShipmentInfo). */
  const byRequestId = async (here: CallSite, requestId: string, signal?: AbortSignal): Promise<ShipmentInfo | null> => {
    const answer = await client.get(here, query({ requestId, provideShipmentInfo: 'true' }), SHIPMENT_MEDIA_TYPE, shipmentsSchema, signal, true);
    const first = answer?.shipments['shipment-info']?.[0];
    return first ? toShipmentInfo(first) : null;
  };

  /** The expected mailing day a shipment was created for (Get Shipment Details); today when it names none. */
  const mailingDayOf = async (here: CallSite, info: ShipmentInfo, signal?: AbortSignal): Promise<string> => {
    if (!info.detailsUrl) return dayOf(now());
    const details = await client.get(here, client.pathOfLink(here, info.detailsUrl), SHIPMENT_MEDIA_TYPE, shipmentDetailsSchema, signal);
    return details['shipment-details']['shipment-detail']['expected-mailing-date'] ?? dayOf(now());
  };

  const trackingOf = async (here: CallSite, pin: string, signal?: AbortSignal): Promise<PinSummary | null> => {
    const path = `/vis/track/pin/${encodeURIComponent(pin)}/summary`;
    const answer = await client.get(here, path, TRACK_MEDIA_TYPE, trackingSummarySchema, signal, true);
    return answer?.['tracking-summary']['pin-summary']?.find((summary) => summary.pin === pin) ?? null;
  };

  /** The port's view of an order's group, from its first parcel. */
  const viewOf = async (here: CallSite, orderId: string, groupId: string, first: ShipmentInfo, signal?: AbortSignal): Promise<GroupView> => {
    const tracking = first.status === 'transmitted' && first.trackingPin ? await trackingOf(here, first.trackingPin, signal) : null;
    const day = tracking?.['mailed-on-date'] ?? (await mailingDayOf(here, first, signal));
    return { system, orderId, groupId, first, tracking, day };
  };

  /** An order's shipment read from Canada Post by our request id (a booking not in the ledger, or without one). */
  const readByRequestId = async (here: CallSite, orderId: string, signal?: AbortSignal): Promise<Shipment | null> => {
    const groupId = groupIdOf(orderId);
    if (!groupId) return null;
    const first = await byRequestId(here, requestIdOf(groupId, 0), signal);
    return first ? toShipment(await viewOf(here, orderId, groupId, first, signal)) : null;
  };

  /**
   * What can have changed of a booking in flight: its tracking summary by PIN. None yet (not transmitted, or no scan)
   * leaves the booking as it stands; one moves it to in transit or delivered, mailed on the summary's day.
   */
  const tracked = async (here: CallSite, shipment: Shipment, signal?: AbortSignal): Promise<Shipment> => {
    if (!shipment.trackingNumber) return shipment;
    const summary = await trackingOf(here, shipment.trackingNumber, signal);
    if (!summary) return shipment;
    const status = DELIVERED_EVENT_TYPES.includes(summary['event-type'] ?? '') ? 'DELIVERED' : 'IN_TRANSIT';
    const day = summary['mailed-on-date'];
    return { ...shipment, status, ...(day ? { createdAt: new Date(`${day}T00:00:00.000Z`) } : {}) };
  };

  /** One order's shipment from its ledger row, asking Canada Post only what can have changed; changes are recorded. */
  const fromLedger = async (ledger: BookingLedger, here: CallSite, booking: Booking, signal?: AbortSignal): Promise<Shipment | null> => {
    const held = booking.shipment;
    if (held && FINAL_SHIPMENT_STATUSES.includes(held.status)) return withLabelUrl(held);
    const read = held ? await tracked(here, held, signal) : await readByRequestId(here, booking.orderId, signal);
    if (read === null) {
      // Canada Post holds nothing for a booking sent long enough ago: it never arrived, and is not asked about again.
      if (now().getTime() - booking.requestedAt.getTime() > UNANSWERED_BOOKING_MS) await ledger.forget(booking.shipmentId);
      return null;
    }
    const kept = held ? read : withLabelPath(read);
    if (!held || kept.status !== held.status || kept.createdAt.getTime() !== held.createdAt.getTime()) await ledger.record(kept, now());
    return withLabelUrl(kept);
  };

  const findByOrderIds = async (
    orderIds: readonly string[],
    callOptions?: CallOptions,
  ): Promise<ReadonlyMap<string, readonly Shipment[]>> => {
    const here = site('findByOrderIds');
    const signal = callOptions?.signal;
    const wanted = [...new Set(orderIds)];
    const ledger = options.ledger;
    const found = new Map<string, Shipment[]>();
    if (ledger) {
      // An order's booking is its one group (the id is made from the order id): one row at most.
      const held = await ledger.bookingsOf(system, wanted);
      const booked = wanted.filter((orderId) => held.has(orderId));
      const answers = await readEachOrder(booked, options.maxConcurrentReads ?? 16, (orderId) => fromLedger(ledger, here, held.get(orderId)![0]!, signal));
      answers.forEach((shipment, index) => {
        if (shipment) found.set(booked[index]!, [shipment]);
      });
      return found;
    }
    const answers = await readEachOrder(wanted, options.maxConcurrentReads ?? 16, (orderId) => readByRequestId(here, orderId, signal));
    answers.forEach((shipment, index) => {
      if (shipment) found.set(wanted[index]!, [shipment]);
    });
    return found;
  };

  /**
   * Books each parcel that is not booked yet: a parcel found by its request id (a booking whose answer was lost, or
   * the order's earlier booking) is not created again, so the same booking, or another for the same order, answers
   * the order's group.
   */
  const bookShipment = async (input: ShipmentRequest, callOptions?: CallOptions): Promise<Shipment> => {
    const here = site('bookShipment');
    const mailing = now();
    let documents: Record<string, unknown>[];
    try {
      documents = createShipmentDocuments(input, account, mailing);
    } catch (error) {
      if (!(error instanceof UnbookableShipment)) throw error;
      throw new IntegrationError('UPSTREAM_REJECTED', `${system} bookShipment: ${error.message}`, { ...here, reason: error.message });
    }
    const groupId = groupIdOf(input.orderId)!;
    // Written before anything is sent: a booking whose answer is lost stays in the ledger, read by request id until known.
    await options.ledger?.requested({ carrier: system, orderId: input.orderId, shipmentId: `${system}:${groupId}` });
    let first: { info: ShipmentInfo; created: boolean } | undefined;
    for (const [index, document] of documents.entries()) {
      const existing = await byRequestId(here, requestIdOf(groupId, index), callOptions?.signal);
      const info = existing ?? toShipmentInfo(
        (await client.post(here, shipments, SHIPMENT_MEDIA_TYPE, document, createdSchema, callOptions?.signal))['shipment-info'],
      );
      first ??= { info, created: existing === null };
    }
    const { info, created } = first!;
    const booked = created
      ? toShipment({ system, orderId: input.orderId, groupId, first: info, tracking: null, day: dayOf(mailing) })
      : toShipment(await viewOf(here, input.orderId, groupId, info, callOptions?.signal));
    await options.ledger?.record(withLabelPath(booked), now());
    return booked;
  };

  /**
   * Voids every shipment still in the order's group (Void Shipment: DELETE its self link). With none left there, the
   * first parcel is looked for by its request id: found, it was transmitted and Canada Post refuses the void (8064:
   * only a refund undoes it); not found, the group was voided already and answers as cancelled.
   */
  const cancelShipment = async (
    input: { shipmentId: string; idempotencyKey: string },
    callOptions?: CallOptions,
  ): Promise<Shipment> => {
    const here = site('cancelShipment');
    const signal = callOptions?.signal;
    const { groupId, orderId } = groupOfShipmentId(here, system, input.shipmentId);
    const listed = await client.get(here, query({ groupId, provideShipmentInfo: 'true' }), SHIPMENT_MEDIA_TYPE, shipmentsSchema, signal, true);
    const inGroup = (listed?.shipments['shipment-info'] ?? []).map(toShipmentInfo)
      .sort((a, b) => (a.customerRequestId ?? '').localeCompare(b.customerRequestId ?? '', 'en', { numeric: true }));
    const targets = inGroup.length > 0 ? inGroup : [await byRequestId(here, requestIdOf(groupId, 0), signal)].filter((info) => info !== null);
    const first = targets[0] ?? null;
    const day = first ? await mailingDayOf(here, first, signal) : dayOf(now());
    for (const target of targets) {
      if (!target.selfUrl) throw new IntegrationError('UPSTREAM_BAD_RESPONSE', `${system} cancelShipment: shipment ${target.shipmentId} has no self link to void`, { ...here, reason: 'no self link' });
      await client.delete(here, client.pathOfLink(here, target.selfUrl), SHIPMENT_MEDIA_TYPE, signal);
    }
    const cancelled = toShipment({ system, orderId, groupId, first, tracking: null, day, cancelled: true });
    await options.ledger?.record(withLabelPath(cancelled), now());
    return cancelled;
  };

  /**
   * Bookings made before the ledger existed: each order the ledger holds nothing for is asked for by our request id,
   * and what Canada Post holds is recorded (nothing for an order with none). An order already in the ledger costs no
   * call, so a backfill run again after a crash asks only what it had not found yet.
   */
  const backfill = async (orderIds: readonly string[], callOptions?: CallOptions): Promise<number> => {
    const ledger = options.ledger;
    if (!ledger) return 0;
    const here = site('backfill');
    const wanted = [...new Set(orderIds)];
    const held = await ledger.bookingsOf(system, wanted);
    let recorded = 0;
    for (const orderId of wanted.filter((candidate) => !held.has(candidate))) {
      const read = await readByRequestId(here, orderId, callOptions?.signal);
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
