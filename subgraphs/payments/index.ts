import type DataLoader from 'dataloader';
import { Ctx, Directive, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import type { Payment, PaymentGateway, PaymentStatus } from '../../src/domain';
import { buildSubgraph, loaderOf, MoneyType, PaymentStatusEnum, type Subgraph } from '../kit';

interface PaymentsContext {
  readonly byOrder: DataLoader<string, Payment | null>;
}

@ObjectType('Payment', { description: 'A payment at the payment gateway, its owner.' })
@Directive('@key(fields: "id")')
class PaymentType {
  @Field(() => ID, { description: 'The payment gateway\'s id (a payment intent).' })
  id!: string;

  @Field(() => PaymentStatusEnum, { description: 'Where the payment stands.' })
  status!: PaymentStatus;

  @Field(() => MoneyType, { description: 'Amount authorised or taken.' })
  amount!: MoneyType;

  @Field(() => MoneyType, { description: 'Amount refunded so far.' })
  refunded!: MoneyType;

  static of(payment: Payment): PaymentType {
    return Object.assign(new PaymentType(), {
      id: payment.id,
      status: payment.status,
      amount: MoneyType.of(payment.amount),
      refunded: MoneyType.of(payment.refunded),
    });
  }
}

@ObjectType('Order', { description: 'An order placed by a customer.' })
@Directive('@key(fields: "id")')
class PaymentsOrder {
  @Field(() => ID, { description: 'The order\'s id in the graph.' })
  id!: string;
}

@Resolver(() => PaymentsOrder)
class OrderPaymentResolver {
  @FieldResolver(() => PaymentType, { nullable: true, description: 'The payment taken for the order, if any.' })
  async payment(@Root() order: PaymentsOrder, @Ctx() context: PaymentsContext): Promise<PaymentType | null> {
    const found = await context.byOrder.load(order.id);
    return found && PaymentType.of(found);
  }
}

/** The payment gateway: owner of payments. */
export function createPaymentsSubgraph(deps: { readonly payments: PaymentGateway }): Promise<Subgraph<PaymentsContext>> {
  return buildSubgraph<PaymentsContext>({
    name: 'payments',
    resolvers: [OrderPaymentResolver],
    orphanedTypes: [PaymentsOrder, PaymentType],
    referenceResolvers: {
      Order: { __resolveReference: (reference: { id: string }) => Object.assign(new PaymentsOrder(), { id: reference.id }) },
    },
    createContext: () => ({ byOrder: loaderOf(deps.payments.findByOrderIds) }),
  });
}
