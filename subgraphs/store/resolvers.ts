import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { readCustomerCursor, readOrderCursor } from '../../src/domain/cursor';
import type { OrderStatus } from '../../src/domain';
import { textProblem } from '../../src/domain/text';
import { badUserInput, OrderStatusEnum, PAGE_SIZE, pageSize } from '../kit';
import type { StoreContext } from './context';
import { connectionOf, CustomerConnectionType, CustomerType, OrderConnectionType, OrderType } from './types';

@Resolver(() => CustomerType)
export class CustomerResolver {
  @Query(() => CustomerType, { nullable: true, description: 'One customer by id.' })
  async customer(@Arg('id', () => ID, { description: 'The customer\'s id.' }) id: string, @Ctx() context: StoreContext): Promise<CustomerType | null> {
    const found = await context.customers.load(screenedId(id, 'id'));
    return found && CustomerType.of(found);
  }

  @Query(() => CustomerConnectionType, { description: 'All customers, a page at a time, ordered by id.' })
  async customers(
    @Arg('first', () => Int, { nullable: true, description: `Page size, 1 to ${PAGE_SIZE.max}; default ${PAGE_SIZE.default}.` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after (pageInfo.endCursor).' }) after: string | null,
    @Ctx() context: StoreContext,
  ): Promise<CustomerConnectionType> {
    const page = await context.store.listCustomers({ first: pageSize(first, PAGE_SIZE), after: screenedCursor(after, 'customers') });
    return connectionOf(page, CustomerType.of);
  }

  @FieldResolver(() => String, { description: 'E-mail address, from the system the matrix names as its owner (the site, by default).' })
  email(@Root() customer: CustomerType, @Ctx() context: StoreContext): Promise<string | null> {
    return context.truth.customerField(customer.record, 'email');
  }

  @FieldResolver(() => String, { description: 'Full name, from its owner.' })
  name(@Root() customer: CustomerType, @Ctx() context: StoreContext): Promise<string | null> {
    return context.truth.customerField(customer.record, 'name');
  }

  @FieldResolver(() => String, { nullable: true, description: 'Phone number, international format, from its owner.' })
  phone(@Root() customer: CustomerType, @Ctx() context: StoreContext): Promise<string | null> {
    return context.truth.customerField(customer.record, 'phone');
  }

  @FieldResolver(() => OrderConnectionType, { description: 'The customer\'s orders, newest first.' })
  async orders(
    @Root() customer: CustomerType,
    @Arg('first', () => Int, { nullable: true, description: `Page size, 1 to ${PAGE_SIZE.max}; default ${PAGE_SIZE.default}.` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after (pageInfo.endCursor).' }) after: string | null,
    @Ctx() context: StoreContext,
  ): Promise<OrderConnectionType> {
    const page = await context.ordersOfCustomer.load({ customerId: customer.id, first: pageSize(first, PAGE_SIZE), after: screenedCursor(after, 'orders') });
    return connectionOf(page, OrderType.of);
  }
}

@Resolver(() => OrderType)
export class OrderResolver {
  @Query(() => OrderType, { nullable: true, description: 'One order by id.' })
  async order(@Arg('id', () => ID, { description: 'The order\'s id.' }) id: string, @Ctx() context: StoreContext): Promise<OrderType | null> {
    const found = await context.orders.load(screenedId(id, 'id'));
    return found && OrderType.of(found);
  }

  @Query(() => OrderConnectionType, { description: 'Orders, newest first, optionally for one customer or in one status.' })
  async orders(
    @Arg('first', () => Int, { nullable: true, description: `Page size, 1 to ${PAGE_SIZE.max}; default ${PAGE_SIZE.default}.` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after (pageInfo.endCursor).' }) after: string | null,
    @Arg('customerId', () => ID, { nullable: true, description: 'Only this customer\'s orders.' }) customerId: string | null,
    @Arg('status', () => OrderStatusEnum, { nullable: true, description: 'Only orders in this status.' }) status: OrderStatus | null,
    @Ctx() context: StoreContext,
  ): Promise<OrderConnectionType> {
    const page = await context.store.listOrders({
      first: pageSize(first, PAGE_SIZE),
      after: screenedCursor(after, 'orders'),
      // An empty customerId is refused, never read as "every customer's".
      ...(customerId != null ? { customerId: screenedId(customerId, 'customerId') } : {}),
      ...(status ? { status } : {}),
    });
    return connectionOf(page, OrderType.of);
  }

  // The bidirectional fields, settled by the matrix's conflict rule (the ERP's newer status wins), one ERP read for
  // all the orders of a request; the order's other fields do not wait for it.
  @FieldResolver(() => OrderStatusEnum)
  async status(@Root() order: OrderType, @Ctx() context: StoreContext): Promise<OrderStatus> {
    return (await order.settled(context.truth)).status;
  }

  @FieldResolver(() => Date)
  async updatedAt(@Root() order: OrderType, @Ctx() context: StoreContext): Promise<Date> {
    return (await order.settled(context.truth)).updatedAt;
  }

  @FieldResolver(() => CustomerType, { nullable: true, description: 'Who placed the order.' })
  async customer(@Root() order: OrderType, @Ctx() context: StoreContext): Promise<CustomerType | null> {
    const found = await context.customers.load(order.customerId);
    return found && CustomerType.of(found);
  }
}

/** An id argument as the store keeps ids (src/domain/text.ts), or BAD_USER_INPUT naming the argument. */
function screenedId(id: string, argument: string): string {
  const problem = textProblem(id, { max: 64 });
  if (problem) throw badUserInput(`${argument} ${problem}`, argument);
  return id;
}

/** An `after` cursor this store gave out for this list, or BAD_USER_INPUT naming `after` (never a store failure). */
function screenedCursor(after: string | null | undefined, list: 'customers' | 'orders'): string | null {
  if (after == null) return null;
  const known = list === 'customers' ? readCustomerCursor(after) !== undefined : readOrderCursor(after) !== undefined;
  if (!known) throw badUserInput(`after is not a cursor of ${list} that this graph gave out: pass pageInfo.endCursor of the page before`, 'after');
  return after;
}
