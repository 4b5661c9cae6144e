import type { ShipmentStatus } from '../../../domain';
import type { RecordStore } from '../../kit/sandbox';
import type { EstateSeed } from '../../kit/seed';

/** Courier A's consignment states, in its own words. */
export const CONSIGNMENT_STATUS_CODES = ['PRE_ADVICE', 'IN_TRANSIT', 'DELIVERED', 'EXCEPTION', 'CANCELLED'] as const;
export type ConsignmentStatusCode = (typeof CONSIGNMENT_STATUS_CODES)[number];

export const CONSIGNMENT_SERVICES = ['PARCEL_STANDARD', 'PARCEL_EXPRESS'] as const;
export type ConsignmentService = (typeof CONSIGNMENT_SERVICES)[number];

/** A consignment as courier A holds it (collection `consignments`, keyed by ConsignmentNo). */
export interface ConsignmentRecord {
  readonly ConsignmentNo: string;
  /** The shipper's reference: our order id. */
  readonly Reference: string;
  /** The parcel barcode, which is the tracking number. */
  readonly Barcode: string;
  readonly StatusCode: ConsignmentStatusCode;
  readonly Service: ConsignmentService;
  readonly Parcels: number;
  readonly Receiver: { readonly Name: string; readonly Phone: string | null };
  readonly Created: string;
  readonly Updated: string;
}

/** What a booking asks for. */
export interface BookingRequest {
  readonly Reference: string;
  readonly Service: ConsignmentService;
  readonly Parcels: number;
  readonly Receiver: { readonly Name: string; readonly Phone: string | null };
}

/** An idempotency key as the carrier remembers it (collection `idempotency-keys`). */
interface IdempotencyRecord {
  readonly operation: 'book' | 'cancel';
  readonly fingerprint: string;
  readonly ConsignmentNo: string;
}

export type Outcome =
  | { readonly kind: 'ok'; readonly consignment: ConsignmentRecord; readonly replayed: boolean }
  | { readonly kind: 'fault'; readonly status: number; readonly code: string; readonly message: string };

const FROM_DOMAIN: Readonly<Record<ShipmentStatus, ConsignmentStatusCode>> = {
  LABEL_CREATED: 'PRE_ADVICE',
  IN_TRANSIT: 'IN_TRANSIT',
  DELIVERED: 'DELIVERED',
  EXCEPTION: 'EXCEPTION',
  CANCELLED: 'CANCELLED',
};
const PREFIX = 'courier-a:';

/** Courier A's book of consignments, kept in the sandbox's record store. */
export class ConsignmentBook {
  private readonly consignments: Map<string, ConsignmentRecord>;
  private readonly byOrder: Map<string, string[]>;
  private readonly keys: Map<string, IdempotencyRecord>;
  private sequence = 0;

  constructor(records: RecordStore, private readonly now: () => Date = () => new Date()) {
    this.consignments = records.collection<ConsignmentRecord>('consignments');
    this.byOrder = records.collection<string[]>('consignments-by-order');
    this.keys = records.collection<IdempotencyRecord>('idempotency-keys');
  }

  /** Projects the estate's courier-a shipments into consignments. */
  seed(estate: EstateSeed): void {
    const orders = new Map(estate.orders.map((order) => [order.id, order]));
    const customers = new Map(estate.customers.map((customer) => [customer.id, customer]));
    for (const shipment of estate.shipments) {
      if (shipment.carrier !== 'courier-a' || !shipment.id.startsWith(PREFIX)) continue;
      const order = orders.get(shipment.orderId);
      const customer = order ? customers.get(order.customerId) : undefined;
      const at = shipment.createdAt.toISOString();
      this.add({
        ConsignmentNo: shipment.id.slice(PREFIX.length),
        Reference: shipment.orderId,
        Barcode: shipment.trackingNumber,
        StatusCode: FROM_DOMAIN[shipment.status],
        Service: 'PARCEL_STANDARD',
        Parcels: order ? Math.max(1, Math.ceil(order.lines.length / 2)) : 1,
        Receiver: { Name: customer?.name ?? 'Unknown receiver', Phone: customer?.phone ?? null },
        Created: at,
        Updated: at,
      });
    }
  }

