import { IntegrationError, type Shipment, type ShipmentRequest, type ShipmentStatus } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import type { Consignment } from './schema';

/** Internal to the courier-a adapter: courier A's vocabulary <-> the domain. */

const STATUS: Readonly<Record<Consignment['StatusCode'], ShipmentStatus>> = {
  PRE_ADVICE: 'LABEL_CREATED',
  IN_TRANSIT: 'IN_TRANSIT',
  DELIVERED: 'DELIVERED',
  EXCEPTION: 'EXCEPTION',
  CANCELLED: 'CANCELLED',
};

export function toShipment(consignment: Consignment, carrier: string): Shipment {
  return {
    id: `${carrier}:${consignment.ConsignmentNo}`,
    orderId: consignment.Reference,
    carrier,
    trackingNumber: consignment.Barcode,
    status: STATUS[consignment.StatusCode],
    createdAt: new Date(consignment.Created),
  };
}

export function toShipmentRequest(input: ShipmentRequest, service: string): Record<string, unknown> {
  return {
    ShipmentRequest: {
      IdempotencyKey: input.idempotencyKey,
      Reference: input.orderId,
      Service: service,
      Parcels: input.parcels,
      Receiver: { Name: input.recipient.name, Phone: input.recipient.phone ?? '' },
    },
  };
}

/** The consignment number inside one of our shipment ids (`courier-a:CA000123`). */
export function consignmentNoOf(site: CallSite, carrier: string, shipmentId: string): string {
  const prefix = `${carrier}:`;
  const no = shipmentId.startsWith(prefix) ? shipmentId.slice(prefix.length) : '';
  if (no === '') {
    const reason = `"${shipmentId}" is not a ${carrier} shipment id`;
    throw new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
  }
  return no;
}
