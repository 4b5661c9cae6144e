import { GraphQLError } from 'graphql';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Auth, Actor, Scope } from '../../src/auth';
import type { OrderStatus } from '../../src/domain';
import type { Receipt } from '../../src/writes/types';
import { InputRefusal, screenArguments, type MUTATION_ARGUMENTS } from '../../src/writes/validate';
import type { WriteService } from '../../src/writes/write-service';
import { buildSubgraph, OrderStatusEnum, type Subgraph, type SubgraphRequest } from '../kit';
import {
  AnyReceiptType,
  CustomerReceiptType,
  CustomerReference,
  InventoryItemReference,
  InventoryReceiptType,
  OrderReceiptType,
  OrderReference,
  PlaceOrderInput,
  receiptFields,
  UpdateCustomerInput,
} from './types';

interface WritesContext {
  readonly writes: WriteService;
  /** The caller, checked when a mutation needs it: a bad token fails the mutation, not the whole request. */
  readonly actor: (scope: Scope) => Promise<Actor>;
  /** The `Idempotency-Key` header, when the client sent one. */
  readonly idempotencyKey: string | undefined;
}

const keyOf = (context: WritesContext, argument: string | null | undefined): string | undefined => argument ?? context.idempotencyKey;
const exists = (receipt: Receipt): boolean => receipt.status !== 'REJECTED' || receipt.error?.code !== 'NOT_FOUND';

const IDEMPOTENCY = { nullable: true, description: 'Makes retries safe: the same key answers the first receipt (or send an Idempotency-Key header).' } as const;

@Resolver()
class WritesResolver {
  @Mutation(() => CustomerReceiptType, { description: 'Changes a customer\'s profile at its owner; followers (CRM, ERP) get it through the outbox. Needs customers:write.' })
  async updateCustomer(
    @Arg('input', () => UpdateCustomerInput, { description: 'The customer, and the profile fields to change (those left out keep their value).' }) input: UpdateCustomerInput,
    @Arg('idempotencyKey', () => String, IDEMPOTENCY) idempotencyKey: string | null,
    @Ctx() context: WritesContext,
  ): Promise<CustomerReceiptType> {
    const actor = await context.actor('customers:write');
    screened('updateCustomer', { input: withoutNulls(input), idempotencyKey });
    const receipt = await context.writes.updateCustomer(withoutNulls(input), actor, keyOf(context, idempotencyKey));
    return Object.assign(new CustomerReceiptType(), receiptFields(receipt), {
      customer: exists(receipt) ? Object.assign(new CustomerReference(), { id: input.id }) : null,
    });
  }

  @Mutation(() => OrderReceiptType, { description: 'Places an order: reserves stock at the ERP, takes the payment, books the courier(s); undoes completed steps when a later one fails. Needs orders:write.' })
  async placeOrder(
    @Arg('input', () => PlaceOrderInput, { description: 'Who orders, the lines (SKU and quantity; prices are the ERP\'s), where to ship and how to pay.' }) input: PlaceOrderInput,
    @Arg('idempotencyKey', () => String, IDEMPOTENCY) idempotencyKey: string | null,
    @Ctx() context: WritesContext,
  ): Promise<OrderReceiptType> {
    const actor = await context.actor('orders:write');
    const plain = {
      customerId: input.customerId,
      lines: input.lines.map((line) => ({ ...line })),
      ...(input.shipTo ? { shipTo: { ...input.shipTo } } : {}),
      ...(input.paymentMethod != null ? { paymentMethod: input.paymentMethod } : {}),
    };
    screened('placeOrder', { input: plain, idempotencyKey });
    const receipt = await context.writes.placeOrder(plain, actor, keyOf(context, idempotencyKey));
    return orderReceipt(receipt);
  }

  @Mutation(() => OrderReceiptType, { description: 'Moves an order along its lifecycle (PENDING → CONFIRMED → SHIPPED → DELIVERED). Needs orders:write.' })
  async updateOrderStatus(
    @Arg('id', () => ID, { description: 'The order.' }) id: string,
    @Arg('status', () => OrderStatusEnum, { description: 'Where it moves to.' }) status: OrderStatus,
    @Arg('idempotencyKey', () => String, IDEMPOTENCY) idempotencyKey: string | null,
    @Ctx() context: WritesContext,
  ): Promise<OrderReceiptType> {
    const actor = await context.actor('orders:write');
    screened('updateOrderStatus', { id, status, idempotencyKey });
    return orderReceipt(await context.writes.updateOrderStatus({ id, status }, actor, keyOf(context, idempotencyKey)));
  }

