import { z } from 'zod';
import { IntegrationError, type CallOptions, type Courier, type Shipment, type ShipmentRequest } from '../../../domain';
import { readEachOrder, type CallSite } from '../../kit/adapter';
import {
  createShipmentDocuments,
  dayOf,
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
}

export interface CourierAAdapter extends Courier, AsyncDisposable {
  /** Closes the keep-alive connections. */
  close(): Promise<void>;
}

/**
 * The courier port over Canada Post's Contract Shipping (REST v8) and Tracking (track-v2) services. An order's
 * booking is one Canada Post shipment per parcel, in a group named after the order (../canada-post/ids.ts); the port's
 * shipment is the group (its id, the first parcel's PIN and label). Reads go one order at a time (Canada Post has no
 * batch read): the first parcel by its `customer-request-id`, then its tracking summary once transmitted, else its
 * details for the mailing day. Cancelling voids every shipment of the group still in it; Canada Post deletes what it
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

  const findByOrderIds = async (
    orderIds: readonly string[],
    callOptions?: CallOptions,
  ): Promise<ReadonlyMap<string, readonly Shipment[]>> => {
    const here = site('findByOrderIds');
    const wanted = [...new Set(orderIds)];
    const answers = await readEachOrder(wanted, options.maxConcurrentReads ?? 16, async (orderId) => {
      const groupId = groupIdOf(orderId);
      if (!groupId) return null;
      const first = await byRequestId(here, requestIdOf(groupId, 0), callOptions?.signal);
      return first ? toShipment(await viewOf(here, orderId, groupId, first, callOptions?.signal)) : null;
    });
    const found = new Map<string, Shipment[]>();
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
    let first: { info: ShipmentInfo; created: boolean } | undefined;
    for (const [index, document] of documents.entries()) {
      const existing = await byRequestId(here, requestIdOf(groupId, index), callOptions?.signal);
      const info = existing ?? toShipmentInfo(
        (await client.post(here, shipments, SHIPMENT_MEDIA_TYPE, document, createdSchema, callOptions?.signal))['shipment-info'],
      );
      first ??= { info, created: existing === null };
    }
    const { info, created } = first!;
    if (created) return toShipment({ system, orderId: input.orderId, groupId, first: info, tracking: null, day: dayOf(mailing) });
    return toShipment(await viewOf(here, input.orderId, groupId, info, callOptions?.signal));
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
    return toShipment({ system, orderId, groupId, first, tracking: null, day, cancelled: true });
  };

  return {
    carrier: system,
    findByOrderIds,
    bookShipment,
    cancelShipment,
    close: client.close,
    [Symbol.asyncDispose]: client.close,
  };
}
