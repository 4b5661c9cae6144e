import type { CallOptions, Courier, Shipment, ShipmentRequest } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import { createCourierAClient } from './client';
import { consignmentNoOf, toShipment, toShipmentRequest } from './mapper';
import { cancelResponseSchema, shipmentResponseSchema, trackResponseSchema } from './schema';

export interface CourierAAdapterOptions {
  /** Courier A's HTTPS base URL, e.g. "https://127.0.0.1:8443". */
  readonly baseUrl: string;
  /** Mutual TLS: the CA that signed the carrier's certificate, and the client certificate and key we present. */
  readonly tls: { readonly ca: string | Buffer; readonly cert: string | Buffer; readonly key: string | Buffer };
  /** The system name in the integration map; also the shipments' `carrier` and id prefix. @default 'courier-a' */
  readonly system?: string;
  /** The carrier service new consignments are booked with. @default 'PARCEL_STANDARD' */
  readonly service?: string;
  /** Most order references sent in one track request; larger batches are split. @default 200 */
  readonly maxReferencesPerRequest?: number;
  /** Largest answer accepted, in bytes (the integration map's maxResponseBytes). @default 5 MiB */
  readonly maxResponseBytes?: number;
}

export interface CourierAAdapter extends Courier, AsyncDisposable {
  /** Closes the keep-alive connections. */
  close(): Promise<void>;
}

/** The courier port over courier A's XML API (HTTPS with mutual TLS). */
export function createCourierAAdapter(options: CourierAAdapterOptions): CourierAAdapter {
  const system = options.system ?? 'courier-a';
  const service = options.service ?? 'PARCEL_STANDARD';
  const chunkSize = Math.max(1, options.maxReferencesPerRequest ?? 200);
  const client = createCourierAClient({ system, baseUrl: options.baseUrl, tls: { ...options.tls }, maxResponseBytes: options.maxResponseBytes });
  const site = (operation: string): CallSite => ({ system, operation });

  const findByOrderIds = async (
    orderIds: readonly string[],
    callOptions?: CallOptions,
  ): Promise<ReadonlyMap<string, readonly Shipment[]>> => {
    const wanted = [...new Set(orderIds)];
    const chunks: string[][] = [];
    for (let start = 0; start < wanted.length; start += chunkSize) chunks.push(wanted.slice(start, start + chunkSize));
    const answers = await Promise.all(
      chunks.map((references) =>
        client.post(
          site('findByOrderIds'),
          '/api/v2/track',
          { TrackRequest: { Reference: references } },
          trackResponseSchema,
          callOptions?.signal,
        ),
      ),
    );
    const asked = new Set(wanted);
    const found = new Map<string, Shipment[]>();
    for (const answer of answers) {
      for (const consignment of answer.TrackResponse.Consignment ?? []) {
        if (!asked.has(consignment.Reference)) continue;
        const list = found.get(consignment.Reference) ?? [];
        list.push(toShipment(consignment, system));
        found.set(consignment.Reference, list);
      }
    }
    for (const list of found.values()) list.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return found;
  };

  const bookShipment = async (input: ShipmentRequest, callOptions?: CallOptions): Promise<Shipment> => {
    const answer = await client.post(
      site('bookShipment'),
      '/api/v2/consignments',
      toShipmentRequest(input, service),
      shipmentResponseSchema,
      callOptions?.signal,
    );
    return toShipment(answer.ShipmentResponse.Consignment, system);
  };

  const cancelShipment = async (
    input: { shipmentId: string; idempotencyKey: string },
    callOptions?: CallOptions,
  ): Promise<Shipment> => {
    const here = site('cancelShipment');
    const consignmentNo = consignmentNoOf(here, system, input.shipmentId);
    const answer = await client.post(
      here,
      '/api/v2/consignments/cancel',
      { CancelRequest: { IdempotencyKey: input.idempotencyKey, ConsignmentNo: consignmentNo } },
      cancelResponseSchema,
      callOptions?.signal,
    );
    return toShipment(answer.CancelResponse.Consignment, system);
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