  @Mutation(() => OrderReceiptType, { description: 'Cancels an order; the ERP releases its stock and the payment is voided or refunded, through the outbox. Needs orders:write.' })
  async cancelOrder(
    @Arg('id', () => ID, { description: 'The order.' }) id: string,
    @Arg('idempotencyKey', () => String, IDEMPOTENCY) idempotencyKey: string | null,
    @Ctx() context: WritesContext,
  ): Promise<OrderReceiptType> {
    const actor = await context.actor('orders:write');
    screened('cancelOrder', { id, idempotencyKey });
    return orderReceipt(await context.writes.cancelOrder({ id }, actor, keyOf(context, idempotencyKey)));
  }

  @Mutation(() => InventoryReceiptType, { description: 'Changes stock on hand at the ERP, the owner of inventory; queued when the ERP is down. Needs inventory:write.' })
  async adjustInventory(
    @Arg('sku', { description: 'Stock-keeping unit code.' }) sku: string,
    @Arg('delta', () => Int, { description: 'Units to add (negative to take out).' }) delta: number,
    @Arg('reason', { description: 'Why, for the audit trail (e.g. "stock count").' }) reason: string,
    @Arg('idempotencyKey', () => String, IDEMPOTENCY) idempotencyKey: string | null,
    @Ctx() context: WritesContext,
  ): Promise<InventoryReceiptType> {
    const actor = await context.actor('inventory:write');
    screened('adjustInventory', { sku, delta, reason, idempotencyKey });
    const receipt = await context.writes.adjustInventory({ sku, delta, reason }, actor, keyOf(context, idempotencyKey));
    return Object.assign(new InventoryReceiptType(), receiptFields(receipt), {
      item: receipt.status === 'REJECTED' ? null : Object.assign(new InventoryItemReference(), { sku }),
    });
  }

  @Query(() => AnyReceiptType, { nullable: true, description: 'A mutation\'s receipt by its audit id, with its outbox jobs as they stand now: how a client follows a QUEUED write.' })
  async receipt(@Arg('auditId', () => ID, { description: 'The receipt\'s auditId.' }) auditId: string, @Ctx() context: WritesContext): Promise<AnyReceiptType | null> {
    const found = await context.writes.receipt(auditId);
    return found && Object.assign(new AnyReceiptType(), receiptFields(found), { operation: found.operation, entity: found.entity, entityId: found.entityId });
  }
}

/**
 * Screens a mutation's arguments at the edge (src/writes/validate.ts), before anything is claimed or applied: a refusal
 * is BAD_USER_INPUT naming the argument (`extensions.argument`) and the field within it (`extensions.field`).
 */
function screened(operation: keyof typeof MUTATION_ARGUMENTS, args: Readonly<Record<string, unknown>>): void {
  try {
    screenArguments(operation, args);
  } catch (error) {
    if (!(error instanceof InputRefusal)) throw error;
    throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', argument: error.argument, field: error.field } });
  }
}

function orderReceipt(receipt: Receipt): OrderReceiptType {
  return Object.assign(new OrderReceiptType(), receiptFields(receipt), {
    order: receipt.entityId && receipt.status !== 'REJECTED' ? Object.assign(new OrderReference(), { id: receipt.entityId }) : null,
  });
}

function withoutNulls(input: UpdateCustomerInput): Record<string, unknown> {
  return Object.fromEntries(Object.entries({ ...input }).filter(([key, value]) => value !== null || key === 'phone'));
}

function header(request: SubgraphRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Every mutation of the graph: routed to the owning system by the write path, audited, answered with a receipt. */
export function createWritesSubgraph(deps: { readonly writes: WriteService; readonly auth: Auth }): Promise<Subgraph<WritesContext>> {
  return buildSubgraph<WritesContext>({
    name: 'writes',
    resolvers: [WritesResolver],
    createContext: (request) => {
      let verified: Promise<Actor | null> | undefined;
      return {
        writes: deps.writes,
        idempotencyKey: header(request, 'idempotency-key'),
        actor: async (scope) => {
          verified ??= deps.auth.verify(header(request, 'authorization'));
          return deps.auth.requireScope(await verified, scope);
        },
      };
    },
  });
}
