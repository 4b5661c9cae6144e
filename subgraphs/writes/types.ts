import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RECEIPT_STATUSES, type FollowerJob, type Receipt, type ReceiptStatus } from '../../src/writes/types';
import { enumOf } from '../kit/types';

const ReceiptStatusEnum = enumOf(RECEIPT_STATUSES);
registerEnumType(ReceiptStatusEnum, {
  name: 'ReceiptStatus',
  description: 'What became of a mutation.',
  valuesConfig: {
    APPLIED: { description: 'The owning system has it; followers are synced through the outbox.' },
    QUEUED: { description: 'The owning system was not there: the write waits in the outbox and will be applied; follow it with `receipt`.' },
    REJECTED: { description: 'Nothing was changed (completed steps were undone); `error` says why.' },
  },
});

@ObjectType('FollowerJob', { description: 'A write waiting in (or done by) the outbox: a follower sync, or an owner that was down.' })
export class FollowerJobType {
  @Field(() => ID, { description: 'The job\'s id in the outbox.' })
  id!: string;

  @Field({ description: 'The system the job writes to.' })
  system!: string;

  @Field({ description: 'What it does there, e.g. "upsertProfile".' })
  operation!: string;

  @Field({ description: 'pending, running, done, failed (will be retried) or dead (dead-lettered, can be replayed).' })
  state!: string;