  /** The consignments for each reference asked, in booking order; unknown references are skipped. */
  track(references: readonly string[], consignmentNos: readonly string[]): ConsignmentRecord[] {
    const found = new Map<string, ConsignmentRecord>();
    for (const reference of references) {
      for (const no of this.byOrder.get(reference) ?? []) {
        const consignment = this.consignments.get(no);
        if (consignment) found.set(no, consignment);
      }
    }
    for (const no of consignmentNos) {
      const consignment = this.consignments.get(no);
      if (consignment) found.set(no, consignment);
    }
    return [...found.values()];
  }

  book(request: BookingRequest, idempotencyKey: string | null): Outcome {
    const fingerprint = JSON.stringify(['book', request.Reference, request.Service, request.Parcels, request.Receiver]);
    const replay = this.replay(idempotencyKey, 'book', fingerprint);
    if (replay) return replay;
    const at = this.now().toISOString();
    this.sequence += 1;
    const no = `CA${String(this.sequence).padStart(6, '0')}`;
    const consignment: ConsignmentRecord = {
      ConsignmentNo: no,
      Reference: request.Reference,
      Barcode: `${no}NL`,
      StatusCode: 'PRE_ADVICE',
      Service: request.Service,
      Parcels: request.Parcels,
      Receiver: request.Receiver,
      Created: at,
      Updated: at,
    };
    this.add(consignment);
    if (idempotencyKey) this.keys.set(idempotencyKey, { operation: 'book', fingerprint, ConsignmentNo: no });
    return { kind: 'ok', consignment, replayed: false };
  }

  /** Cancels a consignment not yet handed over; cancelling a cancelled one answers it as it is. */
  cancel(consignmentNo: string, idempotencyKey: string | null): Outcome {
    const fingerprint = JSON.stringify(['cancel', consignmentNo]);
    const replay = this.replay(idempotencyKey, 'cancel', fingerprint);
    if (replay) return replay;
    const consignment = this.consignments.get(consignmentNo);
    if (!consignment) {
      return { kind: 'fault', status: 404, code: 'CONSIGNMENT_NOT_FOUND', message: `No consignment ${consignmentNo}` };
    }
    if (consignment.StatusCode !== 'PRE_ADVICE' && consignment.StatusCode !== 'CANCELLED') {
      return {
        kind: 'fault',
        status: 409,
        code: 'NOT_CANCELLABLE',
        message: `Consignment ${consignmentNo} is ${consignment.StatusCode} and can no longer be cancelled`,
      };
    }
    const cancelled: ConsignmentRecord =
      consignment.StatusCode === 'CANCELLED'
        ? consignment
        : { ...consignment, StatusCode: 'CANCELLED', Updated: this.now().toISOString() };
    this.consignments.set(consignmentNo, cancelled);
    if (idempotencyKey) this.keys.set(idempotencyKey, { operation: 'cancel', fingerprint, ConsignmentNo: consignmentNo });
    return { kind: 'ok', consignment: cancelled, replayed: false };
  }

  private replay(key: string | null, operation: IdempotencyRecord['operation'], fingerprint: string): Outcome | null {
    if (!key) return null;
    const seen = this.keys.get(key);
    if (!seen) return null;
    const consignment = this.consignments.get(seen.ConsignmentNo);
    if (seen.operation !== operation || seen.fingerprint !== fingerprint || !consignment) {
      return {
        kind: 'fault',
        status: 409,
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: 'This idempotency key was already used for a different request',
      };
    }
    return { kind: 'ok', consignment, replayed: true };
  }

  private add(consignment: ConsignmentRecord): void {
    this.consignments.set(consignment.ConsignmentNo, consignment);
    const list = this.byOrder.get(consignment.Reference) ?? [];
    this.byOrder.set(consignment.Reference, [...list, consignment.ConsignmentNo]);
    const number = Number(/^CA(\d+)$/.exec(consignment.ConsignmentNo)?.[1] ?? 0);
    this.sequence = Math.max(this.sequence, number);
  }
}
