import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from 'type-graphql';
import { readCustomerCursor, readOrderCursor } from '../../src/domain/cursor';
import type { OrderStatus } from '../../src/domain';
import { textProblem } from '../../src/domain/text';
import { type Awaitable, badUserInput, fieldsAsked, type Loaded, OrderStatusEnum, PAGE_SIZE, pageSize } from '../kit';
import type { StoreContext } from './context';
import { connectionOf, CustomerConnectionType, CustomerType, orderCustomers, OrderConnectionType, OrderType, settledOrders } from './types';

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
    @Info() info: GraphQLResolveInfo,
  ): Promise<OrderConnectionType> {
    const page = await context.ordersOfCustomer.load({ customerId: customer.id, first: pageSize(first, PAGE_SIZE), after: screenedCursor(after, 'orders') });
    return withAskedLoaded(connectionOf(page, OrderType.of), info, context);
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
    @Info() info: GraphQLResolveInfo,
  ): Promise<OrderConnectionType> {
    const page = await context.store.listOrders({
      first: pageSize(first, PAGE_SIZE),
      after: screenedCursor(after, 'orders'),
      // An empty customerId is refused, never read as "every customer's".
      ...(customerId != null ? { customerId: screenedId(customerId, 'customerId') } : {}),
      ...(status ? { status } : {}),
    });
    return withAskedLoaded(connectionOf(page, OrderType.of), info, context);
  }

  // The bidirectional fields, settled by the matrix's conflict rule (the ERP's newer status wins), one ERP read for
  // all the orders of a request; the order's other fields do not wait for it.
  @FieldResolver(() => OrderStatusEnum)
  status(@Root() order: OrderType, @Ctx() context: StoreContext): Awaitable<OrderStatus> {
    return settledOrders.read(order, () => order.settled(context.truth), (settled) => settled.status);
  }

  @FieldResolver(() => Date)
  updatedAt(@Root() order: OrderType, @Ctx() context: StoreContext): Awaitable<Date> {
    return settledOrders.read(order, () => order.settled(context.truth), (settled) => settled.updatedAt);
  }

  @FieldResolver(() => CustomerType, { nullable: true, description: 'Who placed the order.' })
  customer(@Root() order: OrderType, @Ctx() context: StoreContext): Awaitable<CustomerType | null> {
    return orderCustomers.read(order, () => customerOf(order, context), (customer) => customer);
  }
}

/**
 * Loads, for every order of a page, what the request asks of them (the settled status, the customer) before the page
 * is answered: one batch each, as when each order's field asked, and the orders' fields then answer at once instead
 * of a promise each, which graphql-js gathers with more per order (issue 19). The page waited for them anyway: a
 * subgraph's answer is sent whole.
 */
async function withAskedLoaded(connection: OrderConnectionType, info: GraphQLResolveInfo, context: StoreContext): Promise<OrderConnectionType> {
  const asked = new Set([...fieldsAsked(info, ['nodes']), ...fieldsAsked(info, ['edges', 'node'])]);
  const ofCustomer = new Set([...fieldsAsked(info, ['nodes', 'customer']), ...fieldsAsked(info, ['edges', 'node', 'customer'])]);
  const orders = connection.nodes;
  // Asked only its id, an order's customer needs no read: the id is on the order, and the foreign key says it exists.
  const idOnly = [...ofCustomer].every((field) => field === 'id' || field === '__typename');
  if (asked.has('customer') && idOnly) {
    for (const order of orders) orderCustomers.settle(order, { status: 'fulfilled', value: CustomerType.reference(order.customerId) });
  }
  await Promise.all([
    asked.has('status') || asked.has('updatedAt') ? loadEach(orders, settledOrders, (order) => order.settled(context.truth)) : undefined,
    asked.has('customer') && !idOnly ? loadEach(orders, orderCustomers, (order) => customerOf(order, context)) : undefined,
  ]);
  return connection;
}

/** An order's customer as the store holds it (null only for a customer the store has lost, which its key forbids). */
function customerOf(order: OrderType, context: StoreContext): Promise<CustomerType | null> {
  return context.customers.load(order.customerId).then((found) => found && CustomerType.of(found));
}

async function loadEach<Record>(orders: readonly OrderType[], into: Loaded<Record>, load: (order: OrderType) => Promise<Record>): Promise<void> {
  const outcomes = await Promise.allSettled(orders.map(load));
  outcomes.forEach((outcome, index) => into.settle(orders[index]!, outcome));
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