  @Field(() => Int, { description: 'Attempts so far.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError!: string | null;

  static of(job: FollowerJob): FollowerJobType {
    return Object.assign(new FollowerJobType(), job);
  }
}

@ObjectType('ReceiptError', { description: 'Why a mutation was rejected or queued.' })
export class ReceiptErrorType {
  @Field({ description: 'A stable code: BAD_USER_INPUT, NOT_FOUND, CONFLICT, or an UPSTREAM_* / CIRCUIT_OPEN code from a system.' })
  code!: string;

  @Field(() => String, { nullable: true, description: 'The system that refused or failed, when one did.' })
  system!: string | null;

  @Field({ description: 'What went wrong, for a person.' })
  message!: string;
}

@ObjectType('SagaStep', { description: 'One step of a multi-system mutation, or the undoing of one.' })
export class SagaStepType {
  @Field({ description: 'What the step did, e.g. "reserve 2 × SKU-00001".' })
  step!: string;

  @Field({ description: 'The system it talked to.' })
  system!: string;

  @Field({ description: 'done, failed, compensated, compensation-queued (the undo waits in the outbox: its system was away), compensation-failed, or cleanup-queued (an answer was lost: a job clears up whatever the system holds).' })
  outcome!: string;

  @Field(() => String, { nullable: true, description: 'What failed, when something did.' })
  detail!: string | null;
}

@ObjectType('ReceiptFields', { description: 'Fields every receipt has (never emitted on its own).' })
export abstract class ReceiptFields {
  @Field(() => ReceiptStatusEnum, { description: 'What became of the mutation.' })
  status!: ReceiptStatus;

  @Field(() => ID, { description: 'The mutation_audit row that records it.' })
  auditId!: string;

  @Field({ description: 'The system that owns what was written (the source-of-truth matrix decides).' })
  owner!: string;

  @Field(() => [FollowerJobType], { description: 'The outbox jobs this mutation queued, and their state now.' })
  followerJobs!: FollowerJobType[];

  @Field(() => ReceiptErrorType, { nullable: true, description: 'Why it was rejected or queued.' })
  error!: ReceiptErrorType | null;

  @Field(() => [SagaStepType], { description: 'Steps of a multi-system mutation (placeOrder), in order.' })
  steps!: SagaStepType[];
}

export function receiptFields(receipt: Receipt): Omit<ReceiptFields, never> {
  return {
    status: receipt.status,
    auditId: receipt.auditId,
    owner: receipt.owner,
    followerJobs: receipt.followerJobs.map(FollowerJobType.of),
    error: receipt.error && Object.assign(new ReceiptErrorType(), receipt.error),
    steps: receipt.steps.map((step) => Object.assign(new SagaStepType(), { detail: null, ...step })),
  };
}

@ObjectType('Customer', { description: 'A customer of the business.' })
@Directive('@key(fields: "id", resolvable: false)')
export class CustomerReference {
  @Field(() => ID, { description: 'The customer\'s id in the graph.' })
  id!: string;
}

@ObjectType('Order', { description: 'An order placed by a customer.' })
@Directive('@key(fields: "id", resolvable: false)')
export class OrderReference {
  @Field(() => ID, { description: 'The order\'s id in the graph.' })
  id!: string;
}

@ObjectType('InventoryItem', { description: 'A stock-keeping unit.' })
@Directive('@key(fields: "sku", resolvable: false)')
export class InventoryItemReference {
  @Field({ description: 'Stock-keeping unit code.' })
  sku!: string;
}

@ObjectType('CustomerReceipt', { description: 'The receipt of a customer mutation, with the customer as it now stands.' })
export class CustomerReceiptType extends ReceiptFields {
  @Field(() => CustomerReference, { nullable: true, description: 'The customer as it now stands (null when there is none).' })
  customer!: CustomerReference | null;
}

@ObjectType('OrderReceipt', { description: 'The receipt of an order mutation, with the order as it now stands.' })
export class OrderReceiptType extends ReceiptFields {
  @Field(() => OrderReference, { nullable: true, description: 'The order as it now stands (null when none was made).' })
  order!: OrderReference | null;
}

@ObjectType('InventoryReceipt', { description: 'The receipt of an inventory mutation, with the item as it now stands.' })
export class InventoryReceiptType extends ReceiptFields {
  @Field(() => InventoryItemReference, { nullable: true, description: 'The item as it now stands.' })
  item!: InventoryItemReference | null;
}

@ObjectType('Receipt', { description: 'Any mutation\'s receipt, looked up later by its audit id.' })
export class AnyReceiptType extends ReceiptFields {
  @Field({ description: 'The mutation, e.g. "placeOrder".' })
  operation!: string;

  @Field({ description: 'The entity it changed: Customer, Order or InventoryItem.' })
  entity!: string;

  @Field(() => String, { nullable: true, description: 'Its id (the SKU for an InventoryItem).' })
  entityId!: string | null;
}

@InputType('UpdateCustomerInput', { description: 'A change to a customer\'s profile; give at least one field.' })
export class UpdateCustomerInput {
  @Field(() => ID, { description: 'The customer to change.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'New e-mail address.' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'New full name.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'New phone number (international format).' })
  phone?: string | null;
}

@InputType('OrderLineInput', { description: 'One line of a new order.' })
export class OrderLineInput {
  @Field({ description: 'Stock-keeping unit code.' })
  sku!: string;

  @Field(() => Int, { description: 'Units, 1 to 1000.' })
  quantity!: number;
}

@InputType('AddressInput', { description: 'A postal address to deliver to.' })
export class AddressInput {
  @Field({ description: 'Who the parcel is for, 1 to 100 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'A phone number the carrier may call (international format, e.g. "+31 20 123 4567").' })
  phone?: string | null;

  @Field({ description: 'Street and number, 1 to 100 characters.' })
  line1!: string;

  @Field(() => String, { nullable: true, description: 'More of the address (apartment, floor), up to 100 characters.' })
  line2?: string | null;

  @Field({ description: 'City or locality, 1 to 60 characters.' })
  city!: string;

  @Field({ description: 'State, province or region as the country\'s post writes it (e.g. "TX"); empty where the country has none.' })
  region!: string;

  @Field({ description: 'Postal code: letters, digits, spaces and dashes, up to 20 characters.' })
  postalCode!: string;

  @Field({ description: 'Country: ISO 3166-1 alpha-2 in capitals, e.g. "NL", "US".' })
  countryCode!: string;

  @Field(() => Boolean, { nullable: true, description: 'Whether it is a home address (carriers price residential delivery differently); leave out when unknown.' })
  residential?: boolean | null;
}

@InputType('PlaceOrderInput', { description: 'A new order.' })
export class PlaceOrderInput {
  @Field(() => ID, { description: 'Who orders.' })
  customerId!: string;

  @Field(() => [OrderLineInput], { description: 'What, 1 to 50 lines, each SKU once.' })
  lines!: OrderLineInput[];

  @Field(() => AddressInput, { nullable: true, description: 'Where to deliver; left out, the customer\'s address on file (refused as BAD_USER_INPUT naming shipTo when there is none).' })
  shipTo?: AddressInput | null;

  @Field(() => String, {
    nullable: true,
    description: 'The payment method from checkout, the id the payment gateway\'s browser library hands it: the payment is confirmed with it. Left out, the payment is created and waits for the client: status REQUIRES_PAYMENT_METHOD, completed with Payment.clientSecret.',
  })
  paymentMethod?: string | null;
}
