import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { TRACKING_STATUSES, type ShipmentLabel, type ShipmentTracking, type TrackingStatus } from '../../src/domain';
import { enumOf } from '../kit/types';

export const TrackingStatusEnum = enumOf(TRACKING_STATUSES);
registerEnumType(TrackingStatusEnum, {
  name: 'TrackingStatus',
  description: 'Where a shipment stands by its carrier\'s tracking.',
  valuesConfig: {
    UNKNOWN: { description: 'The carrier gives no status it names.' },
    NOT_YET_IN_SYSTEM: { description: 'A label exists; the carrier has not scanned the parcel yet.' },
    ACCEPTED: { description: 'The carrier has the parcel.' },
    IN_TRANSIT: { description: 'On its way.' },
    DELIVERY_ATTEMPT: { description: 'Delivery was tried and failed; the carrier will try again or hold it.' },
    DELIVERED: { description: 'Delivered.' },
    EXCEPTION: { description: 'Held up: the carrier reports a problem.' },
  },
});

@ObjectType('ShipmentLabel', { description: 'The shipping label bought from the carrier.' })
export class ShipmentLabelType {
  @Field({ description: 'The carrier\'s label id.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Where the printable label (PDF) is downloaded; null until the carrier has rendered it.' })
  url!: string | null;

  static of(label: ShipmentLabel): ShipmentLabelType {
    return Object.assign(new ShipmentLabelType(), { id: label.id, url: label.url });
  }
}

@ObjectType('TrackingEvent', { description: 'One scan or status change the carrier reports.' })
export class TrackingEventType {
  @Field(() => Date, { description: 'When it happened.' })
  at!: Date;

  @Field({ description: 'What happened, in the carrier\'s words.' })
  description!: string;

  @Field(() => String, { nullable: true, description: 'Where it happened, as the carrier words it; null when it says nothing.' })
  location!: string | null;
}

@ObjectType('ShipmentTracking', { description: 'A shipment\'s tracking as last read from its carrier.' })
export class ShipmentTrackingType {
  @Field(() => TrackingStatusEnum, { description: 'Where the shipment stands by the carrier\'s tracking.' })
  status!: TrackingStatus;

  @Field(() => [TrackingEventType], { description: 'The carrier\'s scans and status changes, oldest first.' })
  events!: TrackingEventType[];

  static of(tracking: ShipmentTracking): ShipmentTrackingType {
    return Object.assign(new ShipmentTrackingType(), {
      status: tracking.status,
      events: tracking.events.map((event) =>
        Object.assign(new TrackingEventType(), { at: event.at, description: event.description, location: event.location ?? null }),
      ),
    });
  }
}
