import type DataLoader from 'dataloader';
import { Ctx, Directive, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import type { Payment, PaymentGateway, PaymentStatus } from '../../src/domain';
import { type Awaitable, buildSubgraph, fieldOf, loaderOf, loadingReference, MoneyType, PaymentStatusEnum, type Subgraph, portOf, type SubgraphFactory } from '../kit';

interface PaymentsContext {
  readonly byOrder: DataLoader<string, Payment | null>;
}

/** The statuses in which the client still has something to do, and so needs the client secret. */
const AWAITING_CLIENT: ReadonlySet<PaymentStatus> = new Set(['REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION', 'REQUIRES_ACTION']);

@ObjectType('PaymentNextAction', { description: 'What the client must do to complete a payment in REQUIRES_ACTION.' })
class PaymentNextActionType {
  @Field({ description: 'The payment gateway\'s action type, e.g. "use_stripe_sdk" (Stripe.js handles it) or "redirect_to_url".' })
  type!: string;

  @Field(() => String, { nullable: true, description: 'Where to send the customer, for a redirect; null otherwise.' })
  redirectUrl!: string | null;
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

  @Field(() => String, {
    nullable: true,
    description: 'While the payment waits for the client (REQUIRES_PAYMENT_METHOD, REQUIRES_CONFIRMATION, REQUIRES_ACTION): the secret Stripe.js completes it with (stripe.confirmPayment / handleNextAction). Show it only to the paying customer; null once the client has nothing left to do.',
  })
  clientSecret!: string | null;

  @Field(() => PaymentNextActionType, { nullable: true, description: 'What the client must do next when the status is REQUIRES_ACTION (3-D Secure and the like); null otherwise.' })
  nextAction!: PaymentNextActionType | null;

  static of(payment: Payment): PaymentType {
    return Object.assign(new PaymentType(), {
      id: payment.id,
      status: payment.status,
      amount: MoneyType.of(payment.amount),
      refunded: MoneyType.of(payment.refunded),
      clientSecret: AWAITING_CLIENT.has(payment.status) ? (payment.clientSecret ?? null) : null,
      nextAction:
        payment.status === 'REQUIRES_ACTION' && payment.nextAction
          ? Object.assign(new PaymentNextActionType(), { type: payment.nextAction.type, redirectUrl: payment.nextAction.redirectUrl })
          : null,
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
  payment(@Root() order: PaymentsOrder, @Ctx() context: PaymentsContext): Awaitable<PaymentType | null> {
    return fieldOf(order, () => context.byOrder.load(order.id), (found) => found && PaymentType.of(found));
  }
}

/** The payment gateway: owner of payments. */
export function createPaymentsSubgraph(deps: { readonly payments: PaymentGateway }): Promise<Subgraph<PaymentsContext>> {
  return buildSubgraph<PaymentsContext>({
    name: 'payments',
    resolvers: [OrderPaymentResolver],
    orphanedTypes: [PaymentsOrder, PaymentType],
    referenceResolvers: {
      Order: {
        __resolveReference: loadingReference(
          (reference: { id: string }) => Object.assign(new PaymentsOrder(), { id: reference.id }),
          (reference, context: PaymentsContext) => context.byOrder.load(reference.id),
        ),
      },
    },
    createContext: () => ({ byOrder: loaderOf(deps.payments.findByOrderIds) }),
  });
}

/** This subgraph, built from the estate's ports (the registry's loop in subgraphs/index.ts finds it by its name). */
export const subgraph: SubgraphFactory = (ports) => createPaymentsSubgraph({ payments: portOf<PaymentGateway>(ports, 'payments', 'payments') });
