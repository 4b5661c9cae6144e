import type { CallOptions, Courier, Shipment } from '../../../domain';
import { badResponse, batchesWithin, encodedBytes, pathOf, type CallSite } from '../../kit/adapter';
import { createCourierBClient } from './client';
import { refusedShipment } from './errors';
import { shipEngineIdOf, toCreateShipments, toShipment, type CourierBAddress, type CourierBShipmentRequest } from './mapper';
import { createShipmentsSchema, labelSchema, listLabelsSchema, listShipmentsSchema, shipmentSchema } from './schema';

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
  /** Shipments asked per page when listing. @default 500 (the sandbox's largest page) */
  readonly pageSize?: number;
  /** Most order ids sent in one `sales_order_id` list (it travels in the URL); larger batches are split. @default 200 */
  readonly maxOrdersPerRequest?: number;
  /** Most bytes of the encoded `sales_order_id` list: a longer URL is refused (414/431) before it is read. @default 6144 */
  readonly maxOrderIdBytesPerRequest?: number;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
}

export interface CourierBAdapter extends Courier, AsyncDisposable {
  /** Closes the keep-alive connections. */
  close(): Promise<void>;
}

/** A lying `pages` must not keep us paging for ever. */
const MAX_PAGES = 100;

/**
 * The courier port over ShipEngine's API. `bookShipment` looks the booking up by its `external_shipment_id` (our
 * idempotency key), creates the shipment when there is none (`ship_to`, `ship_from`, carrier and service from
 * configuration), then takes its label (the one already bought, else `POST /v1/labels/shipment/{id}`): the tracking
 * number is the label's. `findByOrderIds` asks for a whole batch in one `GET /v1/shipments?sales_order_id=a,b,c`
 * (the sandbox's reading of that filter, not ShipEngine's: see docs/estate.md), following pages; an order id holding
 * a comma cannot travel in that list and is answered as having no shipments.
 */
export function createCourierBAdapter(options: CourierBAdapterOptions): CourierBAdapter {
  const system = options.system ?? 'courier-b';
  const account = {
    carrierId: options.carrierId,
    serviceCode: options.serviceCode,
    shipFrom: options.shipFrom,
    packageWeightGrams: options.packageWeightGrams ?? 1000,
  };
  const pageSize = Math.max(1, options.pageSize ?? 500);
  const chunkSize = Math.max(1, options.maxOrdersPerRequest ?? 200);
  const idBytes = Math.max(1, options.maxOrderIdBytesPerRequest ?? 6_144);
  const client = createCourierBClient({ system, baseUrl: options.baseUrl, apiKey: options.apiKey, maxResponseBytes: options.maxResponseBytes });
  const site = (operation: string): CallSite => ({ system, operation });

  const listChunk = async (orderIds: readonly string[], signal: AbortSignal | undefined) => {
    const here = site('findByOrderIds');
    const shipments = [];
    for (let page = 1; ; page += 1) {
      const query = new URLSearchParams({
        sales_order_id: orderIds.join(','),
        page: String(page),
        page_size: String(pageSize),
        sort_by: 'created_at',
        sort_dir: 'asc',
      });
      const answer = await client.json(here, { method: 'GET', path: `/v1/shipments?${query}`, signal }, listShipmentsSchema);
      if (answer.page !== page) throw badResponse(here, `asked for page ${page}, got page ${answer.page}`);
      if (answer.pages > MAX_PAGES) throw badResponse(here, `${answer.pages} pages is more than the ${MAX_PAGES} we follow`);
      shipments.push(...answer.shipments);
      if (page >= answer.pages || answer.shipments.length === 0) return shipments;
    }
  };

  const findByOrderIds = async (
    orderIds: readonly string[],
    callOptions?: CallOptions,
  ): Promise<ReadonlyMap<string, readonly Shipment[]>> => {
    const wanted = [...new Set(orderIds)].filter((id) => id !== '' && !id.includes(','));
    const chunks = batchesWithin(wanted, { maxCount: chunkSize, maxBytes: idBytes, separatorBytes: encodedBytes(','), sizeOf: encodedBytes });
    const answers = await Promise.all(chunks.map((chunk) => listChunk(chunk, callOptions?.signal)));
    const asked = new Set(wanted);
    const found = new Map<string, Shipment[]>();
    for (const shipment of answers.flat()) {
      const orderId = shipment.external_order_id;
      if (orderId === null || !asked.has(orderId)) continue;
      const list = found.get(orderId) ?? [];
      list.push(toShipment(shipment, system, orderId));
      found.set(orderId, list);
    }
    return found;
  };

  const bookShipment = async (input: CourierBShipmentRequest, callOptions?: CallOptions): Promise<Shipment> => {
    const here = site('bookShipment');
    if (!(input.packages?.length ?? input.parcels >= 1)) throw refusedShipment(here, ['a shipment needs at least one package']);
    // Our idempotency key travels as external_shipment_id: a booking whose answer was lost is found by it, not made twice.
    const stored = await client.find(
      here,
      { method: 'GET', path: pathOf(here, 'v1', 'shipments', 'external_shipment_id', input.idempotencyKey), signal: callOptions?.signal },
      shipmentSchema,
    );
    let created = stored;
    if (created === null) {
      const answer = await client.json(
        here,
        { method: 'POST', path: '/v1/shipments', json: toCreateShipments(input, account), signal: callOptions?.signal },
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
    const bought = await client.json(here, { method: 'GET', path: `/v1/labels?${new URLSearchParams({ shipment_id: id })}`, signal }, listLabelsSchema);
    const label =
      bought.labels.find((found) => !found.voided && found.status !== 'error') ??
      (await client.json(here, { method: 'POST', path: pathOf(here, 'v1', 'labels', 'shipment', id), json: { label_format: 'pdf' }, signal }, labelSchema));
    return toShipment(created, system, created.external_order_id ?? input.orderId, label);
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
