import { IntegrationError, type Shipment, type ShipmentStatus } from '../../../domain';
import type { CallSite } from '../../kit/adapter';
import { DELIVERED_EVENT_TYPES, type PinSummary, type ShipmentInfo } from '../canada-post/documents';
import { orderIdOfGroup } from '../canada-post/ids';

/** Internal to the courier-a adapter: Canada Post's vocabulary <-> the domain. */

/** What the port answers for an order's group of Canada Post shipments: the first parcel's, standing for the group. */
export interface GroupView {
  readonly system: string;
  readonly orderId: string;
  readonly groupId: string;
  /** The group's first parcel; null when Canada Post no longer holds any (voided). */
  readonly first: ShipmentInfo | null;
  /** Its tracking summary, when it has been transmitted and tracking knows its PIN. */
  readonly tracking: PinSummary | null;
  /** The mailing day (YYYY-MM-DD): tracking's mailed-on date, else the expected mailing date it was created for. */
  readonly day: string;
  readonly cancelled?: boolean;
}

/**
 * Where a shipment stands: `created` is a label made (LABEL_CREATED); `transmitted` is handed over, in transit or
 * delivered by its tracking summary's event type; `suspended` is an exception.
 */
function statusOf(view: GroupView): ShipmentStatus {
  if (view.cancelled) return 'CANCELLED';
  switch (view.first?.status) {
    case 'created':
      return 'LABEL_CREATED';
    case 'transmitted':
      if (!view.tracking) return 'LABEL_CREATED';
      return DELIVERED_EVENT_TYPES.includes(view.tracking['event-type'] ?? '') ? 'DELIVERED' : 'IN_TRANSIT';
    default:
      return 'EXCEPTION';
  }
}

/** The port's shipment: the group's id, the first parcel's PIN and label, at day precision (Canada Post keeps no time). */
export function toShipment(view: GroupView): Shipment {
  const first = view.first;
  return {
    id: `${view.system}:${view.groupId}`,
    orderId: view.orderId,
    carrier: view.system,
    trackingNumber: first?.trackingPin ?? '',
    status: statusOf(view),
    createdAt: new Date(`${view.day}T00:00:00.000Z`),
    ...(first?.labelUrl ? { label: { id: first.shipmentId, url: first.labelUrl } } : {}),
  };
}

/** The group id inside one of our shipment ids (`courier-a:ord-000123.1f3a9c0b`), when we made it; else refused. */
export function groupOfShipmentId(site: CallSite, carrier: string, shipmentId: string): { groupId: string; orderId: string } {
  const prefix = `${carrier}:`;
  const groupId = shipmentId.startsWith(prefix) ? shipmentId.slice(prefix.length) : '';
  const orderId = orderIdOfGroup(groupId);
  if (orderId === null) {
    const reason = `"${shipmentId.slice(0, 80)}" is not a ${carrier} shipment id (one of ours is ${carrier}:<order id>.<check>)`;
    throw new IntegrationError('UPSTREAM_REJECTED', `${site.system} ${site.operation}: ${reason}`, { ...site, reason });
  }
  return { groupId, orderId };
}
