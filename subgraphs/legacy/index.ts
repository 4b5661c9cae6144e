import type DataLoader from 'dataloader';
import { Ctx, Directive, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import type { LegacyCustomer, LegacyOrder, LegacyStore, OrderStatus } from '../../src/domain';
import { buildSubgraph, loaderOf, MoneyType, OrderStatusEnum, type Subgraph, portOf, type SubgraphFactory } from '../kit';

interface LegacyContext {
  readonly customers: DataLoader<string, LegacyCustomer | null>;
  readonly orders: DataLoader<string, LegacyOrder | null>;
}

@ObjectType('LegacyCustomerRecord', { description: 'The legacy store\'s copy of a customer, for cutover checks.' })
class LegacyCustomerRecord {
  @Field({ description: 'The legacy store\'s own customer number.' })
  legacyNumber!: string;

  @Field({ description: 'E-mail as the legacy store holds it.' })
  email!: string;

  @Field({ description: 'Name as the legacy store holds it.' })
  name!: string;

  @Field({ description: 'When the legacy store last changed it.' })
  updatedAt!: Date;
}

@ObjectType('LegacyOrderRecord', { description: 'The legacy store\'s copy of an order, for cutover checks.' })
class LegacyOrderRecord {
  @Field({ description: 'The legacy store\'s own order number.' })
  legacyNumber!: string;

  @Field(() => OrderStatusEnum, { description: 'Status as the legacy store holds it, in our vocabulary.' })
  status!: OrderStatus;

  @Field(() => MoneyType, { description: 'Total as the legacy store holds it.' })
  total!: MoneyType;

  @Field({ description: 'When the legacy store last changed it.' })
  updatedAt!: Date;
}

@ObjectType('Customer', { description: 'A customer of the business.' })
@Directive('@key(fields: "id")')
class LegacyCustomerEntity {
  @Field(() => ID, { description: 'The customer\'s id in the graph (the new site\'s id).' })
  id!: string;
}

@ObjectType('Order', { description: 'An order placed by a customer.' })
@Directive('@key(fields: "id")')
class LegacyOrderEntity {
  @Field(() => ID, { description: 'The order\'s id in the graph.' })
  id!: string;
}

@Resolver(() => LegacyCustomerEntity)
class LegacyCustomerResolver {
  @FieldResolver(() => LegacyCustomerRecord, { nullable: true, description: 'What the legacy store (being replaced) holds for this customer.' })
  async legacyRecord(@Root() customer: LegacyCustomerEntity, @Ctx() context: LegacyContext): Promise<LegacyCustomerRecord | null> {
    const found = await context.customers.load(customer.id);
    return found && Object.assign(new LegacyCustomerRecord(), found);
  }
}

@Resolver(() => LegacyOrderEntity)
class LegacyOrderResolver {
  @FieldResolver(() => LegacyOrderRecord, { nullable: true, description: 'What the legacy store (being replaced) holds for this order.' })
  async legacyRecord(@Root() order: LegacyOrderEntity, @Ctx() context: LegacyContext): Promise<LegacyOrderRecord | null> {
    const found = await context.orders.load(order.id);
    return found && Object.assign(new LegacyOrderRecord(), { ...found, total: MoneyType.of(found.total) });
  }
}

/** The legacy store being replaced: its copies of customers and orders, side by side with the new graph's. */
export function createLegacySubgraph(deps: { readonly legacy: LegacyStore }): Promise<Subgraph<LegacyContext>> {
  return buildSubgraph<LegacyContext>({
    name: 'legacy',
    resolvers: [LegacyCustomerResolver, LegacyOrderResolver],
    orphanedTypes: [LegacyCustomerEntity, LegacyOrderEntity],
    referenceResolvers: {
      Customer: { __resolveReference: (reference: { id: string }) => Object.assign(new LegacyCustomerEntity(), { id: reference.id }) },
      Order: { __resolveReference: (reference: { id: string }) => Object.assign(new LegacyOrderEntity(), { id: reference.id }) },
    },
    createContext: () => ({
      customers: loaderOf(deps.legacy.findCustomersByIds),
      orders: loaderOf(deps.legacy.findOrdersByIds),
    }),
  });
}

/** This subgraph, built from the estate's ports (the registry's loop in subgraphs/index.ts finds it by its name). */
export const subgraph: SubgraphFactory = (ports) => createLegacySubgraph({ legacy: portOf<LegacyStore>(ports, 'legacy', 'legacy') });
