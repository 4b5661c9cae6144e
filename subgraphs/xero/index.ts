import type DataLoader from 'dataloader';
import { Ctx, Directive, Field, FieldResolver, ID, ObjectType, registerEnumType, Resolver, Root } from 'type-graphql';
import { INVOICE_STATUSES, type Accounting, type Invoice, type InvoiceStatus } from '../../src/domain';
import { type Awaitable, buildSubgraph, enumOf, fieldOf, loaderOf, loadingReference, MoneyType, type Subgraph, portOf, type SubgraphFactory } from '../kit';

interface XeroContext {
  readonly byOrder: DataLoader<string, Invoice | null>;
}

const InvoiceStatusEnum = enumOf(INVOICE_STATUSES);
registerEnumType(InvoiceStatusEnum, {
  name: 'InvoiceStatus',
  description: 'Where an order\'s invoice stands in the accounting system.',
  valuesConfig: {
    DRAFT: { description: 'Being prepared; not sent.' },
    AWAITING_APPROVAL: { description: 'Submitted for approval; not sent.' },
    AWAITING_PAYMENT: { description: 'Issued; the customer owes its amount due.' },
    PAID: { description: 'Paid in full.' },
    VOIDED: { description: 'Cancelled with its order: nothing is owed.' },
  },
});

@ObjectType('Invoice', { description: 'The sales invoice the accounting system holds for an order (its owner).' })
class InvoiceType {
  @Field({ description: 'The invoice number the customer sees.' })
  number!: string;

  @Field(() => InvoiceStatusEnum, { description: 'Where the invoice stands.' })
  status!: InvoiceStatus;

  @Field(() => MoneyType, { description: 'What is still owed on it.' })
  amountDue!: MoneyType;

  static of(invoice: Invoice): InvoiceType {
    return Object.assign(new InvoiceType(), { number: invoice.number, status: invoice.status, amountDue: MoneyType.of(invoice.amountDue) });
  }
}

@ObjectType('Order', { description: 'An order placed by a customer.' })
@Directive('@key(fields: "id")')
class XeroOrder {
  @Field(() => ID, { description: 'The order\'s id in the graph.' })
  id!: string;
}

@Resolver(() => XeroOrder)
class OrderInvoiceResolver {
  @FieldResolver(() => InvoiceType, { nullable: true, description: 'The order\'s invoice in the accounting system; null until it is made.' })
  invoice(@Root() order: XeroOrder, @Ctx() context: XeroContext): Awaitable<InvoiceType | null> {
    return fieldOf(order, () => context.byOrder.load(order.id), (found) => found && InvoiceType.of(found));
  }
}

/** Accounting (Xero): the invoice of each order, read in one batch per request level. */
export function createXeroSubgraph(deps: { readonly accounting: Accounting }): Promise<Subgraph<XeroContext>> {
  return buildSubgraph<XeroContext>({
    name: 'xero',
    resolvers: [OrderInvoiceResolver],
    orphanedTypes: [XeroOrder, InvoiceType],
    referenceResolvers: {
      Order: {
        __resolveReference: loadingReference(
          (reference: { id: string }) => Object.assign(new XeroOrder(), { id: reference.id }),
          (reference, context: XeroContext) => context.byOrder.load(reference.id),
        ),
      },
    },
    createContext: () => ({ byOrder: loaderOf(deps.accounting.findInvoicesByOrderIds) }),
  });
}

/** This subgraph, built from the estate's ports (the registry's loop in subgraphs/index.ts finds it by its name). */
export const subgraph: SubgraphFactory = (ports) => createXeroSubgraph({ accounting: portOf<Accounting>(ports, 'accounting', 'xero') });
