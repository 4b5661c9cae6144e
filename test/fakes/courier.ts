import type { Courier, Shipment, ShipmentRequest } from '../../src/domain';
import { createFaultSwitch, createKeyMemory, rejected, type FaultSwitch, type FakeSleep } from './fault-switch';

export interface FakeCourierOptions {
  /** The courier's system name, also its shipments' carrier. @default "courier-b" */
  readonly carrier?: string;
  /** Shipments it holds from the start (only its own carrier's are kept). */
  readonly shipments?: readonly Shipment[];
  readonly now?: () => Date;
  readonly sleep?: FakeSleep;
}

/** A courier in memory: its shipments by our shipment id, what it was asked, and its fault switch. */
export interface FakeCourier {
  readonly courier: Courier;
  readonly system: string;
  readonly shipments: Map<string, Shipment>;
  /** Every booking request it was sent, in order (retries included). */
  readonly requests: ShipmentRequest[];
  readonly faults: FaultSwitch;
}

/** Statuses after which a parcel is in the courier's hands: too late to cancel. */
const HANDED_OVER = new Set<Shipment['status']>(['IN_TRANSIT', 'DELIVERED', 'EXCEPTION']);

export function createFakeCourier(options: FakeCourierOptions = {}): FakeCourier {
  const carrier = options.carrier ?? 'courier-b';
  const now = options.now ?? (() => new Date());
  const faults = createFaultSwitch({ system: carrier, ...(options.sleep ? { sleep: options.sleep } : {}) });
  const once = createKeyMemory();
  const shipments = new Map(
    (options.shipments ?? []).filter((shipment) => shipment.carrier === carrier).map((shipment) => [shipment.id, shipment]),
  );
  let nextId = 1;
  const requests: ShipmentRequest[] = [];

  const courier: Courier = {
    carrier,
    async findByOrderIds(orderIds, callOptions) {
      if (orderIds.length === 0) return new Map();
      await faults.enter('findByOrderIds', callOptions?.signal);
      const wanted = new Set(orderIds);
      const found = new Map<string, Shipment[]>();
      for (const shipment of shipments.values()) {
        if (wanted.has(shipment.orderId)) found.set(shipment.orderId, [...(found.get(shipment.orderId) ?? []), shipment]);
      }
      return found;
    },
    async bookShipment(request, callOptions) {
      requests.push(request);
      await faults.enter('bookShipment', callOptions?.signal);
      return once('bookShipment', request.idempotencyKey, () => {
        if (!Number.isInteger(request.parcels) || request.parcels < 1) {
          throw rejected(carrier, 'bookShipment', `a shipment needs at least one parcel, got ${request.parcels}`);
        }
        const n = nextId++;
        const shipment: Shipment = {
          id: `${carrier}:FAKE${String(n).padStart(6, '0')}`,
          orderId: request.orderId,
          carrier,
          trackingNumber: `FK${String(n).padStart(10, '0')}`,
          status: 'LABEL_CREATED',
          createdAt: now(),
        };
        shipments.set(shipment.id, shipment);
        return shipment;
      });
    },
    async cancelShipment({ shipmentId, idempotencyKey }, callOptions) {
      // Another carrier's shipment is refused before anything is sent, as the adapters do.
      if (!shipmentId.startsWith(`${carrier}:`)) throw rejected(carrier, 'cancelShipment', `${shipmentId} is not a ${carrier} shipment`);
      await faults.enter('cancelShipment', callOptions?.signal);
      return once('cancelShipment', idempotencyKey, () => {
        const held = shipments.get(shipmentId);
        if (!held) throw rejected(carrier, 'cancelShipment', `no shipment ${shipmentId}`);
        if (HANDED_OVER.has(held.status)) throw rejected(carrier, 'cancelShipment', `shipment ${shipmentId} is ${held.status}: too late to cancel`);
        const cancelled: Shipment = { ...held, status: 'CANCELLED' };
        shipments.set(shipmentId, cancelled);
        return cancelled;
      });
    },
  };

  return { courier, system: carrier, shipments, requests, faults };
}
