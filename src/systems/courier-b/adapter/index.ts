import type { CallOptions, Courier, Shipment } from '../../../domain';
import { pathOf, readEachOrder, type CallSite } from '../../kit/adapter';
import { externalShipmentIdOf } from '../external-id';
import { createCourierBClient } from './client';
import { refusedShipment } from './errors';
import { shipEngineIdOf, toCreateShipments, toShipment, type CourierBAddress, type CourierBShipmentRequest } from './mapper';
import { createShipmentsSchema, labelSchema, listLabelsSchema, shipmentSchema, trackingSchema, type ShipEngineLabel, type ShipEngineShipment } from './schema';

export type { CourierBAddress, CourierBParcel, CourierBShipmentRequest } from './mapper';

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
  readonly shipFrom: CourierBAddress;
  /** Weight declared per parcel when a request carries no packages. @default 1000 */
  readonly packageWeightGrams?: number;
  /**
   * Orders read at once by one batch read. ShipEngine has no read of many shipments by their ids, so a batch of N
   * orders is N lookups (each up to three requests: the shipment, its label, its tracking), at most this many in
   * flight. @default 8
   */
  readonly maxConcurrentReads?: number;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
}

export interface CourierBAdapter extends Courier, AsyncDisposable {
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
 * `findByOrderIds` reads each order the same way (ShipEngine has no batch read by ids: one lookup per order, at most
 * `maxConcurrentReads` at once), with its label and the carrier's tracking (`GET /v1/tracking?carrier_code=&tracking_number=`).
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
  const client = createCourierBClient({ system, baseUrl: options.baseUrl, apiKey: options.apiKey, maxResponseBytes: options.maxResponseBytes });
  const site = (operation: string): CallSite => ({ system, operation });

  /** The order's shipment, found by the external id we gave it; null when it has none with this courier. */
  const shipmentOfOrder = (here: CallSite, orderId: string, signal: AbortSignal | undefined) =>
    client.find(here, { method: 'GET', path: pathOf(here, 'v1', 'shipments', 'external_shipment_id', externalShipmentIdOf(system, orderId)), signal }, shipmentSchema);

  /** The label bought for a shipment that still holds (ShipEngine sells labels apart from shipments). */
  const labelOf = async (here: CallSite, shipmentId: string, signal: AbortSignal | undefined): Promise<ShipEngineLabel | null> => {
    const bought = await client.json(here, { method: 'GET', path: `/v1/labels?${new URLSearchParams({ shipment_id: shipmentId })}`, signal }, listLabelsSchema);
    return bought.labels.find((found) => !found.voided && found.status !== 'error') ?? null;
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
    const answers = await readEachOrder(wanted, concurrency, async (orderId) => {
      const shipment = await shipmentOfOrder(here, orderId, signal);
      return shipment && (await readWhole(here, shipment, orderId, signal));
    });
    const found = new Map<string, Shipment[]>();
    answers.forEach((shipment, index) => {
      if (shipment) found.set(wanted[index]!, [shipment]);
    });
    return found;
  };

  const bookShipment = async (input: CourierBShipmentRequest, callOptions?: CallOptions): Promise<Shipment> => {
    const here = site('bookShipment');
    if (!(input.packages?.length ?? input.parcels >= 1)) throw refusedShipment(here, ['a shipment needs at least one package']);
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
    return toShipment(created, system, input.orderId, { label, tracking: await trackingOf(here, label, signal) });
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
    return toShipment(shipment, system, shipment.external_order_id ?? '');
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
