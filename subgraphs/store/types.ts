import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { Customer, Order, OrderLine, OrderStatus, Page } from '../../src/domain';
import type { RequestTruth } from '../../src/truth/truth';
import { Loaded, MoneyType, OrderStatusEnum, PageInfoType } from '../kit';

@ObjectType('InventoryItem', { description: 'A stock-keeping unit; its details come from the system that owns inventory.' })
@Directive('@key(fields: "sku", resolvable: false)')
export class InventoryItemReference {
  @Field({ description: 'Stock-keeping unit code.' })
  sku!: string;
}

@ObjectType('OrderLine', { description: 'One line of an order: a quantity of one SKU at a unit price.' })
export class OrderLineType {
  @Field({ description: 'Stock-keeping unit code.' })
  sku!: string;

  @Field(() => Int, { description: 'Units ordered.' })
  quantity!: number;

  @Field(() => MoneyType, { description: 'Price of one unit when the order was placed.' })
  unitPrice!: MoneyType;

  @Field(() => InventoryItemReference, { nullable: true, description: 'The item as its owning system describes it now.' })
  item!: InventoryItemReference | null;

  static of(line: OrderLine): OrderLineType {
    return Object.assign(new OrderLineType(), {
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: MoneyType.of(line.unitPrice),
      item: Object.assign(new InventoryItemReference(), { sku: line.sku }),
    });
  }
}

@ObjectType('Order', { description: 'An order placed by a customer.' })
@Directive('@key(fields: "id")')
export class OrderType {
  @Field(() => ID, { description: 'The order\'s id in the graph.' })
  id!: string;

  @Field({ description: 'Human-facing order number, e.g. "SO-2026-000123".' })
  number!: string;

  @Field(() => OrderStatusEnum, { description: 'Where the order stands.' })
  status!: OrderStatus;

  @Field({ description: 'When the customer placed it.' })
  placedAt!: Date;

  @Field({ description: 'When it last changed, in whichever system changed it.' })
  updatedAt!: Date;

  @Field(() => MoneyType, { description: 'Sum of the lines.' })
  total!: MoneyType;

  @Field(() => [OrderLineType], { description: 'What was ordered.' })
  lines!: OrderLineType[];

  /** Held for the `customer` field resolver; not a GraphQL field. */
  customerId!: string;

  /** The site's own record; `status` and `updatedAt` are served from its settled version. Not a GraphQL field. */
  record!: Order;

  private settling?: Promise<Order>;

  /**
   * The order with its bidirectional fields settled by the matrix, asked once per order and request, and only when
   * a settled field is read: the rest of the order (its lines, its customer) is served while the ERP is asked.
   */
  settled(truth: RequestTruth): Promise<Order> {
    return (this.settling ??= truth.order(this.record));
  }

  static of(order: Order): OrderType {
    return Object.assign(new OrderType(), {
      id: order.id,
      number: order.number,
      status: order.status,
      placedAt: order.placedAt,
      updatedAt: order.updatedAt,
      total: MoneyType.of(order.total),
      lines: order.lines.map(OrderLineType.of),
      customerId: order.customerId,
      record: order,
    });
  }
}

/** Each order's settled version and its customer, loaded for a whole page at once (resolvers.ts, withAskedLoaded). */
export const settledOrders = new Loaded<Order>();
export const orderCustomers = new Loaded<CustomerType | null>();

@ObjectType('OrderEdge', { description: 'An order in a connection, with its cursor.' })
export class OrderEdgeType {
  @Field({ description: 'Opaque cursor of this order.' })
  cursor!: string;

  @Field(() => OrderType, { description: 'The order.' })
  node!: OrderType;
}

@ObjectType('OrderConnection', { description: 'A page of orders.' })
export class OrderConnectionType {
  @Field(() => [OrderEdgeType], { description: 'The orders of this page with their cursors.' })
  edges!: OrderEdgeType[];

  @Field(() => [OrderType], { description: 'The orders of this page.' })
  nodes!: OrderType[];

  @Field(() => PageInfoType, { description: 'Where this page sits.' })
  pageInfo!: PageInfoType;

  @Field(() => Int, { description: 'How many orders match, over all pages.' })
  totalCount!: number;
}

@ObjectType('Customer', { description: 'A customer of the business.' })
@Directive('@key(fields: "id")')
export class CustomerType {
  @Field(() => ID, { description: 'The customer\'s id in the graph (the new site\'s id).' })
  id!: string;

  /** The store's record; the profile fields are resolved from it by the source-of-truth matrix. */
  record!: Customer;

  static of(customer: Customer): CustomerType {
    return Object.assign(new CustomerType(), { id: customer.id, record: customer });
  }

  /**
   * The customer by its id alone, without its record: only for a request that asks nothing but `id` (and
   * `__typename`) of it, as the gateway asks an order's customer before the CRM's fields. An order's customer always
   * exists (the orders table's foreign key), so there is nothing to read.
   */
  static reference(id: string): CustomerType {
    return Object.assign(new CustomerType(), { id });
  }
}

@ObjectType('CustomerEdge', { description: 'A customer in a connection, with its cursor.' })
export class CustomerEdgeType {
  @Field({ description: 'Opaque cursor of this customer.' })
  cursor!: string;

  @Field(() => CustomerType, { description: 'The customer.' })
  node!: CustomerType;
}

@ObjectType('CustomerConnection', { description: 'A page of customers.' })
export class CustomerConnectionType {
  @Field(() => [CustomerEdgeType], { description: 'The customers of this page with their cursors.' })
  edges!: CustomerEdgeType[];

  @Field(() => [CustomerType], { description: 'The customers of this page.' })
  nodes!: CustomerType[];

  @Field(() => PageInfoType, { description: 'Where this page sits.' })
  pageInfo!: PageInfoType;

  @Field(() => Int, { description: 'How many customers there are, over all pages.' })
  totalCount!: number;
}

/** A page from a port, as a connection. Its edges are made when a client asks for them (most ask for nodes only). */
export function connectionOf<T, N>(
  page: Page<T>,
  toNode: (item: T) => N,
): { readonly edges: { cursor: string; node: N }[]; nodes: N[]; pageInfo: PageInfoType; totalCount: number } {
  const nodes = page.items.map(toNode);
  let edges: { cursor: string; node: N }[] | undefined;
  return {
    get edges() {
      return (edges ??= nodes.map((node, index) => ({ cursor: page.cursors[index] ?? '', node })));
    },
    nodes,
    pageInfo: Object.assign(new PageInfoType(), { endCursor: page.endCursor, hasNextPage: page.hasNextPage }),
    totalCount: page.totalCount,
  };
}
