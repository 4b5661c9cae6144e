import { Directive, Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import {
  CUSTOMER_SEGMENTS,
  formatDecimal,
  ORDER_STATUSES,
  PAYMENT_STATUSES,
  SHIPMENT_STATUSES,
  type Money,
} from '../../src/domain';

/**
 * GraphQL types that several subgraphs share. Value types are @shareable: every subgraph that returns one
 * resolves it the same way.
 */
@ObjectType('Money', { description: 'An amount of money: a decimal string, never a float, and its currency.' })
@Directive('@shareable')
export class MoneyType {
  @Field({ description: 'The amount as a decimal string with the currency\'s precision, e.g. "12.30".' })
  amount!: string;

  @Field({ description: 'ISO 4217 currency code, e.g. "EUR".' })
  currency!: string;

  static of(value: Money): MoneyType {
    return Object.assign(new MoneyType(), { amount: formatDecimal(value), currency: value.currency });
  }
}

@ObjectType('PageInfo', { description: 'Where a page of a connection sits in the whole list.' })
@Directive('@shareable')
export class PageInfoType {
  @Field(() => String, { nullable: true, description: 'Cursor of the last item of this page; pass it as `after`.' })
  endCursor!: string | null;

  @Field({ description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;
}

/** A GraphQL enum object from a list of string values (type-graphql wants an enum-like object). */
export const enumOf = <T extends string>(values: readonly T[]): { [K in T]: K } =>
  Object.fromEntries(values.map((value) => [value, value])) as { [K in T]: K };

export const OrderStatusEnum = enumOf(ORDER_STATUSES);
registerEnumType(OrderStatusEnum, {
  name: 'OrderStatus',
  description: 'Where an order stands.',
  valuesConfig: {
    PENDING: { description: 'Placed, not yet confirmed or paid.' },
    CONFIRMED: { description: 'Confirmed and paid (or authorised); being picked.' },
    SHIPPED: { description: 'Handed to a courier.' },
    DELIVERED: { description: 'Delivered to the customer.' },
    CANCELLED: { description: 'Cancelled; stock released, payment voided or refunded.' },
  },
});

export const CustomerSegmentEnum = enumOf(CUSTOMER_SEGMENTS);
registerEnumType(CustomerSegmentEnum, {
  name: 'CustomerSegment',
  description: 'The marketing segment the CRM assigns.',
  valuesConfig: {
    LEAD: { description: 'Known contact, never bought.' },
    PROSPECT: { description: 'Showed buying intent, never bought.' },
    CUSTOMER: { description: 'Has bought.' },
    VIP: { description: 'High lifetime value.' },
    CHURNED: { description: 'Used to buy, has stopped.' },
  },
});

export const PaymentStatusEnum = enumOf(PAYMENT_STATUSES);
registerEnumType(PaymentStatusEnum, {
  name: 'PaymentStatus',
  description: 'Where a payment stands at the payment gateway.',
  valuesConfig: {
    REQUIRES_PAYMENT_METHOD: { description: 'Created; no payment method yet.' },
    REQUIRES_CONFIRMATION: { description: 'Has a payment method; not confirmed yet.' },
    REQUIRES_ACTION: { description: 'The customer must act (e.g. 3-D Secure).' },
    PROCESSING: { description: 'The payment gateway is processing it.' },
    REQUIRES_CAPTURE: { description: 'Authorised; the money is taken when it is captured.' },
    SUCCEEDED: { description: 'The money is taken.' },
    CANCELED: { description: 'Cancelled; nothing is or will be taken.' },
  },
});

export const ShipmentStatusEnum = enumOf(SHIPMENT_STATUSES);
registerEnumType(ShipmentStatusEnum, {
  name: 'ShipmentStatus',
  description: 'Where a shipment stands at its courier.',
  valuesConfig: {
    LABEL_CREATED: { description: 'Booked; the courier has not collected it yet.' },
    IN_TRANSIT: { description: 'On its way.' },
    DELIVERED: { description: 'Delivered.' },
    EXCEPTION: { description: 'Held up: the courier reports a problem.' },
    CANCELLED: { description: 'Cancelled before collection.' },
  },
});

/** Bounds of `first` on every connection. */
export const PAGE_SIZE = { default: 20, max: 500 } as const;
export { Int };
