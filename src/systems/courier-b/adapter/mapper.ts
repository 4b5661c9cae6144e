import { IntegrationError, type Shipment, type ShipmentRequest, type ShipmentStatus } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import type { ShipEngineShipment, TRACKING_STATUS_CODES } from './schema';

/** Internal to the courier-b adapter: ShipEngine's vocabulary <-> the domain. */

const BY_TRACKING: Readonly<Record<(typeof TRACKING_STATUS_CODES)[number], ShipmentStatus>> = {
  UN: 'LABEL_CREATED',
  NY: 'LABEL_CREATED',
  AC: 'LABEL_CREATED',
  IT: 'IN_TRANSIT',
  AT: 'IN_TRANSIT',
  DE: 'DELIVERED',
  EX: 'EXCEPTION',
};

function statusOf(shipment: ShipEngineShipment): ShipmentStatus {
  switch (shipment.shipment_status) {
    case 'cancelled':
      return 'CANCELLED';
    case 'pending':
    case 'processing':
      return 'LABEL_CREATED';
    case 'label_purchased':
      return BY_TRACKING[shipment.tracking_status_code ?? 'UN'];
    default: {
      const unreachable: never = shipment.shipment_status;
      throw new Error(`unknown shipment status ${String(unreachable)}`);
    }
  }
}

/**
 * A ShipEngine shipment as our shipment. One still waiting for its label has no tracking number yet: it maps to
 * LABEL_CREATED with an empty tracking number.
 */
export function toShipment(shipment: ShipEngineShipment, carrier: string, orderId: string): Shipment {
  return {
    id: `${carrier}:${shipment.shipment_id}`,
    orderId,
    carrier,
    trackingNumber: shipment.tracking_number ?? '',
    status: statusOf(shipment),
    createdAt: new Date(shipment.created_at),
  };
}

export function toCreateShipments(
  input: ShipmentRequest,
  account: { carrierId: string; serviceCode: string; packageWeightGrams: number },
): unknown {
  return {
    shipments: [
      {
        carrier_id: account.carrierId,
        service_code: account.serviceCode,
        external_shipment_id: input.idempotencyKey,
        external_order_id: input.orderId,
        ship_to: { name: input.recipient.name, phone: input.recipient.phone },
        packages: Array.from({ length: input.parcels }, () => ({
          package_code: 'package',
          weight: { value: account.packageWeightGrams, unit: 'gram' },
        })),
      },
    ],
  };
}

/** The ShipEngine id inside one of our shipment ids (`courier-b:se-000123`). */
export function shipEngineIdOf(site: CallSite, carrier: string, shipmentId: string): string {
  const prefix = `${carrier}:`;
  const id = shipmentId.startsWith(prefix) ? shipmentId.slice(prefix.length) : '';
  if (!/^se-\S+$/.test(id)) {
    const reason = `"${shipmentId}" is not a ${carrier} shipment id`;
    throw new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
  }
  return id;
}
